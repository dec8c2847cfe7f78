/// Slicing and appending columns by rows (row groups, batches, nested leaves).
extension Column {
    /// Rows `range` as a new column.
    public func slice(_ range: Range<Int>) -> Column {
        let v: ColumnValues
        switch values {
        case .boolean(let a): v = .boolean(Array(a[range]))
        case .int32(let a): v = .int32(Array(a[range]))
        case .int64(let a): v = .int64(Array(a[range]))
        case .int96(let a): v = .int96(Array(a[range]))
        case .float(let a): v = .float(Array(a[range]))
        case .double(let a): v = .double(Array(a[range]))
        case .byteArray(let b): v = .byteArray(b.slice(range))
        case .fixedLenByteArray(let b): v = .fixedLenByteArray(b.slice(range))
        }
        return Column(v, validity: validity.map { Array($0[range]) })
    }

    /// Appends the rows of `other` (same physical type).
    public mutating func append(_ other: Column) {
        let n = count
        switch (values, other.values) {
        case (.boolean(var a), .boolean(let b)): a += b; values = .boolean(a)
        case (.int32(var a), .int32(let b)): a += b; values = .int32(a)
        case (.int64(var a), .int64(let b)): a += b; values = .int64(a)
        case (.int96(var a), .int96(let b)): a += b; values = .int96(a)
        case (.float(var a), .float(let b)): a += b; values = .float(a)
        case (.double(var a), .double(let b)): a += b; values = .double(a)
        case (.byteArray(var a), .byteArray(let b)): a.append(contentsOf: b); values = .byteArray(a)
        case (.fixedLenByteArray(var a), .fixedLenByteArray(let b)): a.append(contentsOf: b); values = .fixedLenByteArray(a)
        default: return  // type mismatch is reported when the chunk is written
        }
        if validity != nil || other.validity != nil {
            validity = (validity ?? [Bool](repeating: true, count: n)) + (other.validity ?? [Bool](repeating: true, count: other.count))
        }
    }
}

extension ByteArrays {
    public func slice(_ range: Range<Int>) -> ByteArrays {
        let s = Int(offsets[range.lowerBound]), e = Int(offsets[range.upperBound])
        return ByteArrays(data: Array(data[s..<e]), offsets: offsets[range.lowerBound...range.upperBound].map { $0 - Int32(s) })
    }

    public mutating func append(contentsOf other: ByteArrays) {
        let base = Int32(data.count)
        data.append(contentsOf: other.data)
        offsets.append(contentsOf: other.offsets.dropFirst().map { $0 + base })
    }
}
