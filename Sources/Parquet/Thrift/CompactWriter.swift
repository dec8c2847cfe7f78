import TributaryCore
/// Encodes the Thrift compact protocol. Callers emit fields in increasing id order.
struct CompactWriter {
    var bytes: [UInt8] = []
    private var lastField: [Int16] = [0]

    init() { bytes.reserveCapacity(256) }

    mutating func varint(_ value: UInt64) { Varint.append(value, to: &bytes) }

    mutating func zigzag(_ v: Int64) { varint(Varint.zigzag(v)) }

    mutating func fieldHeader(_ id: Int16, _ type: CompactType) {
        let last = lastField[lastField.count - 1]
        let delta = id - last
        if delta > 0 && delta <= 15 {
            bytes.append(UInt8(delta) << 4 | type.rawValue)
        } else {
            bytes.append(type.rawValue)
            zigzag(Int64(id))
        }
        lastField[lastField.count - 1] = id
    }

    mutating func i32(_ id: Int16, _ v: Int32) { fieldHeader(id, .i32); zigzag(Int64(v)) }
    mutating func i64(_ id: Int16, _ v: Int64) { fieldHeader(id, .i64); zigzag(v) }
    mutating func i16(_ id: Int16, _ v: Int16) { fieldHeader(id, .i16); zigzag(Int64(v)) }
    mutating func byteField(_ id: Int16, _ v: Int8) { fieldHeader(id, .byte); bytes.append(UInt8(bitPattern: v)) }
    mutating func bool(_ id: Int16, _ v: Bool) { fieldHeader(id, v ? .boolTrue : .boolFalse) }
    mutating func binary(_ id: Int16, _ v: [UInt8]) { fieldHeader(id, .binary); rawBinary(v) }
    mutating func string(_ id: Int16, _ v: String) { binary(id, Array(v.utf8)) }

    mutating func rawBinary(_ v: [UInt8]) { varint(UInt64(v.count)); bytes.append(contentsOf: v) }

    mutating func listHeader(_ type: CompactType, _ count: Int) {
        if count < 15 {
            bytes.append(UInt8(count) << 4 | type.rawValue)
        } else {
            bytes.append(0xF0 | type.rawValue)
            varint(UInt64(count))
        }
    }

    mutating func listField(_ id: Int16, _ type: CompactType, _ count: Int) {
        fieldHeader(id, .list)
        listHeader(type, count)
    }

    /// Begins a nested struct value (as a field when `id` is given, or as a list element).
    mutating func beginStruct(_ id: Int16? = nil) {
        if let id { fieldHeader(id, .structure) }
        lastField.append(0)
    }

    mutating func endStruct() {
        bytes.append(0)
        lastField.removeLast()
    }

    /// Writes an empty struct field (used by union members such as `STRING`).
    mutating func emptyStruct(_ id: Int16) { beginStruct(id); endStruct() }
}
