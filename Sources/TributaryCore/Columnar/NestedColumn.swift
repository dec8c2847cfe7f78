/// One leaf column of a nested field, shredded (Dremel): a definition level and a
/// repetition level per entry, and a value slot per entry. An entry is defined (carries a
/// value) when its definition level is the maximum; other slots hold a placeholder (0,
/// empty bytes), as null rows of a flat `Column` do.
public struct ShreddedLeaf: Sendable, Equatable {
    public var values: ColumnValues
    /// One per entry; empty when `maxDefinitionLevel` is 0 (every entry defined).
    public var definitionLevels: [UInt8]
    /// One per entry; empty when `maxRepetitionLevel` is 0 (one entry per row).
    public var repetitionLevels: [UInt8]
    public var maxDefinitionLevel: Int
    public var maxRepetitionLevel: Int

    public init(values: ColumnValues, definitionLevels: [UInt8], repetitionLevels: [UInt8],
                maxDefinitionLevel: Int, maxRepetitionLevel: Int) {
        self.values = values
        self.definitionLevels = definitionLevels
        self.repetitionLevels = repetitionLevels
        self.maxDefinitionLevel = maxDefinitionLevel
        self.maxRepetitionLevel = maxRepetitionLevel
    }

    public var entryCount: Int { values.count }

    /// The values as a flat column: validity marks the defined entries.
    public var column: Column {
        guard maxDefinitionLevel > 0 else { return Column(values) }
        let top = UInt8(maxDefinitionLevel)
        return Column(values, validity: definitionLevels.map { $0 == top })
    }

    /// Index of the first entry of every row, plus `entryCount` at the end.
    public var rowStarts: [Int] {
        guard maxRepetitionLevel > 0 else { return Array(0...entryCount) }
        var starts: [Int] = []
        for (i, r) in repetitionLevels.enumerated() where r == 0 { starts.append(i) }
        starts.append(entryCount)
        return starts
    }

    /// Entries `range` (whole rows) as a new leaf.
    public func slice(entries range: Range<Int>) -> ShreddedLeaf {
        ShreddedLeaf(values: Column(values).slice(range).values,
                     definitionLevels: definitionLevels.isEmpty ? [] : Array(definitionLevels[range]),
                     repetitionLevels: repetitionLevels.isEmpty ? [] : Array(repetitionLevels[range]),
                     maxDefinitionLevel: maxDefinitionLevel, maxRepetitionLevel: maxRepetitionLevel)
    }

    /// Appends the entries of `other` (same leaf).
    public mutating func append(_ other: ShreddedLeaf) {
        var c = Column(values)
        c.append(Column(other.values))
        values = c.values
        definitionLevels += other.definitionLevels
        repetitionLevels += other.repetitionLevels
    }
}

/// The data of one nested top-level field: its leaves, in the depth-first order of
/// ``NestedLayout``, each with as many rows as `rowCount`.
public struct NestedColumn: Sendable, Equatable {
    public var leaves: [ShreddedLeaf]
    public var rowCount: Int

    public init(leaves: [ShreddedLeaf], rowCount: Int) {
        self.leaves = leaves
        self.rowCount = rowCount
    }

    /// Rows `range` as a new column.
    public func slice(_ range: Range<Int>) -> NestedColumn {
        NestedColumn(leaves: leaves.map { leaf in
            let starts = leaf.rowStarts
            return leaf.slice(entries: starts[range.lowerBound]..<starts[range.upperBound])
        }, rowCount: range.count)
    }

    /// Appends the rows of `other` (same field).
    public mutating func append(_ other: NestedColumn) {
        for i in leaves.indices where i < other.leaves.count { leaves[i].append(other.leaves[i]) }
        rowCount += other.rowCount
    }

