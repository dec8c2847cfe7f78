import Testing
import Parquet
import TributaryCore
@testable import Pipeline

/// 2026-11-26T10:00:00Z in epoch microseconds.
let now: Int64 = 1_795_687_200_000_000

func decode(_ schema: TopicSchema, _ messages: [String]) -> (DecodedBatch, [Rejection?]) {
    var decoder = RecordDecoder(schema: schema, nowMicros: now)
    var outcomes: [Rejection?] = []
    for (i, m) in messages.enumerated() {
        var bytes = Array(m.utf8)
        outcomes.append(bytes.withUnsafeMutableBytes { decoder.append(UnsafeRawBufferPointer($0), partition: 0, offset: Int64(i)) })
    }
    return (decoder.finish(batchID: "20261126100000000", ingestedAtMicros: now), outcomes)
}

func column(_ batch: DecodedBatch, _ name: String) -> Column? {
    batch.schema.storedFields.firstIndex { $0.name == name }.map { batch.columns[$0] }
}

@Suite struct RecordDecoderTests {
    @Test func validUserEventBecomesColumnsWithMetadataAndExtra() throws {
        let (batch, outcomes) = decode(.seed("user_events")!, [
            #"{"event_id":"e1","user_id":"u1","event_type":"click","page":"/h\u00e9","country":"FR","properties":{"a":[1,2]},"timestamp":"2026-11-26T09:15:30.123456Z","utm":"x","n":1}"#,
        ])
        #expect(outcomes == [nil])
        #expect(batch.count == 1)
        #expect(batch.recordKeys.strings == ["e1"])
        #expect(batch.partitionValues.strings == ["2026-11-26"])
        #expect(batch.precombine == [1_795_684_530_123_456])
        #expect(column(batch, "page")?.values == .byteArray(ByteArrays(strings: ["/hé"])))
        #expect(column(batch, "properties")?.values == .byteArray(ByteArrays(strings: [#"{"a":[1,2]}"#])))
        #expect(column(batch, "extra")?.values == .byteArray(ByteArrays(strings: [#"{"utm":"x","n":1}"#])))
        #expect(column(batch, "device")?.validity == [false])
        #expect(column(batch, "_batch_id")?.values == .byteArray(ByteArrays(strings: ["20261126100000000"])))
        #expect(batch.columns.count == batch.schema.storedFields.count)
        for c in batch.columns { #expect(c.count == 1) }
    }

    @Test(arguments: [
        ("not json", Rejection.Stage.parse, "invalid JSON"),
        ("[1,2]", .parse, "expected a JSON object"),
        (#"{"event_id":"e1","user_id":"u1","event_type":"click","timestamp":"2026-11-26T09:00:00Z""#, .parse, "invalid JSON"),
        (#"{"user_id":"u1","event_type":"click","timestamp":"2026-11-26T09:00:00Z"}"#, .schema, "required field 'event_id'"),
        (#"{"event_id":1,"user_id":"u1","event_type":"click","timestamp":"2026-11-26T09:00:00Z"}"#, .schema, "'event_id' must be a string"),
        (#"{"event_id":"e","user_id":"u1","event_type":"jump","timestamp":"2026-11-26T09:00:00Z"}"#, .schema, "'event_type' must be one of"),
        (#"{"event_id":"e","user_id":"u1","event_type":"click","country":"fr","timestamp":"2026-11-26T09:00:00Z"}"#, .schema, "'country' must be 2 upper-case"),
        (#"{"event_id":"e","user_id":"u1","event_type":"click","timestamp":"2026-11-26 09:00"}"#, .schema, "'timestamp' is not an RFC 3339"),
        (#"{"event_id":"e","user_id":"u1","event_type":"click","timestamp":"2026-11-26T12:00:00Z"}"#, .quality, "'timestamp' is more than 1 h in the future"),
        (#"{"event_id":"","user_id":"u1","event_type":"click","timestamp":"2026-11-26T09:00:00Z"}"#, .schema, "'event_id' must be 1–128 characters"),
        (#"{"event_id":"e","event_id":"f","user_id":"u1","event_type":"click","timestamp":"2026-11-26T09:00:00Z"}"#, .schema, "appears more than once"),
        (#"{"event_id":"e","user_id":"u1","event_type":"click","timestamp":"2026-11-26T09:00:00Z","_op":"drop"}"#, .schema, "'_op' must be"),
    ])
    func rejectionsNameTheStageAndField(message: String, stage: Rejection.Stage, reason: String) {
        let (batch, outcomes) = decode(.seed("user_events")!, [message])
        #expect(batch.count == 0)
        #expect(outcomes.first??.stage == stage)
        #expect(outcomes.first??.reason.contains(reason) == true, "\(String(describing: outcomes.first ?? nil))")
    }

    @Test func transactionAmountsAreExactDecimals() {
        let base = #""transaction_id":"t","user_id":"u","currency":"EUR","status":"completed","timestamp":1795680000000"#
        let (batch, outcomes) = decode(.seed("transactions")!, [
            "{\(base),\"amount\":19.99}", "{\(base),\"amount\":\"1000000000\"}", "{\(base),\"amount\":0}",
            "{\(base),\"amount\":1.999}", "{\(base),\"amount\":1000000000.01}", "{\(base),\"amount\":-5}",
            "{\(base),\"amount\":\"12.50\",\"currency\":\"eur\"}",
        ])
        #expect(outcomes.map { $0?.stage } == [nil, nil, .quality, .schema, .quality, .quality, .schema])
        #expect(column(batch, "amount")?.values == .int64([1999, 100_000_000_000]))
        #expect(batch.precombine == [1_795_680_000_000_000, 1_795_680_000_000_000])
    }

    @Test func sensorValueRangeDependsOnSensorType() {
        let base = #""reading_id":"r","sensor_id":"s","timestamp":"2026-11-26T09:00:00+01:00""#
        let (batch, outcomes) = decode(.seed("sensor_data")!, [
            "{\(base),\"sensor_type\":\"temperature\",\"value\":21.5}",
            "{\(base),\"sensor_type\":\"temperature\",\"value\":75}",
            "{\(base),\"sensor_type\":\"humidity\",\"value\":75}",
            "{\(base),\"sensor_type\":\"other\",\"value\":1e9}",
            "{\(base),\"sensor_type\":\"co2\",\"value\":400,\"battery_level\":101}",
            "{\(base),\"sensor_type\":\"co2\",\"value\":\"400\"}",
        ])
        #expect(outcomes.map { $0?.stage } == [nil, .quality, nil, nil, .quality, .schema])
        #expect(outcomes[1]?.reason.contains("temperature") == true)
        #expect(column(batch, "value")?.values == .double([21.5, 75, 1e9]))
        // +01:00 offset: 08:00 UTC.
        #expect(batch.precombine.first == 1_795_680_000_000_000)
    }

    @Test func logLevelIsCaseInsensitiveAndStoredUpperCase() {
        let (batch, outcomes) = decode(.seed("log_events")!, [
            #"{"log_id":"l1","service":"api","level":"warn","message":"disk \"full\"","timestamp":"2026-11-26T09:00:00Z"}"#,
            #"{"log_id":"l2","service":"api","level":"verbose","message":"x","timestamp":"2026-11-26T09:00:00Z"}"#,
        ])
        #expect(outcomes.map { $0?.stage } == [nil, .schema])
        #expect(column(batch, "level")?.values == .byteArray(ByteArrays(strings: ["WARN"])))
        #expect(column(batch, "message")?.values == .byteArray(ByteArrays(strings: ["disk \"full\""])))
    }

    @Test func deletesNeedOnlyKeyAndTimestamp() {
        let (batch, outcomes) = decode(.seed("user_events")!, [
            #"{"event_id":"e1","timestamp":"2026-11-26T09:00:00Z","_op":"delete"}"#,
            #"{"event_id":"e2","_op":"delete"}"#,
        ])
        #expect(outcomes.map { $0?.stage } == [nil, .schema])
        #expect(batch.operations == [.delete])
        #expect(batch.recordKeys.strings == ["e1"])
    }

    @Test func dateOfTimestampIsTheUTCDay() {
        var out: [UInt8] = []
        ScalarParsing.appendDate(ofMicros: 0, to: &out)
        ScalarParsing.appendDate(ofMicros: -1, to: &out)
        ScalarParsing.appendDate(ofMicros: 951_782_400_000_000, to: &out)  // 2000-02-29
        #expect(String(decoding: out, as: UTF8.self) == "1970-01-011969-12-312000-02-29")
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let (y, m, d) = CivilDate.date(days: Int64(days))
            #expect(CivilDate.days(year: y, month: m, day: d) == Int64(days))
        }
    }

    @Test func deeplyNestedJSONIsRejectedNotCrashing() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let (_, outcomes) = decode(.seed("bulk_upload")!, [#"{"record_id":"r","source":"s","timestamp":1,"data":{"x":"# + deep + "}}"])
        #expect(outcomes.first??.stage == .parse)
    }
}
