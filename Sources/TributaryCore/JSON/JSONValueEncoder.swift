/// `Encodable` values as `JSONValue`s, so API answers made of Codable structs are written by
/// the one JSON writer (`JSONValue.json`) instead of Foundation's encoder. Object keys keep
/// the order they were encoded in (`sortingKeys()` sorts them); a nil optional encoded with
/// `encodeIfPresent` (what synthesized conformances do) leaves its key out.
extension JSONValue {
    public init(encoding value: some Encodable) throws {
        let root = EncodingSlot()
        try root.store(value, codingPath: [])
        self = root.resolved
    }

    /// The same value with every object's keys in ascending order (stable, diffable output).
    public func sortingKeys() -> JSONValue {
        switch self {
        case .array(let a): return .array(a.map { $0.sortingKeys() })
        case .object(let o): return .object(o.sorted { $0.0 < $1.0 }.map { ($0.0, $0.1.sortingKeys()) })
        default: return self
        }
    }
}

/// One value under construction: containers hand out child slots and fill them later, so the
/// tree is built by reference and resolved into a `JSONValue` at the end.
private final class EncodingSlot {
    private enum Content {
        case empty
        case value(JSONValue)
        case object([(String, EncodingSlot)], index: [String: Int])
        case array([EncodingSlot])
    }

    private var content = Content.empty

    var resolved: JSONValue {
        switch content {
        case .empty: return .object([])
        case .value(let v): return v
        case .object(let members, _): return .object(members.map { ($0.0, $0.1.resolved) })
        case .array(let items): return .array(items.map(\.resolved))
        }
    }

    func set(_ value: JSONValue) { content = .value(value) }

    /// The child slot under `key` (replacing an earlier value of the key, as Foundation does).
    func member(_ key: String) -> EncodingSlot {
        var (members, index) = objectContent()
        let slot = EncodingSlot()
        if let at = index[key] { members[at].1 = slot } else {
            index[key] = members.count
            members.append((key, slot))
        }
        content = .object(members, index: index)
        return slot
    }

    func appended() -> EncodingSlot {
        var items: [EncodingSlot] = []
        if case .array(let existing) = content { items = existing }
        let slot = EncodingSlot()
        items.append(slot)
        content = .array(items)
        return slot
    }

    var count: Int {
        switch content {
        case .array(let items): return items.count
        case .object(let members, _): return members.count
        default: return 0
        }
    }

    func makeObject() { if case .object = content {} else { content = .object([], index: [:]) } }
    func makeArray() { if case .array = content {} else { content = .array([]) } }

    private func objectContent() -> ([(String, EncodingSlot)], [String: Int]) {
        if case .object(let members, let index) = content { return (members, index) }
        return ([], [:])
    }

    /// Stores a value: scalars directly, anything else through its `encode(to:)`.
    func store<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws {
        if let scalar = Self.scalar(value) { return set(scalar) }
        try value.encode(to: SlotEncoder(slot: self, codingPath: codingPath))
    }

    static func scalar(_ value: Any) -> JSONValue? {
        switch value {
        case let v as String: return .string(v)
        case let v as Bool: return .bool(v)
        case let v as Double: return .double(v)
        case let v as Float: return .double(Double("\(v)") ?? Double(v))
        case let v as Int: return .int(Int64(v))
        case let v as Int64: return .int(v)
        case let v as Int32: return .int(Int64(v))
        case let v as Int16: return .int(Int64(v))
        case let v as Int8: return .int(Int64(v))
        case let v as UInt8: return .int(Int64(v))
        case let v as UInt16: return .int(Int64(v))
        case let v as UInt32: return .int(Int64(v))
        case let v as UInt: return Int64(exactly: v).map(JSONValue.int) ?? .double(Double(v))
        case let v as UInt64: return Int64(exactly: v).map(JSONValue.int) ?? .double(Double(v))
        default: return nil
        }
    }
}

private struct SlotEncoder: Encoder {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        slot.makeObject()
        return KeyedEncodingContainer(KeyedSlotContainer<Key>(slot: slot, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        slot.makeArray()
        return UnkeyedSlotContainer(slot: slot, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleSlotContainer(slot: slot, codingPath: codingPath) }
}

private struct IndexKey: CodingKey {
    var stringValue: String { "Index \(intValue ?? 0)" }
    var intValue: Int?
    init(_ index: Int) { intValue = index }
    init?(stringValue: String) { nil }
    init?(intValue: Int) { self.intValue = intValue }
}

private struct KeyedSlotContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { slot.member(key.stringValue).set(.null) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try slot.member(key.stringValue).store(value, codingPath: codingPath + [key])
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        SlotEncoder(slot: slot.member(key.stringValue), codingPath: codingPath + [key]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        SlotEncoder(slot: slot.member(key.stringValue), codingPath: codingPath + [key]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { SlotEncoder(slot: slot.member("super"), codingPath: codingPath) }
    mutating func superEncoder(forKey key: Key) -> any Encoder {
        SlotEncoder(slot: slot.member(key.stringValue), codingPath: codingPath + [key])
    }
}

private struct UnkeyedSlotContainer: UnkeyedEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]
    var count: Int { slot.count }

    mutating func encodeNil() throws { slot.appended().set(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        let path = codingPath + [IndexKey(count)]
        try slot.appended().store(value, codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        SlotEncoder(slot: slot.appended(), codingPath: codingPath + [IndexKey(count)]).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        SlotEncoder(slot: slot.appended(), codingPath: codingPath + [IndexKey(count)]).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder { SlotEncoder(slot: slot.appended(), codingPath: codingPath) }
}

private struct SingleSlotContainer: SingleValueEncodingContainer {
    let slot: EncodingSlot
    let codingPath: [any CodingKey]

    mutating func encodeNil() throws { slot.set(.null) }
    mutating func encode<T: Encodable>(_ value: T) throws { try slot.store(value, codingPath: codingPath) }
}
