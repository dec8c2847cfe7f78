import Foundation
import ObjectStore
import Parquet
import TributaryCore

/// Where an existing record lives, and its stored ordering value.
struct RecordLocation: Sendable {
    var slice: FileSlice
    var ordering: Int64
}

/// Hudi's BLOOM index, global: key ranges and bloom filters from base file footers
/// (cached) narrow each key to candidate files, then the candidates' record keys are
/// checked exactly (also cached, with each record's ordering value).
struct BloomIndex {
    let store: any ObjectStore
    let cache: FooterCache
    let precombineField: String?

    struct Stats: Sendable {
        var filesChecked = 0
        var candidateFiles = 0
        var footersLoaded = 0
        var keyFilesLoaded = 0
    }

    /// Locations of those `keys` that exist in `slices`.
    func lookup(keys: [String], slices: [FileSlice]) async throws -> (found: [String: RecordLocation], stats: Stats) {
        var stats = Stats()
        guard !keys.isEmpty, !slices.isEmpty else { return ([:], stats) }
        // Footers: load the missing ones concurrently.
        let missing = slices.filter { cache.footer($0.path) == nil }
        stats.footersLoaded = missing.count
        try await forEachConcurrently(missing, limit: 8) { slice in
            let reader = try await FooterReading.footer(store: store, key: slice.path, size: slice.size)
            cache.setFooter(slice.path, try FooterReading.decode(reader))
        }
        // Keys in UTF-8 byte order, for key-range pruning by binary search.
        // Keys packed in one buffer (no array per key), sorted by index.
        let packed = ByteArrays(strings: keys)
        let order = packed.withValues { values in keys.indices.sorted { values.precedes($0, $1) } }
        let sorted = order.map { keys[$0] }
        var sortedUTF8 = ByteArrays()
        sortedUTF8.reserve(values: keys.count, bytes: packed.data.count)
        for i in order { sortedUTF8.append(packed, at: i) }
        // Bit positions per filter shape, flat: key i's are [i*nbHash, (i+1)*nbHash).
        var hashesByShape: [Int64: [Int32]] = [:]
        var candidates: [(FileSlice, [Int])] = []
        for slice in slices {
            guard let footer = cache.footer(slice.path) else { continue }
            stats.filesChecked += 1
            var lo = 0, hi = sorted.count
            if let minKey = footer.minKey { lo = keyBound(sortedUTF8, Array(minKey.utf8), pastEqual: false) }
            if let maxKey = footer.maxKey { hi = keyBound(sortedUTF8, Array(maxKey.utf8), pastEqual: true) }
            // (Random keys such as UUIDs span every file's range: then nothing is pruned.)
            guard lo < hi else { continue }
            var hits: [Int] = []
            if let bloom = footer.bloom {
                let shape = Int64(bloom.vectorSize) << 16 | Int64(bloom.nbHash)
                if hashesByShape[shape] == nil {
                    var flat: [Int32] = []
                    flat.reserveCapacity(sortedUTF8.count * Int(bloom.nbHash))
                    sortedUTF8.withValues { values in
                        for k in 0..<values.count { bloom.appendPositions(utf8: values[k], to: &flat) }
                    }
                    hashesByShape[shape] = flat
                }
                let n = Int(bloom.nbHash)
                hashesByShape[shape]?.withUnsafeBufferPointer { flat in
                    for i in lo..<hi where bloom.mightContain(positions: UnsafeBufferPointer(rebasing: flat[(i * n)..<((i + 1) * n)])) {
                        hits.append(i)
                    }
                }
            } else {
                hits = Array(lo..<hi)
            }
            if !hits.isEmpty { candidates.append((slice, hits)) }
        }
        stats.candidateFiles = candidates.count
        let needKeys = candidates.map(\.0).filter { cache.keyMap($0.path) == nil }
        stats.keyFilesLoaded = needKeys.count
        try await forEachConcurrently(needKeys, limit: 4) { slice in
            // Only the footer and the key (and ordering) column chunks are fetched.
            let reader = try await FooterReading.columns(["_hoodie_record_key"] + [precombineField].compactMap { $0 },
                                                         store: store, key: slice.path, size: slice.size)
            cache.setKeyMap(slice.path, try Self.keyMap(reader, precombineField: precombineField))
        }
        var found: [String: RecordLocation] = [:]
        for (slice, hits) in candidates {
            guard let map = cache.keyMap(slice.path) else { continue }
            for i in hits {
                let key = sorted[i]
                guard let ordering = map[key] else { continue }
                // Should a key sit in two groups (a table written without a global index),
                // the newest slice is the live one.
                if let other = found[key], other.slice.instant > slice.instant { continue }
                found[key] = RecordLocation(slice: slice, ordering: ordering)
            }
        }
        return (found, stats)
    }

    /// Record key → ordering value of a base file.
    static func keyMap(_ reader: ParquetFileReader, precombineField: String?) throws -> [String: Int64] {
        var names = ["_hoodie_record_key"]
        let hasOrdering = precombineField.map { p in reader.schema.fields.contains { $0.name == p } } ?? false
        if hasOrdering, let p = precombineField { names.append(p) }
        let cols = try reader.readColumns(names)
        guard let keyCol = cols["_hoodie_record_key"], case .byteArray(let keys) = keyCol.values else {
            throw HudiError.unsupported("base file without _hoodie_record_key (table written without meta fields)")
        }
        let ordering = hasOrdering ? precombineField.flatMap { cols[$0] }.map(orderingValues) : nil
        var map = [String: Int64](minimumCapacity: keys.count)
        for i in 0..<keys.count { map[keys.string(at: i)] = ordering?[i] ?? Int64.min }
        return map
    }

    /// A column's values as ordering values (nulls lowest).
    static func orderingValues(_ c: Column) -> [Int64] {
        var out: [Int64]
        switch c.values {
        case .int64(let v): out = v
        case .int32(let v): out = v.map(Int64.init)
        case .double(let v): out = v.map { Int64(exactly: $0.rounded(.down)) ?? ($0 < 0 ? Int64.min : Int64.max) }
        case .float(let v): out = v.map { Int64(exactly: Double($0).rounded(.down)) ?? 0 }
        default: out = [Int64](repeating: 0, count: c.count)
        }
        if let valid = c.validity { for i in out.indices where !valid[i] { out[i] = Int64.min } }
        return out
    }
}

/// Binary search over keys in byte order (see `ByteArrays.Values.precedes`): the index of
/// the first key not before `x` (`pastEqual` false, a lower bound) or after `x` (true, an
/// upper bound).
func keyBound(_ a: ByteArrays, _ x: [UInt8], pastEqual: Bool) -> Int {
    a.withValues { values in
        x.withUnsafeBufferPointer { probe in
            var lo = 0, hi = values.count
            while lo < hi {
                let mid = (lo + hi) / 2
                let before = pastEqual ? !ByteArrays.Values.precedes(probe, values[mid]) : ByteArrays.Values.precedes(values[mid], probe)
                if before { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
    }
}

/// Runs `body` for every item with at most `limit` running at once.
func forEachConcurrently<T: Sendable>(_ items: [T], limit: Int, _ body: @escaping @Sendable (T) async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        var next = 0
        while next < items.count && next < limit {
            let item = items[next]
            group.addTask { try await body(item) }
            next += 1
        }
        while try await group.next() != nil {
            if next < items.count {
                let item = items[next]
                group.addTask { try await body(item) }
                next += 1
            }
        }
    }
}
