import Foundation
import Testing
import TributaryCore
@testable import Pipeline

/// Debezium change events (Kafka Connect's JSON converter, with and without the schema
/// envelope) through the stream's decoder: what becomes an upsert, a delete, a skipped
/// tombstone, or a dead letter with stage and reason.
@Suite struct ChangeEventDecoderTests {
    static let row = #"{"id":7,"name":"Ada","email":"ada@example.com","region":"eu","balance":12.5,"updated_at":"2026-11-26T09:15:00Z"}"#
    static let source = #"{"version":"2.7.0.Final","connector":"postgresql","name":"dbserver1","ts_ms":1795684500000,"snapshot":"false","db":"shop","schema":"public","table":"customers","txId":771,"lsn":24023128}"#

    static func event(op: String, before: String = "null", after: String = "null", source: String = ChangeEventDecoderTests.source, tsMillis: Int64 = 1795684501000) -> String {
        #"{"before":\#(before),"after":\#(after),"source":\#(source),"op":"\#(op)","ts_ms":\#(tsMillis),"transaction":null}"#
    }

    @Test func compiledStreamIsOrderedByTheEventsInAColumnOfItsOwn() throws {
        let customers = try customersStream()
        #expect(customers.format == .debezium)
        #expect(customers.precombineField == TopicSchema.changeOrderingField)
        #expect(customers.ordersByChangeEvent)
        #expect(customers.storedFields.map(\.name).contains(TopicSchema.changeOrderingField))
        #expect(customers.field(TopicSchema.changeOrderingField) == nil)
    }

