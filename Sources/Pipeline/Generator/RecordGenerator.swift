import TributaryCore

/// What a generated message is meant to be, so tests can check how it was treated.
public enum GeneratedKind: Sendable, Equatable {
    case insert
    case update
    /// An update whose timestamp is older than the key's latest: it must lose.
    case lateUpdate
    case delete
    /// A null value after a debezium delete (for log compaction): skipped, no row.
    case tombstone
    /// Deliberately invalid, with the stage it should be rejected at.
    case invalid(Rejection.Stage)
}

public struct GeneratedRecord: Sendable {
    public var topic: String
    public var key: String
    public var value: [UInt8]
    public var kind: GeneratedKind
}

/// Records for any stream: realistic ones for the five seed streams (the seed's generator
/// scripts), schema-driven ones (`SchemaDrivenRecords`) for the others; new keys, updates of
/// earlier keys, deletes, late (older) updates and invalid records, in configurable proportions.
public struct RecordGenerator: Sendable {
    public struct Mix: Sendable {
        public var updateRatio = 0.0
        public var deleteRatio = 0.0
        public var lateRatio = 0.0
        public var invalidRatio = 0.0
        public init(updateRatio: Double = 0, deleteRatio: Double = 0, lateRatio: Double = 0, invalidRatio: Double = 0) {
            self.updateRatio = updateRatio
            self.deleteRatio = deleteRatio
            self.lateRatio = lateRatio
            self.invalidRatio = invalidRatio
        }
    }

    public let schema: TopicSchema
    public var mix: Mix
    var random: SeededRandom
    private var keys: [String] = []
    private var latestMicros: [String: Int64] = [:]
    /// A key's first event time: its partition (when that is not the ordering field).
    private var firstMicros: [String: Int64] = [:]
    private var sequence = 0
    private let runID: String
    /// The first time of the key deleted last (its partition, for the delete's members).
    private var deletedFirstMicros: Int64?
    /// The tombstone that follows a debezium delete.
    var pendingTombstone: GeneratedRecord?
    /// Debezium streams: the change events' last position (`source.lsn`) and each live
    /// key's latest one (a late event re-delivers an older position).
    var changePositions = ChangePositions()
    var positions: [String: Int64] = [:]
    var snapshotReadsLeft = RecordGenerator.snapshotRows
    let changeEvents: ChangeEventWriter

    /// - Parameter schemaEnvelope: debezium streams: events with the Connect `schema` beside
    ///   the `payload` (the JSON converter's `schemas.enable=true`).
    public init(schema: TopicSchema, mix: Mix = Mix(), seed: UInt64 = 42, schemaEnvelope: Bool = false) {
        self.schema = schema
        self.mix = mix
        changeEvents = ChangeEventWriter(schema: schema, withSchema: schemaEnvelope)
        // Each topic gets its own stream from the same seed (FNV-1a of the name).
        random = SeededRandom(seed: seed ^ FNV1a.hash(schema.name))
        runID = String(seed, radix: 36)
    }

    /// The next record, with `nowMicros` as the event time of new records. Debezium streams
    /// get change events (`nextChange`), each delete followed by its tombstone.
    public mutating func next(nowMicros: Int64) -> GeneratedRecord {
        if let tombstone = pendingTombstone {
            pendingTombstone = nil
            return tombstone
        }
        let (kind, key, micros) = nextEvent(nowMicros: nowMicros)
        if schema.format == .debezium { return nextChange(kind, key: key, micros: micros) }
        switch kind {
        case .invalid: return invalid(key: key, nowMicros: nowMicros)
        case .delete:
            let json: String
            if Self.seedNames.contains(schema.name) {
                json = #"{"\#(schema.recordKey)":"\#(key)","timestamp":"\#(Self.rfc3339(micros))","_op":"delete"}"#
            } else {
                json = SchemaDrivenRecords.json(deleteMembers(key: key, micros: micros) + [("_op", "\"delete\"")])
            }
            return GeneratedRecord(topic: schema.topic, key: key, value: Array(json.utf8), kind: .delete)
        default:
            return GeneratedRecord(topic: schema.topic, key: key, value: body(key: key, micros: micros), kind: kind)
        }
    }

