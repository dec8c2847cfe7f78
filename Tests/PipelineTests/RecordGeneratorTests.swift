import Testing
import TributaryCore
@testable import Pipeline

/// The generator's claims are judged by the decoder: valid kinds pass, invalid ones are
/// rejected at the stage the generator meant.
@Suite struct RecordGeneratorTests {
    @Test(arguments: TopicSchema.seeds.map(\.topic))
    func generatedRecordsAreTreatedAsIntended(topic: String) throws {
        let schema = try #require(TopicSchema.seed(topic))
        var generator = RecordGenerator(
            schema: schema, mix: .init(updateRatio: 0.2, deleteRatio: 0.05, lateRatio: 0.05, invalidRatio: 0.1), seed: 7)
        var decoder = RecordDecoder(schema: schema, nowMicros: now)
        var kinds: [GeneratedKind: Int] = [:]
        for i in 0..<2000 {
            let record = generator.next(nowMicros: now - 60_000_000)
            kinds[record.kind, default: 0] += 1
            let rejection = record.value.withUnsafeBytes { decoder.append($0, partition: 0, offset: Int64(i)) }
            switch record.kind {
            case .invalid(let stage):
                #expect(rejection?.stage == stage, "\(String(decoding: record.value, as: UTF8.self)) → \(String(describing: rejection))")
            default:
                #expect(rejection == nil, "\(String(decoding: record.value, as: UTF8.self)) → \(String(describing: rejection))")
            }
        }
        #expect(kinds[.insert, default: 0] > 800)
        #expect(kinds[.update, default: 0] > 200)
        #expect(kinds[.delete, default: 0] > 40)
        #expect(kinds[.lateUpdate, default: 0] > 40)
        #expect(kinds.keys.contains { if case .invalid = $0 { true } else { false } })
    }

    /// A debezium stream gets change events: a snapshot (`r`), then `c`, `u`, `d` each followed
    /// by its tombstone, re-delivered older positions, and broken envelopes and rows — with
    /// and without the Connect schema envelope; the decoder agrees with every claim.
    @Test(arguments: [false, true])
    func debeziumStreamsGetChangeEventsTreatedAsIntended(schemaEnvelope: Bool) throws {
        let schema = try customersStream()
        var generator = RecordGenerator(
            schema: schema, mix: .init(updateRatio: 0.2, deleteRatio: 0.05, lateRatio: 0.05, invalidRatio: 0.1), seed: 7,
            schemaEnvelope: schemaEnvelope)
        var decoder = RecordDecoder(schema: schema, nowMicros: now)
        var kinds: [GeneratedKind: Int] = [:]
        var ops: [String: Int] = [:]
        var previous: GeneratedRecord?
        var positions: [Int64] = []
        for i in 0..<2000 {
            let record = generator.next(nowMicros: now - 60_000_000 + Int64(i) * 1000)
            kinds[record.kind, default: 0] += 1
            let rejection = record.value.withUnsafeBytes { decoder.append($0, partition: 0, offset: Int64(i)) }
            switch record.kind {
            case .invalid(let stage):
                #expect(rejection?.stage == stage, "\(String(decoding: record.value, as: UTF8.self)) → \(String(describing: rejection))")
            case .tombstone:
                #expect(record.value.isEmpty && rejection == nil)
                #expect(previous?.kind == .delete && previous?.key == record.key)
            default:
                #expect(rejection == nil, "\(String(decoding: record.value, as: UTF8.self)) → \(String(describing: rejection))")
                let event = try JSONValue.parse(bytes: record.value)
                let payload = schemaEnvelope ? try #require(event["payload"]) : event
                #expect((event["schema"] != nil) == schemaEnvelope)
                let op = try #require(payload["op"]?.string)
                ops[op, default: 0] += 1
                let row = try #require(op == "d" ? payload["before"] : payload["after"])
                let id = try #require(row["id"]?.int)
                #expect(record.key == (schemaEnvelope ? #"{"schema":"# : "") + #"{"id":\#(id)}"# || record.key.hasSuffix(#""payload":{"id":\#(id)}}"#))
                let position = try #require(payload["source"]?["lsn"]?.int)
                if record.kind != .lateUpdate { positions.append(position) }
            }
            previous = record
        }
        #expect(decoder.tombstones == kinds[.tombstone])
        #expect(kinds[.tombstone] == kinds[.delete])
        // The first rows are the snapshot; positions only grow, except re-delivered ones.
        #expect(ops["r"] == RecordGenerator.snapshotRows)
        #expect(ops["c", default: 0] > 800 && ops["u", default: 0] > 300 && ops["d", default: 0] > 40)
        #expect(positions == positions.sorted() && Set(positions).count == positions.count)
        let stages = Set(kinds.keys.compactMap { if case .invalid(let stage) = $0 { stage } else { nil } })
        #expect(stages == [.parse, .envelope, .schema])
    }

    @Test func sameSeedSameStream() {
        var a = RecordGenerator(schema: .seed("transactions")!, mix: .init(updateRatio: 0.3), seed: 1)
        var b = RecordGenerator(schema: .seed("transactions")!, mix: .init(updateRatio: 0.3), seed: 1)
        for _ in 0..<100 { #expect(a.next(nowMicros: now).value == b.next(nowMicros: now).value) }
    }
}

extension GeneratedKind: Hashable {
    public func hash(into hasher: inout Hasher) { hasher.combine("\(self)") }
}
