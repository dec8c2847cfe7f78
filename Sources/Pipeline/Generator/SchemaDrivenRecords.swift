import TributaryCore

/// Records of any stream, from its compiled schema: every required field and most optional
/// ones, with values that satisfy the schema and quality rules (enums, lengths, ranges,
/// multiples, formats, item counts; nested objects and arrays). Patterns other than
/// `^[A-Z]{n}$` cannot be generated: such optional fields are left out.
struct SchemaDrivenRecords {
    let schema: TopicSchema

    /// The members of a record (name, JSON text), in schema order. Key fields come from `key`,
    /// the ordering field is `micros`, the partition field `partitionMicros` (a key keeps its
    /// partition across updates).
    func members(key: String, micros: Int64, partitionMicros: Int64, random: inout SeededRandom) -> [(String, String)] {
        var out: [(String, String)] = []
        for field in schema.fields {
            if let k = schema.recordKeyFields.firstIndex(of: field.name) {
                out.append((field.name, keyValue(field, key: key, index: k)))
            } else if field.name == schema.precombineField || (field.name == schema.partition.field && schema.partition.isDerived) {
                let t = field.name == schema.precombineField ? micros : partitionMicros
                out.append((field.name, field.type == .date ? quote(dateText(t)) : field.type == .integer ? String(t / 1000) : quote(RecordGenerator.rfc3339(t))))
            } else if field.name == schema.partition.field {
                // A value partition: drawn from the key, so updates keep the row's partition.
                var keyed = SeededRandom(seed: FNV1a.hash(key))
                if let v = value(field, micros: partitionMicros, random: &keyed) { out.append((field.name, v)) }
            } else if field.required || Double.random(in: 0..<1, using: &random) < 0.8, let v = value(field, micros: micros, random: &random) {
                out.append((field.name, v))
            }
        }
        return out
    }

    /// Only what a delete needs: the key, ordering and partition fields (a change event's
    /// `before`: the key and ordering fields).
    func deleteMembers(key: String, micros: Int64, partitionMicros: Int64, random: inout SeededRandom) -> [(String, String)] {
        let partition = schema.format == .debezium ? nil : schema.partition.field
        let needed = Set(schema.recordKeyFields + [schema.precombineField, partition].compactMap { $0 })
        return members(key: key, micros: micros, partitionMicros: partitionMicros, random: &random).filter { needed.contains($0.0) }
    }

    static func json(_ members: [(String, String)]) -> String {
        "{" + members.map { "\(jsonQuoted($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    private func keyValue(_ field: TopicField, key: String, index: Int) -> String {
        // The generator's key names the record; further key fields get a number from it.
        let n = Int64(key.split(separator: "-").last.flatMap { Int64($0) } ?? 1)
        switch field.type {
        case .integer: return String(index == 0 ? n : Int64(index))
        case .date: return quote(dateText(n * 86_400_000_000))
        default: return quote(index == 0 ? key : "\(key)-\(index)")
        }
    }

    private func quote(_ s: String) -> String { jsonQuoted(s) }

    private func dateText(_ micros: Int64) -> String {
        var bytes: [UInt8] = []
        ScalarParsing.appendDate(ofMicros: micros, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func value(_ field: TopicField, micros: Int64, random: inout SeededRandom) -> String? {
        let rules = field.rules + field.quality
        switch field.type {
        case .string:
            for rule in rules {
                switch rule {
                case .oneOf(let values, _): return quote(values[Int.random(in: 0..<values.count, using: &random)])
                case .upperCaseLetters(let n): return quote(String((0..<n).map { _ in Character(Unicode.Scalar(UInt8.random(in: 65...90, using: &random))) }))
                case .format(.uuid):
                    let hex = (0..<32).map { _ in String(Int.random(in: 0..<16, using: &random), radix: 16) }.joined()
                    let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
                    return quote(parts.joined(separator: "-"))
                case .format(.email): return quote("user\(Int.random(in: 1...9999, using: &random))@example.com")
                case .pattern: return nil
                default: continue
                }
            }
            var length = 1...12
            for case .length(let allowed) in rules { length = max(allowed.lowerBound, 1)...max(min(allowed.upperBound, 12), allowed.lowerBound) }
            let n = Int.random(in: length, using: &random)
            return quote(String((0..<n).map { _ in Character(Unicode.Scalar(UInt8.random(in: 97...122, using: &random))) }))
        case .integer, .double, .decimal:
            // The intersection of every range (schema and quality); 1000 wide where open.
            var lower: Double?, upper: Double?, step: Double?
            for rule in rules {
                if case .range(let a, let b, let aOpen, let bOpen) = rule {
                    if a.isFinite { lower = max(lower ?? -.infinity, a + (aOpen ? 1 : 0)) }
                    if b.isFinite { upper = min(upper ?? .infinity, b - (bOpen ? 1 : 0)) }
                }
                if case .multipleOf(let m) = rule { step = m }
            }
            let low = lower ?? min(0, (upper ?? 1000) - 1000)
            let high = max(low, upper ?? low + 1000)
            var v = Double.random(in: low...high, using: &random)
            if let step { v = (v / step).rounded(.up) * step; if v > high { v -= step } }
            switch field.type {
            case .integer: return String(Int64(v.rounded(.down) < low ? v.rounded(.up) : v.rounded(.down)))
            case .decimal(_, let scale):
                let unit = RecordDecoder.power10(scale)
                let unscaled = Int64((v * Double(unit)).rounded(.down))
                var fraction = String(abs(unscaled % unit))
                while fraction.count < scale { fraction = "0" + fraction }
                let sign = unscaled < 0 && unscaled / unit == 0 ? "-" : ""
                return sign + String(unscaled / unit) + (scale > 0 ? "." + fraction : "")
            default: return String((v * 100).rounded() / 100)
            }
        case .boolean: return Bool.random(using: &random) ? "true" : "false"
        case .timestamp: return quote(RecordGenerator.rfc3339(micros - Int64.random(in: 0...3_600_000_000, using: &random)))
        case .date: return quote(dateText(micros))
        case .object: return #"{"n":\#(Int.random(in: 1...100, using: &random))}"#
        case .group(let children, _):
            var members: [(String, String)] = []
            for child in children where child.required || Bool.random(using: &random) {
                if let v = value(child, micros: micros, random: &random) { members.append((child.name, v)) } else if child.required { return nil }
            }
            return Self.json(members)
        case .list(let element):
            var count = 0...3
            for case .itemCount(let allowed) in rules { count = allowed.lowerBound...max(allowed.lowerBound, min(allowed.upperBound, 3)) }
            let items = (0..<Int.random(in: count, using: &random)).compactMap { _ in value(element, micros: micros, random: &random) }
            return "[" + items.joined(separator: ",") + "]"
        }
    }
}