    /// Rows of `sources` (columns of the same field) in `picks` order, e.g. the surviving
    /// rows of a file and a batch in a copy-on-write merge: each row's entries are copied
    /// as they are, so no record is assembled.
    public static func gather(_ sources: [NestedColumn], _ picks: [(source: Int, row: Int)]) -> NestedColumn {
        guard let first = sources.first else { return NestedColumn(leaves: [], rowCount: 0) }
        var leaves: [ShreddedLeaf] = []
        for l in first.leaves.indices {
            let parts = sources.map { $0.leaves[l] }
            let starts = parts.map(\.rowStarts)
            let ranges = picks.map { starts[$0.source][$0.row]..<starts[$0.source][$0.row + 1] }
            let sample = parts[0]
            var out = ShreddedLeaf(values: sample.values, definitionLevels: [], repetitionLevels: [],
                                   maxDefinitionLevel: sample.maxDefinitionLevel, maxRepetitionLevel: sample.maxRepetitionLevel)
            func copy<T>(_ extract: (ColumnValues) -> [T]?) -> [T] {
                let arrays = parts.map { extract($0.values) ?? [] }
                var result = [T]()
                result.reserveCapacity(ranges.reduce(0) { $0 + $1.count })
                for (p, r) in zip(picks, ranges) { result.append(contentsOf: arrays[p.source][r]) }
                return result
            }
            switch sample.values {
            case .boolean: out.values = .boolean(copy { if case .boolean(let v) = $0 { v } else { nil } })
            case .int32: out.values = .int32(copy { if case .int32(let v) = $0 { v } else { nil } })
            case .int64: out.values = .int64(copy { if case .int64(let v) = $0 { v } else { nil } })
            case .int96: out.values = .int96(copy { if case .int96(let v) = $0 { v } else { nil } })
            case .float: out.values = .float(copy { if case .float(let v) = $0 { v } else { nil } })
            case .double: out.values = .double(copy { if case .double(let v) = $0 { v } else { nil } })
            case .byteArray, .fixedLenByteArray:
                let arrays = parts.map { part -> ByteArrays in
                    switch part.values {
                    case .byteArray(let b), .fixedLenByteArray(let b): return b
                    default: return ByteArrays()
                    }
                }
                var bytes = ByteArrays()
                for (p, r) in zip(picks, ranges) { for i in r { bytes.append(arrays[p.source], at: i) } }
                if case .byteArray = sample.values { out.values = .byteArray(bytes) } else { out.values = .fixedLenByteArray(bytes) }
            }
            if sample.maxDefinitionLevel > 0 { out.definitionLevels = copyLevels(parts.map(\.definitionLevels), picks, ranges) }
            if sample.maxRepetitionLevel > 0 { out.repetitionLevels = copyLevels(parts.map(\.repetitionLevels), picks, ranges) }
            leaves.append(out)
        }
        return NestedColumn(leaves: leaves, rowCount: picks.count)
    }

    private static func copyLevels(_ levels: [[UInt8]], _ picks: [(source: Int, row: Int)], _ ranges: [Range<Int>]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(ranges.reduce(0) { $0 + $1.count })
        for (p, r) in zip(picks, ranges) { out.append(contentsOf: levels[p.source][r]) }
        return out
    }
}

/// The data of one top-level field: a flat column (one slot per row) or a nested one.
public enum FieldColumn: Sendable, Equatable {
    case flat(Column)
    case nested(NestedColumn)

    public var rowCount: Int {
        switch self {
        case .flat(let c): c.count
        case .nested(let n): n.rowCount
        }
    }

    public func slice(_ range: Range<Int>) -> FieldColumn {
        switch self {
        case .flat(let c): .flat(c.slice(range))
        case .nested(let n): .nested(n.slice(range))
        }
    }

    /// Appends the rows of `other` (same field, same kind).
    public mutating func append(_ other: FieldColumn) {
        // `self` is cleared while the payload grows, so its buffers are not shared (no copy).
        switch (self, other) {
        case (.flat(var a), .flat(let b)):
            self = .flat(Column(.boolean([])))
            a.append(b)
            self = .flat(a)
        case (.nested(var a), .nested(let b)):
            self = .nested(NestedColumn(leaves: [], rowCount: 0))
            a.append(b)
            self = .nested(a)
        default: return  // a kind mismatch is reported when the chunk is written
        }
    }
}
