import Testing
import TributaryCore
@testable import Pipeline

/// The decoder driven by a user-defined stream: nested objects and arrays, a decimal, a date,
/// a two-field key, hour partitions, and refusals at every level with their stage.
@Suite struct StreamDecoderTests {
    static let valid = #"{"order_id":"A1","line_no":3,"created_at":"2026-11-26T09:15:00Z","updated_at":"2026-11-26T09:20:00.5Z","ship_date":"2026-11-28","amount":"12.50","status":"paid","gift":true,"promo":"P-7","customer":{"name":"Ada","email":"ada@example.com","address":{"city":"Paris"}},"items":[{"sku":"k1","qty":2,"price":1.5},{"sku":"k2","qty":1}],"tags":["a","b"],"attributes":{"x":[1]}}"#

    /// `valid` with `old` replaced by `new` (exactly once).
    static func variant(_ old: String, _ new: String) -> String {
        valid.replacingOccurrences(of: old, with: new)
    }

    @Test func validRecordFillsFlatAndNestedColumnsAndWriteAttributes() throws {
        let orders = try ordersStream()
        let (batch, outcomes) = decode(orders, [Self.valid, Self.variant(#""line_no":3"#, #""line_no":4"#).replacingOccurrences(of: #","items":[{"sku":"k1","qty":2,"price":1.5},{"sku":"k2","qty":1}],"tags":["a","b"]"#, with: #","items":[],"tags":null"#)])
        #expect(outcomes == [nil, nil])
        #expect(batch.recordKeys.strings == ["order_id:A1,line_no:3", "order_id:A1,line_no:4"])
        #expect(batch.partitionValues.strings == ["2026-11-26T09", "2026-11-26T09"])
        #expect(batch.precombine == [1_795_684_800_500_000, 1_795_684_800_500_000])
        #expect(column(batch, "line_no")?.values == .int64([3, 4]))
        #expect(column(batch, "amount")?.values == .int64([1250, 1250]))
        #expect(column(batch, "ship_date")?.values == .int32([20_785, 20_785]))
        #expect(column(batch, "gift")?.values == .boolean([true, true]))
        #expect(column(batch, "attributes")?.values == .byteArray(ByteArrays(strings: [#"{"x":[1]}"#, #"{"x":[1]}"#])))
        #expect(column(batch, "event_hour")?.values == .byteArray(ByteArrays(strings: ["2026-11-26T09", "2026-11-26T09"])))
        #expect(batch.nestedFailure == nil)
        let stored = orders.storedFields
        let itemsIndex = try #require(stored.firstIndex { $0.name == "items" })
        let items = try #require(batch.nested[itemsIndex])
        #expect(items.rowCount == 2)
        // Leaves sku, qty, price: record 1 has two elements, record 2 an empty list (one
        // entry below the element's level, a placeholder value).
        #expect(items.leaves.count == 3)
        #expect(items.leaves[0].values == .byteArray(ByteArrays(strings: ["k1", "k2", ""])))
        #expect(items.leaves[0].repetitionLevels == [0, 1, 0])
        #expect(items.leaves[0].definitionLevels == [2, 2, 1])
        #expect(items.leaves[2].column == Column(.double([1.5, 0, 0]), validity: [true, false, false]))
        let tagsIndex = try #require(stored.firstIndex { $0.name == "tags" })
        #expect(batch.nested[tagsIndex]?.leaves[0].column == Column(.byteArray(ByteArrays(strings: ["a", "b", ""])), validity: [true, true, false]))
        let customerIndex = try #require(stored.firstIndex { $0.name == "customer" })
        #expect(batch.nested[customerIndex]?.leaves.map(\.maxDefinitionLevel) == [0, 1, 2, 2])
    }

    @Test(arguments: [
        (#""line_no":3"#, #""line_no":"3""#, Rejection.Stage.schema, "'line_no' must be an integer"),
        (#""line_no":3"#, #""line_no":0"#, .schema, "'line_no' = 0.0 is outside [1.0, ∞)"),
        (#""promo":"P-7""#, #""promo":"Q-7""#, .schema, "'promo' must match the pattern ^P-[0-9]+$"),
        (#""ship_date":"2026-11-28""#, #""ship_date":"2026-02-30""#, .schema, "'ship_date' is not a date"),
        (#""gift":true"#, #""gift":"yes""#, .schema, "'gift' must be true or false"),
        (#""amount":"12.50""#, #""amount":"12.505""#, .schema, "more than 2 decimal places"),
        (#""amount":"12.50""#, #""amount":"12345678901.5""#, .schema, "more than 12 digits"),
        (#""amount":"12.50""#, #""amount":0"#, .quality, "'amount' = 0.0 is outside (0.0, 100000.0]"),
        (#""status":"paid""#, #""status":"lost""#, .schema, "'status' must be one of open, paid, shipped"),
        (#""gift":true"#, #""gift":true,"coupon":"X""#, .schema, "unknown field 'coupon'"),
        (#""updated_at":"2026-11-26T09:20:00.5Z""#, #""updated_at":"2026-11-27T09:20:00Z""#, .quality, "'updated_at' is more than 1 h in the future"),
        (#""customer":{"name":"Ada","#, #""customer":{"#, .schema, "required field 'customer.name' is missing"),
        (#""name":"Ada""#, #""name":"""#, .schema, "'customer.name' must be at least 1 characters"),
        (#""ada@example.com""#, #""ada-at-example""#, .schema, "'customer.email' must be an e-mail address"),
        (#""city":"Paris""#, #""city":7"#, .schema, "'customer.address.city' must be a string"),
        (#""customer":{"#, #""customer":["#, .parse, "invalid JSON"),
        (#"{"sku":"k2","qty":1}"#, #"{"sku":"k2","qty":"1"}"#, .schema, "'items[1].qty' must be an integer"),
        (#"{"sku":"k2","qty":1}"#, #"{"sku":"k2"}"#, .schema, "required field 'items[1].qty' is missing"),
        (#"{"sku":"k2","qty":1}"#, #"null"#, .schema, "'items[1]' must not be null"),
        (#"{"sku":"k2","qty":1}"#, #"{"sku":"k2","qty":500}"#, .quality, "'items[1].qty' = 500.0 is outside (-∞, 100.0]"),
        (#"{"sku":"k2","qty":1}]"#, #"{"sku":"k2","qty":1},{"sku":"k","qty":1},{"sku":"k","qty":1},{"sku":"k","qty":1},{"sku":"k","qty":1}]"#, .schema, "'items' must have 0–5 elements, got 6"),
        (#""tags":["a","b"]"#, #""tags":"a""#, .schema, "'tags' must be an array"),
        (#""tags":["a","b"]"#, #""tags":["a",2]"#, .schema, "'tags[1]' must be a string"),
        (#""attributes":{"x":[1]}"#, #""attributes":[1]"#, .schema, "'attributes' must be a JSON object"),
    ])
    func invalidAtEveryLevelIsRefusedWithStageAndPath(old: String, new: String, stage: Rejection.Stage, reason: String) throws {
        let message = Self.variant(old, new)
        #expect(message != Self.valid)
        let (batch, outcomes) = decode(try ordersStream(), [message])
        #expect(batch.count == 0)
        #expect(outcomes.first??.stage == stage, "\(String(describing: outcomes.first ?? nil))")
        #expect(outcomes.first??.reason.contains(reason) == true, "\(String(describing: outcomes.first ?? nil))")
    }

    @Test func deletesNeedTheKeyOrderingAndPartitionFieldsOnly() throws {
        let (batch, outcomes) = decode(try ordersStream(), [
            #"{"order_id":"A1","line_no":3,"created_at":"2026-11-26T09:15:00Z","updated_at":"2026-11-26T09:30:00Z","_op":"delete"}"#,
            #"{"order_id":"A1","line_no":3,"created_at":"2026-11-26T09:15:00Z","_op":"delete"}"#,
        ])
        #expect(outcomes[0] == nil)
        #expect(outcomes[1]?.reason.contains("required field 'updated_at' is missing") == true)
        #expect(batch.operations == [.delete])
        #expect(batch.recordKeys.strings == ["order_id:A1,line_no:3"])
    }

    @Test func patternsAndFormatsOfTheSubset() {
        let uuid = StringFormat.uuid, email = StringFormat.email
        func ok(_ f: StringFormat, _ s: String) -> Bool { Array(s.utf8).withUnsafeBytes { f.accepts($0) } }
        #expect(ok(uuid, "123e4567-e89b-12d3-a456-426614174000"))
        #expect(!ok(uuid, "123e4567e89b12d3a456426614174000"))
        #expect(!ok(uuid, "123e4567-e89b-12d3-a456-42661417400g"))
        #expect(ok(email, "a.b@example.org"))
        #expect(!ok(email, "a@b"))
        #expect(!ok(email, "a b@example.org"))
        #expect(!ok(email, "@example.org"))
        #expect(TextPattern("^[a-z]+-[0-9]+$")?.matches("ab-12") == true)
        #expect(TextPattern("[0-9]")?.matches("x1y") == true, "patterns are not anchored")
        #expect(TextPattern("^[a-z]+$")?.matches("ab1") == false)
        #expect(NumberRules.violation(.multipleOf(0.1), 0.3) == nil)
        #expect(NumberRules.violation(.multipleOf(5), 12) != nil)
    }
}

/// The generator makes records of any stream from its schema: the valid ones pass the
/// stream's own decoder, the invalid ones are refused at the stage they were made for.
@Suite struct SchemaDrivenGeneratorTests {
    @Test func generatedOrdersDecodeAsTheyWereMeant() throws {
        let orders = try ordersStream()
        var generator = RecordGenerator(schema: orders, mix: .init(updateRatio: 0.2, deleteRatio: 0.1, lateRatio: 0.1, invalidRatio: 0.2), seed: 7)
        var decoder = RecordDecoder(schema: orders, nowMicros: now)
        var kinds: [String: Int] = [:]
        for i in 0..<400 {
            let record = generator.next(nowMicros: now - 600_000_000 + Int64(i) * 1000)
            let outcome = record.value.withUnsafeBytes { decoder.append($0, partition: 0, offset: Int64(i)) }
            switch record.kind {
            case .invalid(let stage):
                #expect(outcome?.stage == stage, "\(String(decoding: record.value, as: UTF8.self)) → \(String(describing: outcome))")
                kinds["invalid", default: 0] += 1
            default:
                #expect(outcome == nil, "\(String(decoding: record.value, as: UTF8.self)) → \(String(describing: outcome))")
                kinds["\(record.kind)", default: 0] += 1
            }
        }
        #expect(kinds.count == 5, "\(kinds)")
        let batch = decoder.finish(batchID: "1", ingestedAtMicros: now)
        #expect(batch.recordKeys.strings.allSatisfy { $0.hasPrefix("order_id:or-") && $0.contains(",line_no:") })
    }
}