    /// What comes next (a new key, an update, late update or delete of an earlier key, or an
    /// invalid record), its key and event time; keeps the live keys' times.
    private mutating func nextEvent(nowMicros: Int64) -> (GeneratedKind, String, Int64) {
        // A debezium stream starts with its snapshot: new rows only.
        let roll = schema.format == .debezium && snapshotReadsLeft > 0 ? 1 : Double.random(in: 0..<1, using: &random)
        var threshold = mix.invalidRatio
        if roll < threshold {
            sequence += 1
            return (.invalid(.parse), "\(schema.name.prefix(2))-\(runID)-bad-\(sequence)", nowMicros)
        }
        if !keys.isEmpty {
            threshold += mix.deleteRatio
            if roll < threshold {
                let index = Int.random(in: 0..<keys.count, using: &random)
                let key = keys.swapRemoveAt(index)
                let t = max(nowMicros, (latestMicros[key] ?? nowMicros) + 1)
                latestMicros[key] = nil
                deletedFirstMicros = firstMicros.removeValue(forKey: key)
                return (.delete, key, t)
            }
            threshold += mix.lateRatio
            if roll < threshold {
                let key = keys[Int.random(in: 0..<keys.count, using: &random)]
                return (.lateUpdate, key, (latestMicros[key] ?? nowMicros) - Int64.random(in: 1_000_000...3_600_000_000, using: &random))
            }
            threshold += mix.updateRatio
            if roll < threshold {
                let key = keys[Int.random(in: 0..<keys.count, using: &random)]
                let t = max(nowMicros, (latestMicros[key] ?? nowMicros) + 1)
                latestMicros[key] = t
                return (.update, key, t)
            }
        }
        sequence += 1
        let key = "\(schema.name.prefix(2))-\(runID)-\(sequence)"
        keys.append(key)
        latestMicros[key] = nowMicros
        firstMicros[key] = nowMicros
        return (.insert, key, nowMicros)
    }

    /// The members of a delete of `key` (just deleted: its first time is kept aside).
    mutating func deleteMembers(key: String, micros: Int64) -> [(String, String)] {
        SchemaDrivenRecords(schema: schema).deleteMembers(key: key, micros: micros, partitionMicros: deletedFirstMicros ?? micros, random: &random)
    }

    /// The streams with hand-written realistic data.
    static let seedNames: Set<String> = ["user_events", "transactions", "sensor_data", "log_events", "bulk_upload"]

    private mutating func pick(_ values: [String]) -> String { values[Int.random(in: 0..<values.count, using: &random)] }

    mutating func body(key: String, micros: Int64) -> [UInt8] {
        let ts = Self.rfc3339(micros)
        let json: String
        guard Self.seedNames.contains(schema.name) else {
            let records = SchemaDrivenRecords(schema: schema)
            return Array(SchemaDrivenRecords.json(records.members(key: key, micros: micros, partitionMicros: firstMicros[key] ?? micros, random: &random)).utf8)
        }
        switch schema.name {
        case "user_events":
            let type = pick(["page_view", "click", "signup", "login", "logout", "purchase", "add_to_cart", "search"])
            let page = pick(["/", "/products", "/cart", "/checkout", "/search?q=shoes", "/account"])
            json = #"{"event_id":"\#(key)","user_id":"user-\#(Int.random(in: 1...5000, using: &random))","event_type":"\#(type)","page":"\#(page)","session_id":"s-\#(Int.random(in: 1...100_000, using: &random))","device":"\#(pick(["desktop", "mobile", "tablet"]))","country":"\#(pick(["US", "DE", "FR", "GB", "JP", "BR", "IN"]))","properties":{"referrer":"\#(pick(["google", "direct", "email"]))","ab":\#(Int.random(in: 0...1, using: &random))},"timestamp":"\#(ts)"}"#
        case "transactions":
            let cents = Int.random(in: 100...500_000, using: &random)
            json = #"{"transaction_id":"\#(key)","user_id":"user-\#(Int.random(in: 1...5000, using: &random))","amount":\#(cents / 100).\#(String(format2: cents % 100)),"currency":"\#(pick(["USD", "EUR", "GBP", "JPY"]))","status":"\#(pick(["pending", "completed", "completed", "failed", "refunded"]))","payment_method":"\#(pick(["card", "paypal", "bank_transfer", "crypto"]))","merchant":"\#(pick(["acme", "globex", "initech", "umbrella"]))","timestamp":"\#(ts)"}"#
        case "sensor_data":
            let type = pick(["temperature", "humidity", "pressure", "co2"])
            let (low, high, unit): (Double, Double, String) = switch type {
            case "temperature": (-20, 40, "C")
            case "humidity": (10, 90, "%")
            case "pressure": (950, 1050, "hPa")
            default: (350, 2000, "ppm")
            }
            let value = (Double.random(in: low...high, using: &random) * 100).rounded() / 100
            json = #"{"reading_id":"\#(key)","sensor_id":"sensor-\#(Int.random(in: 1...200, using: &random))","sensor_type":"\#(type)","value":\#(value),"unit":"\#(unit)","location":"\#(pick(["plant-a", "plant-b", "office"]))","battery_level":\#(Int.random(in: 5...100, using: &random)),"timestamp":"\#(ts)"}"#
        case "log_events":
            let level = pick(["DEBUG", "INFO", "INFO", "INFO", "WARN", "ERROR"])
            json = #"{"log_id":"\#(key)","service":"\#(pick(["api", "auth", "billing", "search"]))","level":"\#(level)","message":"request \#(Int.random(in: 1...1_000_000, using: &random)) took \#(Int.random(in: 1...900, using: &random)) ms","host":"host-\#(Int.random(in: 1...20, using: &random))","trace_id":"t-\#(Int.random(in: 1...1_000_000, using: &random))","timestamp":"\#(ts)"}"#
        default:
            json = #"{"record_id":"\#(key)","source":"generator","data":{"n":\#(Int.random(in: 1...1000, using: &random)),"tag":"\#(pick(["a", "b", "c"]))"},"timestamp":"\#(ts)"}"#
        }
        return Array(json.utf8)
    }

