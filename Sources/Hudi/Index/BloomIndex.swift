import Foundation
import ObjectStore
import Parquet
import TributaryCore

/// Where the batch's existing records live: per batch row, the slice holding its key (an
/// index into `slices`), the key's first row in that slice's base file, and its stored
/// ordering value. Rows whose key is new have no slice.
struct RecordLocations: Sendable {
    var slices: [FileSlice] = []
    /// Per batch row: index into `slices`, -1 when the key is not in the table.
    var slice: [Int32]
    var baseRow: [Int32]
    var ordering: [Int64]
    /// Further base-file rows of keys stored more than once in their file, by batch row.
    var repeatedRows: [Int: [Int]] = [:]

    /// No row located, for a batch of `count` rows.
    init(count: Int) {
        slice = [Int32](repeating: -1, count: count)
        baseRow = [Int32](repeating: 0, count: count)
        ordering = [Int64](repeating: 0, count: count)
    }

    /// Records `row`'s key at base-file row `baseRow` of `slices[sliceIndex]`.
    mutating func set(_ row: Int, slice sliceIndex: Int, baseRow: Int, ordering: Int64, repeats: [Int]?) {
        slice[row] = Int32(sliceIndex)
        self.baseRow[row] = Int32(baseRow)
        self.ordering[row] = ordering
        repeatedRows[row] = repeats
    }

    /// The slice holding `row`'s key, if any.
    func location(of row: Int) -> FileSlice? {
        let s = Int(slice[row])
        return s >= 0 ? slices[s] : nil
    }

    /// Every base-file row holding `row`'s key.
    func baseRows(of row: Int) -> [Int] {
        [Int(baseRow[row])] + (repeatedRows[row] ?? [])
    }
}

