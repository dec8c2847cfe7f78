import TributaryCore

/// A row taken from one of several source column sets.
struct RowPick: Sendable {
    var source: UInt32
    var row: UInt32
}

enum ColumnGather {
    /// Builds a column from rows of `sources` (all of one physical type) in `picks` order.
    static func gather(_ sources: [Column], _ picks: [RowPick], type: PhysicalType) throws -> Column {
        var validity = [Bool]()
        validity.reserveCapacity(picks.count)
        var anyNull = false
        for p in picks {
            let valid = !sources[Int(p.source)].isNull(Int(p.row))
            if !valid { anyNull = true }
            validity.append(valid)
        }
        func typed<T>(_ extract: (ColumnValues) -> [T]?) throws -> [T] {
            let arrays = try sources.map { c -> [T] in
                guard let a = extract(c.values) else { throw HudiError(.invalidArgument, "column type mismatch while merging") }
                return a
            }
            var out = [T]()
            out.reserveCapacity(picks.count)
            for p in picks { out.append(arrays[Int(p.source)][Int(p.row)]) }
            return out
        }
        let values: ColumnValues
        switch type {
        case .boolean: values = .boolean(try typed { if case .boolean(let v) = $0 { v } else { nil } })
        case .int32: values = .int32(try typed { if case .int32(let v) = $0 { v } else { nil } })
        case .int64: values = .int64(try typed { if case .int64(let v) = $0 { v } else { nil } })
        case .int96: values = .int96(try typed { if case .int96(let v) = $0 { v } else { nil } })
        case .float: values = .float(try typed { if case .float(let v) = $0 { v } else { nil } })
        case .double: values = .double(try typed { if case .double(let v) = $0 { v } else { nil } })
        case .byteArray, .fixedLenByteArray:
            let arrays = try sources.map { c -> ByteArrays in
                switch c.values {
                case .byteArray(let b), .fixedLenByteArray(let b): return b
                default: throw HudiError(.invalidArgument, "column type mismatch while merging")
                }
            }
            let out = gatherBytes(arrays, picks)
            values = type == .byteArray ? .byteArray(out) : .fixedLenByteArray(out)
        }
        return Column(values, validity: anyNull ? validity : nil)
    }

    /// Raw views of byte arrays, valid inside `withViews`.
    struct BytesView {
        var data: UnsafePointer<UInt8>?
        var offsets: UnsafeBufferPointer<Int32>
    }

    /// Calls `body` with raw views of all `arrays` (nested scopes, one per array).
    static func withViews<R>(_ arrays: ArraySlice<ByteArrays>, _ acc: [BytesView], _ body: ([BytesView]) -> R) -> R {
        guard let first = arrays.first else { return body(acc) }
        return first.data.withUnsafeBufferPointer { d in
            first.offsets.withUnsafeBufferPointer { o in
                withViews(arrays.dropFirst(), acc + [BytesView(data: d.baseAddress, offsets: o)], body)
            }
        }
    }

    /// Byte-array rows from several sources, copied through raw pointers (this runs for every
    /// string column of every rewritten file).
    static func gatherBytes(_ arrays: [ByteArrays], _ picks: [RowPick]) -> ByteArrays {
        withViews(arrays[...], []) { views in
            var total = 0
            for p in picks {
                let o = views[Int(p.source)].offsets
                total += Int(o[Int(p.row) + 1] - o[Int(p.row)])
            }
            var offsets = [Int32]()
            offsets.reserveCapacity(picks.count + 1)
            offsets.append(0)
            var at = 0
            let data = [UInt8](unsafeUninitializedCapacity: total) { dst, initialized in
                // Offsets are appended for every pick, even when there are no bytes at all
                // (all values empty or null: no buffer to copy into).
                for p in picks {
                    let v = views[Int(p.source)]
                    let r = Int(p.row)
                    let s = Int(v.offsets[r]), e = Int(v.offsets[r + 1])
                    if e > s, let src = v.data, let dstBase = dst.baseAddress {
                        (dstBase + at).initialize(from: src + s, count: e - s)
                    }
                    at += e - s
                    offsets.append(Int32(truncatingIfNeeded: at))
                }
                initialized = at
            }
            return ByteArrays(data: data, offsets: offsets)
        }
    }

    /// A column of `count` nulls of the field's type (a column missing from an older file).
    static func nulls(_ type: FieldType, count: Int) -> Column {
        let valid = [Bool](repeating: false, count: count)
        switch type.physicalType {
        case .boolean: return Column(.boolean(.init(repeating: false, count: count)), validity: valid)
        case .int32: return Column(.int32(.init(repeating: 0, count: count)), validity: valid)
        case .int64: return Column(.int64(.init(repeating: 0, count: count)), validity: valid)
        case .int96: return Column(.int96(.init(repeating: Int96(), count: count)), validity: valid)
        case .float: return Column(.float(.init(repeating: 0, count: count)), validity: valid)
        case .double: return Column(.double(.init(repeating: 0, count: count)), validity: valid)
        case .byteArray: return Column(.byteArray(ByteArrays(data: [], offsets: .init(repeating: 0, count: count + 1))), validity: valid)
        case .fixedLenByteArray:
            var b = ByteArrays()
            let width: Int
            if case .fixedLenByteArray(let n) = type { width = n } else if case .decimal(let p, _) = type { width = decimalWidth(p) } else { width = 0 }
            for _ in 0..<count { b.append([UInt8](repeating: 0, count: width)) }
            return Column(.fixedLenByteArray(b), validity: valid)
        }
    }

    /// A nested column of `count` null rows of `field` (a column missing from an older file).
    static func nestedNulls(_ field: Field, count: Int) throws -> NestedColumn {
        var builder = try NestedColumnBuilder(field)
        for _ in 0..<count { try builder.appendNull() }
        return try builder.finish()
    }

    static func decimalWidth(_ precision: Int) -> Int {
        var n = 1
        while Double(8 * n - 1) * 0.30102999566398120 < Double(precision) { n += 1 }
        return n
    }
}