    private mutating func invalid(key: String, nowMicros: Int64) -> GeneratedRecord {
        let valid = String(decoding: body(key: key, micros: nowMicros), as: UTF8.self)
        let kind = Int.random(in: 0..<4, using: &random)
        let text: String
        let stage: Rejection.Stage
        switch kind {
        case _ where !Self.seedNames.contains(schema.name) && kind > 0:
            let broken = genericInvalid(valid, quality: kind == 3)
            text = broken.text
            stage = broken.stage
        case 0:
            text = String(valid.dropLast(2))  // truncated JSON
            stage = .parse
        case 1:
            text = valid.replacingFirst(#""\#(schema.recordKey)":"\#(key)""#, with: #""\#(schema.recordKey)":12345"#)
            stage = .schema
        case 2:
            text = valid.replacingFirst(#""timestamp":""#, with: #""timestamp":"not-a-time","was":""#)
            stage = .schema
        default:
            // A value out of its range: a data-quality rejection.
            switch schema.name {
            case "transactions": text = valid.replacingFirst(#""amount":"#, with: #""amount":-"#); stage = .quality
            case "sensor_data": text = valid.replacingFirst(#""battery_level":"#, with: #""battery_level":1000"#); stage = .quality
            case "user_events":
                text = valid.replacingFirst(#""timestamp":"\#(Self.rfc3339(nowMicros))""#, with: #""timestamp":"\#(Self.rfc3339(nowMicros + 7_200_000_000))""#)
                stage = .quality
            default: text = "{}"; stage = .schema
            }
        }
        return GeneratedRecord(topic: schema.topic, key: key, value: Array(text.utf8), kind: .invalid(stage))
    }

    /// A schema-driven record made invalid: a required field of the wrong type (stage
    /// schema), or a number beyond its quality range (stage quality) when there is one.
    func genericInvalid(_ valid: String, quality: Bool) -> (text: String, stage: Rejection.Stage) {
        guard var object = try? JSONValue.parse(valid), case .object(var members) = object else { return ("{", .parse) }
        if quality, let (i, bound) = members.indices.lazy.compactMap({ i -> (Int, Double)? in
            guard let field = schema.field(members[i].0) else { return nil }
            for case .range(_, let high, _, _) in field.quality where high.isFinite { return (i, high) }
            return nil
        }).first {
            let beyond = bound + abs(bound) + 1
            members[i].1 = schema.field(members[i].0)?.type == .integer ? .int(Int64(beyond)) : .double(beyond)
            object = .object(members)
            return (object.json, .quality)
        }
        guard let i = members.firstIndex(where: { schema.field($0.0)?.required == true }) else { return ("[]", .parse) }
        members[i].1 = members[i].1.string == nil ? .string("not-\(members[i].0)") : .array([])
        object = .object(members)
        return (object.json, .schema)
    }

    /// `2026-11-26T10:15:30.123456Z`.
    public static func rfc3339(_ micros: Int64) -> String {
        var date: [UInt8] = []
        ScalarParsing.appendDate(ofMicros: micros, to: &date)
        let dayMicros = ((micros % 86_400_000_000) + 86_400_000_000) % 86_400_000_000
        let seconds = Int(dayMicros / 1_000_000)
        let fraction = Int(dayMicros % 1_000_000)
        func pad(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return String(decoding: date, as: UTF8.self) + "T\(pad(seconds / 3600, 2)):\(pad(seconds / 60 % 60, 2)):\(pad(seconds % 60, 2)).\(pad(fraction, 6))Z"
    }
}

extension String {
    init(format2 v: Int) { self = v < 10 ? "0\(v)" : String(v) }

    func replacingFirst(_ target: String, with replacement: String) -> String {
        guard let range = range(of: target) else { return self }
        return replacingCharacters(in: range, with: replacement)
    }
}

extension Array {
    mutating func swapRemoveAt(_ index: Int) -> Element {
        swapAt(index, count - 1)
        return removeLast()
    }
}