    @Test func createReadAndUpdateUpsertAfterOrderedBySourceLSN() throws {
        let customers = try customersStream()
        let update = Self.row.replacingOccurrences(of: "Ada", with: "Ada L.")
        let (batch, outcomes) = decode(customers, [
            Self.event(op: "r", after: Self.row),
            Self.event(op: "c", after: Self.row.replacingOccurrences(of: #""id":7"#, with: #""id":8"#),
                       source: Self.source.replacingOccurrences(of: "24023128", with: "24023200")),
            Self.event(op: "u", before: Self.row, after: update, source: Self.source.replacingOccurrences(of: "24023128", with: "24023300")),
        ])
        #expect(outcomes == [nil, nil, nil])
        #expect(batch.recordKeys.strings == ["7", "8", "7"])
        #expect(batch.operations == [.upsert, .upsert, .upsert])
        #expect(batch.precombine == [24_023_128, 24_023_200, 24_023_300])
        #expect(batch.partitionValues.strings == ["eu", "eu", "eu"])
        #expect(column(batch, "name")?.values == .byteArray(ByteArrays(strings: ["Ada", "Ada", "Ada L."])))
        #expect(column(batch, TopicSchema.changeOrderingField)?.values == .int64([24_023_128, 24_023_200, 24_023_300]))
        #expect(batch.columns.count == batch.schema.storedFields.count)
        for c in batch.columns { #expect(c.count == 3) }
    }

    @Test func theSchemaEnvelopeIsUnwrapped() throws {
        let enveloped = #"{"schema":{"type":"struct","fields":[],"optional":false,"name":"dbserver1.public.customers.Envelope"},"payload":\#(Self.event(op: "c", after: Self.row))}"#
        let (batch, outcomes) = decode(try customersStream(), [enveloped])
        #expect(outcomes == [nil])
        #expect(batch.recordKeys.strings == ["7"])
        #expect(batch.precombine == [24_023_128])
    }

    @Test func deleteTakesTheKeyFromBeforeEvenAPrimaryKeyOnlyImage() throws {
        // REPLICA IDENTITY DEFAULT: `before` holds the primary key, other columns null.
        let keyOnly = #"{"id":7,"name":null,"email":null,"region":null,"balance":null,"updated_at":null}"#
        let (batch, outcomes) = decode(try customersStream(), [Self.event(op: "d", before: keyOnly)])
        #expect(outcomes == [nil])
        #expect(batch.operations == [.delete])
        #expect(batch.recordKeys.strings == ["7"])
        #expect(batch.precombine == [24_023_128])
    }

    @Test func orderingFallsBackToSourceTimeThenEventTime() throws {
        let noLSN = Self.source.replacingOccurrences(of: #","lsn":24023128"#, with: "")
        let noSourceTime = #"{"connector":"mysql","name":"db"}"#
        let (batch, outcomes) = decode(try customersStream(), [
            Self.event(op: "c", after: Self.row, source: noLSN),
            Self.event(op: "c", after: Self.row, source: noSourceTime, tsMillis: 1795684509999),
            Self.event(op: "c", after: Self.row, source: Self.source.replacingOccurrences(of: "24023128", with: #""24023999""#)),
        ])
        #expect(outcomes == [nil, nil, nil])
        #expect(batch.precombine == [1_795_684_500_000, 1_795_684_509_999, 24_023_999])
    }

    @Test func tombstonesAreCountedAndSkipped() throws {
        let (batch, outcomes) = decode(try customersStream(), ["", Self.event(op: "c", after: Self.row), ""])
        #expect(outcomes == [nil, nil, nil])
        #expect(batch.count == 1)
        #expect(batch.tombstones == 2)
    }

    @Test func aPrecombineFieldOverridesTheEventOrdering() throws {
        var customers = try customersStream()
        customers.precombineField = "id"
        let (batch, outcomes) = decode(customers, [Self.event(op: "c", after: Self.row)])
        #expect(outcomes == [nil])
        #expect(batch.precombine == [7])
        #expect(!batch.schema.storedFields.map(\.name).contains(TopicSchema.changeOrderingField))
    }

    @Test func aColumnNamedOpIsARowColumnNotAnOperation() throws {
        let row = Self.row.replacingOccurrences(of: #""id":7"#, with: #""id":7,"_op":"delete""#)
        let (batch, outcomes) = decode(try customersStream(), [Self.event(op: "c", after: row)])
        #expect(outcomes == [nil])
        #expect(batch.operations == [.upsert])
        #expect(column(batch, "extra")?.values == .byteArray(ByteArrays(strings: [#"{"_op":"delete"}"#])))
    }

    static let malformed: [(message: String, stage: Rejection.Stage, reason: String)] = [
        ("not json", .parse, "invalid JSON"),
        ("[1]", .parse, "expected a JSON object"),
        (#"{"id":7,"name":"Ada","region":"eu"}"#, .envelope, "no 'op' member"),
        (#"{"schema":{},"payload":"x"}"#, .envelope, "'payload' must be an object, got a string"),
        (event(op: "t", after: row), .envelope, "unknown op 't'"),
        (event(op: "c"), .envelope, "'after' must be an object for op 'c'"),
        (event(op: "u", before: row, after: "[1]"), .envelope, "'after' must be an object for op 'u'"),
        (event(op: "d", after: row), .envelope, "'before' must be an object for op 'd'"),
        (event(op: "d", before: #"{"name":"Ada"}"#), .envelope, "'before' does not identify the deleted row: required field 'id' is missing"),
        (#"{"op":"c","after":\#(row)}"#, .envelope, "no ordering value"),
        (event(op: "c", after: row.replacingOccurrences(of: #""eu""#, with: #""mars""#)), .schema, "after: field 'region' must be one of"),
        (event(op: "r", after: row.replacingOccurrences(of: "ada@example.com", with: "nope")), .schema, "after: field 'email'"),
        (event(op: "c", after: #"{"id":7,"region":"eu"}"#), .schema, "after: required field 'name' is missing"),
    ]

    @Test(arguments: malformed)
    func malformedEventsAreRefusedWithStageAndReason(_ c: (message: String, stage: Rejection.Stage, reason: String)) throws {
        let (batch, outcomes) = decode(try customersStream(), [c.message])
        #expect(batch.count == 0)
        #expect(outcomes[0]?.stage == c.stage, "\(String(describing: outcomes[0]))")
        #expect(outcomes[0]?.reason.contains(c.reason) == true, "\(String(describing: outcomes[0]))")
    }
}