/// Hudi's BLOOM index, global: key ranges and bloom filters from base file footers
/// (cached) narrow each key to candidate files, then the candidates' record keys are
/// checked exactly (also cached, with each record's ordering value). Keys stay bytes
/// throughout: the batch's rows are sorted and probed in place.
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

    /// Locations of the keys of `rows` of `keys` (distinct) that exist in `slices`.
    func lookup(keys: ByteArrays, rows: [Int], slices: [FileSlice]) async throws -> (found: RecordLocations, stats: Stats) {
        var stats = Stats()
        var found = RecordLocations(count: keys.count)
        guard !rows.isEmpty, !slices.isEmpty else { return (found, stats) }
        // Footers: load the missing ones concurrently. The lookup keeps what it uses itself:
        // the cache may drop entries meanwhile, and a skipped file would turn its keys'
        // updates into duplicate inserts.
        var footers: [String: BaseFileFooter] = [:]
        for slice in slices { footers[slice.path] = cache.footer(slice.path) }
        let missing = slices.filter { footers[$0.path] == nil }
        stats.footersLoaded = missing.count
        let loadedFooters = try await mapConcurrently(missing, limit: 8) { _, slice in
            let footer = try FooterReading.decode(try await FooterReading.footer(store: store, key: slice.path, size: slice.size))
            cache.setFooter(slice.path, footer)
            return footer
        }
        for (slice, footer) in zip(missing, loadedFooters) { footers[slice.path] = footer }
        // The rows in UTF-8 byte order of their keys, packed in one buffer, for key-range
        // pruning by binary search; `order[i]` is the batch row of sorted key i.
        let order = keys.withValues { values in rows.sorted { values.precedes($0, $1) } }
        var sortedUTF8 = ByteArrays()
        sortedUTF8.reserve(values: order.count, bytes: order.count * 40)
        for i in order { sortedUTF8.append(keys, at: i) }
        // Key ranges per file (binary searches), then the bloom filters' passes.
        var ranged: [(slice: FileSlice, bloom: HudiBloomFilter?, keys: Range<Int>)] = []
        for slice in slices {
            guard let footer = footers[slice.path] else { throw HudiError(.corrupt, "no footer of \(slice.path) for the index") }
            stats.filesChecked += 1
            var lo = 0, hi = order.count
            if let minKey = footer.minKey { lo = keyBound(sortedUTF8, Array(minKey.utf8), pastEqual: false) }
            if let maxKey = footer.maxKey { hi = keyBound(sortedUTF8, Array(maxKey.utf8), pastEqual: true) }
            // (Random keys such as UUIDs span every file's range: then nothing is pruned.)
            if lo < hi { ranged.append((slice, footer.bloom, lo..<hi)) }
        }
        // Bit positions of the sorted keys per filter shape (hash-major, see `hashMajorPositions`).
        var hashesByShape: [Int64: [Int32]] = [:]
        for case let bloom? in ranged.map(\.bloom) where hashesByShape[bloom.shape] == nil {
            hashesByShape[bloom.shape] = bloom.hashMajorPositions(sortedUTF8)
        }
        // The passes only read: files are split over the cores (keys × files is the index's
        // largest cost when keys are random and every file's range spans them).
        let (files, positions, keyCount) = (ranged, hashesByShape, sortedUTF8.count)
        let chunkSize = max(8, (files.count + 3) / 4)
        let chunks = stride(from: 0, to: files.count, by: chunkSize).map { $0..<min($0 + chunkSize, files.count) }
        let hitsByChunk = try await mapConcurrently(chunks, limit: ProcessInfo.processInfo.activeProcessorCount) { _, chunk in
            chunk.map { i -> [Int] in
                guard let bloom = files[i].bloom, let shaped = positions[bloom.shape] else { return Array(files[i].keys) }
                return shaped.withUnsafeBufferPointer { bloom.mayContain(files[i].keys, hashMajor: $0, keyCount: keyCount) }
            }
        }
        let candidates = zip(files.map(\.slice), hitsByChunk.joined()).filter { !$0.1.isEmpty }
        stats.candidateFiles = candidates.count
        var fileKeysByPath: [String: FileKeys] = [:]
        for (slice, _) in candidates { fileKeysByPath[slice.path] = cache.fileKeys(slice.path) }
        let needKeys = candidates.map(\.0).filter { fileKeysByPath[$0.path] == nil }
        stats.keyFilesLoaded = needKeys.count
        let precombineField = precombineField
        let loadedKeys = try await mapConcurrently(needKeys, limit: 4) { _, slice in
            // Only the footer and the key (and ordering) column chunks are fetched.
            let reader = try await FooterReading.columns(["_hoodie_record_key"] + [precombineField].compactMap { $0 },
                                                         store: store, key: slice.path, size: slice.size)
            let fileKeys = try Self.fileKeys(reader, precombineField: precombineField)
            cache.setFileKeys(slice.path, fileKeys)
            return fileKeys
        }
        for (slice, fileKeys) in zip(needKeys, loadedKeys) { fileKeysByPath[slice.path] = fileKeys }
        try sortedUTF8.withValues { probes in
            for (slice, hits) in candidates {
                guard let fileKeys = fileKeysByPath[slice.path] else { throw HudiError(.corrupt, "no keys of \(slice.path) for the index") }
                let sliceIndex = found.slices.count
                found.slices.append(slice)
                fileKeys.keys.withValues { stored in
                    for i in hits {
                        guard let hit = fileKeys.find(probes[i], in: stored) else { continue }
                        let row = order[i]
                        // Should a key sit in two groups (a table written without a global index),
                        // the newest slice is the live one.
                        if let other = found.location(of: row), other.instant > slice.instant { continue }
                        found.set(row, slice: sliceIndex, baseRow: hit.row, ordering: hit.ordering, repeats: fileKeys.repeats[hit.row])
                    }
                }
            }
        }
        return (found, stats)
    }

    /// The record keys (and ordering values) of a base file.
    static func fileKeys(_ reader: ParquetFileReader, precombineField: String?) throws -> FileKeys {
        var names = ["_hoodie_record_key"]
        let hasOrdering = precombineField.map { p in reader.schema.fields.contains { $0.name == p } } ?? false
        if hasOrdering, let p = precombineField { names.append(p) }
        let cols = try reader.readColumns(names)
        guard let keyCol = cols["_hoodie_record_key"], case .byteArray(let keys) = keyCol.values else {
            throw HudiError(.unsupported, "base file without _hoodie_record_key (table written without meta fields)")
        }
        let ordering = hasOrdering ? precombineField.flatMap { cols[$0] }.map(orderingValues) : nil
        return FileKeys(keys: keys, orderings: ordering)
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

/// `body` over every item (with its index), at most `limit` at a time; the results in
/// `items` order.
func mapConcurrently<T: Sendable, R: Sendable>(_ items: [T], limit: Int,
                                               _ body: @escaping @Sendable (Int, T) async throws -> R) async throws -> [R] {
    try await withThrowingTaskGroup(of: (Int, R).self) { group in
        var results = [R?](repeating: nil, count: items.count)
        var next = 0
        func launch() {
            let i = next
            let item = items[i]
            group.addTask { (i, try await body(i, item)) }
            next += 1
        }
        while next < items.count && next < max(1, limit) { launch() }
        while let (i, out) = try await group.next() {
            results[i] = out
            if next < items.count { launch() }
        }
        return results.compactMap { $0 }
    }
}
