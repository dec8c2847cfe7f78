#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TributaryCore

/// Finds byte strings (record keys, partition values) by their bytes, without making a
/// `String` of any: an open-addressing hash table of row numbers into a ``ByteArrays``.
/// Keys compare byte for byte, as Hudi compares its (Java string) keys — not by Unicode
/// canonical equivalence, as Swift strings would.
struct ByteKeyIndex: Sendable {
    /// Row number + 1 per slot; 0 is empty.
    private var slots: [Int32]
    private let mask: Int

    /// An empty index for up to `capacity` keys (kept at most half full).
    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        var h = Hasher()
        h.combine(bytes: UnsafeRawBufferPointer(key))
        return h.finalize()
    }

    static func equal(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        guard a.count > 0, let x = a.baseAddress, let y = b.baseAddress else { return true }
        return memcmp(x, y, a.count) == 0
    }

    /// The slot holding `key` (with its row) or the empty slot where it goes (row nil).
    /// `values` are the keys the index's rows point into.
    func slot(of key: UnsafeBufferPointer<UInt8>, in values: ByteArrays.Values) -> (slot: Int, row: Int?) {
        var slot = Self.hash(key) & mask
        while true {
            let held = Int(slots[slot])
            if held == 0 { return (slot, nil) }
            if Self.equal(values[held - 1], key) { return (slot, held - 1) }
            slot = (slot + 1) & mask
        }
    }

    /// Points `slot` (from ``slot(of:in:)``) at `row`.
    mutating func set(_ slot: Int, row: Int) {
        slots[slot] = Int32(truncatingIfNeeded: row + 1)
    }

    /// The row holding `key`, if any.
    func row(of key: UnsafeBufferPointer<UInt8>, in values: ByteArrays.Values) -> Int? {
        slot(of: key, in: values).row
    }
}

/// The record keys of one base file in row order, with each record's ordering value,
/// found by their bytes: what the BLOOM index checks candidate keys against (cached per
/// file), and where in the file a key's record is, so the file-group writer replaces and
/// deletes records by row.
struct FileKeys: Sendable {
    let keys: ByteArrays
    let orderings: [Int64]
    private let index: ByteKeyIndex
    /// Later rows of keys stored more than once, by the key's first row (a table written
    /// without a global index may repeat a key in one file; never one of ours).
    let repeats: [Int: [Int]]

    /// `orderings`: one per key (nil: none stored, every record lowest).
    init(keys: ByteArrays, orderings: [Int64]?) {
        self.keys = keys
        self.orderings = orderings ?? [Int64](repeating: Int64.min, count: keys.count)
        var index = ByteKeyIndex(capacity: keys.count)
        var repeats: [Int: [Int]] = [:]
        keys.withValues { values in
            for r in 0..<values.count {
                let (slot, first) = index.slot(of: values[r], in: values)
                if let first { repeats[first, default: []].append(r) } else { index.set(slot, row: r) }
            }
        }
        self.index = index
        self.repeats = repeats
    }

    var count: Int { keys.count }

    /// The first row holding `key` and the key's stored ordering value (of its last
    /// occurrence, as a map filled in row order would hold).
    func find(_ key: UnsafeBufferPointer<UInt8>, in values: ByteArrays.Values) -> (row: Int, ordering: Int64)? {
        guard let row = index.row(of: key, in: values) else { return nil }
        return (row, orderings[repeats[row]?.last ?? row])
    }
}
