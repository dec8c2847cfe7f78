import Testing
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

    @Test func sameSeedSameStream() {
        var a = RecordGenerator(schema: .seed("transactions")!, mix: .init(updateRatio: 0.3), seed: 1)
        var b = RecordGenerator(schema: .seed("transactions")!, mix: .init(updateRatio: 0.3), seed: 1)
        for _ in 0..<100 { #expect(a.next(nowMicros: now).value == b.next(nowMicros: now).value) }
    }
}

extension GeneratedKind: Hashable {
    public func hash(into hasher: inout Hasher) { hasher.combine("\(self)") }
}
