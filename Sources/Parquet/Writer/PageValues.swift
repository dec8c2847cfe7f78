import TributaryCore

/// PLAIN encoding and min/max statistics of one page's values (entries whose validity is
/// false carry no value).
extension ColumnChunkWriter {
    func encodePlain(_ values: ColumnValues, rows: Range<Int>, validity: [Bool]?, into out: inout [UInt8]) {
        func fixed<T: BitwiseCopyable>(_ v: [T]) {
            v.withUnsafeBytes { raw in
                let w = MemoryLayout<T>.stride
                if let validity {
                    out.reserveCapacity(out.count + rows.count * w)
                    for i in rows where validity[i] {
                        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[(i * w)..<(i * w + w)]))
                    }
                } else {
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[(rows.lowerBound * w)..<(rows.upperBound * w)]))
                }
            }
        }
        switch values {
        case .boolean(let v):
            var acc: UInt8 = 0
            var n = 0
            for i in rows where validity?[i] ?? true {
                if v[i] { acc |= 1 << UInt8(n & 7) }
                n += 1
                if n & 7 == 0 { out.append(acc); acc = 0 }
            }
            if n & 7 != 0 { out.append(acc) }
        case .int32(let v): fixed(v)
        case .int64(let v): fixed(v)
        case .float(let v): fixed(v)
        case .double(let v): fixed(v)
        case .int96(let v):
            for i in rows where validity?[i] ?? true {
                out.appendLE(v[i].nanosOfDay)
                out.appendLE(v[i].julianDay)
            }
        case .fixedLenByteArray(let b):
            b.data.withUnsafeBytes { data in
                for i in rows where validity?[i] ?? true {
                    out.append(contentsOf: UnsafeRawBufferPointer(rebasing: data[Int(b.offsets[i])..<Int(b.offsets[i + 1])]))
                }
            }
        case .byteArray(let b):
            // One pass to size, one to copy: no per-value allocation.
            var total = 0
            for i in rows where validity?[i] ?? true { total += 4 + Int(b.offsets[i + 1] - b.offsets[i]) }
            let start = out.count
            out.append(contentsOf: repeatElement(0, count: total))
            out.withUnsafeMutableBytes { dst in
                b.data.withUnsafeBytes { src in
                    b.offsets.withUnsafeBufferPointer { o in
                        guard let d = dst.baseAddress else { return }
                        var p = start
                        for i in rows where validity?[i] ?? true {
                            let s = Int(o[i]), n = Int(o[i + 1]) - s
                            d.storeBytes(of: UInt32(n).littleEndian, toByteOffset: p, as: UInt32.self)
                            if n > 0, let sb = src.baseAddress { (d + p + 4).copyMemory(from: sb + s, byteCount: n) }
                            p += 4 + n
                        }
                    }
                }
            }
        }
    }

    func plainStats(_ values: ColumnValues, rows: Range<Int>, validity: [Bool]?, order: StatOrder) -> Statistics {
        var s = Statistics()
        switch values {
        case .boolean(let v):
            var sawFalse = false, sawTrue = false
            for i in rows where validity?[i] ?? true { if v[i] { sawTrue = true } else { sawFalse = true } }
            if sawFalse || sawTrue {
                s.min = [sawFalse ? 0 : 1]
                s.max = [sawTrue ? 1 : 0]
            }
        case .int32(let v):
            if let (lo, hi) = v.withUnsafeBufferPointer({ numericMinMax($0, rows, validity: validity, isNaN: { _ in false }) }) {
                s.min = plainBytes(lo); s.max = plainBytes(hi)
            }
        case .int64(let v):
            if let (lo, hi) = v.withUnsafeBufferPointer({ numericMinMax($0, rows, validity: validity, isNaN: { _ in false }) }) {
                s.min = plainBytes(lo); s.max = plainBytes(hi)
            }
        case .float(let v):
            if let (lo, hi) = floatStats(v.withUnsafeBufferPointer { numericMinMax($0, rows, validity: validity, isNaN: { $0.isNaN }) }) {
                s.min = lo; s.max = hi
            }
        case .double(let v):
            if let (lo, hi) = floatStats(v.withUnsafeBufferPointer { numericMinMax($0, rows, validity: validity, isNaN: { $0.isNaN }) }) {
                s.min = lo; s.max = hi
            }
        case .int96:
            break
        case .byteArray(let b), .fixedLenByteArray(let b):
            var lo = -1, hi = -1
            b.data.withUnsafeBytes { data in
                for i in rows where validity?[i] ?? true {
                    let st = Int(b.offsets[i]), n = Int(b.offsets[i + 1]) - st
                    if lo < 0 {
                        lo = i; hi = i
                        continue
                    }
                    let ls = Int(b.offsets[lo]), hs = Int(b.offsets[hi])
                    if compareBytes(data, st, n, ls, Int(b.offsets[lo + 1]) - ls, signed: order == .signedBytes) < 0 { lo = i }
                    if compareBytes(data, st, n, hs, Int(b.offsets[hi + 1]) - hs, signed: order == .signedBytes) > 0 { hi = i }
                }
            }
            if lo >= 0 {
                let mn = Array(b[lo]), mx = Array(b[hi])
                if mn.count <= maxStatisticsValueSize && mx.count <= maxStatisticsValueSize {
                    s.min = mn; s.max = mx
                }
            }
        }
        return s
    }

    /// Page min/max from dictionary ranks: integer compares instead of value compares.
    func dictionaryStats(_ dict: DictionaryEncoded, values: Range<Int>, column: Column) -> Statistics {
        var lo = Int32.max, hi = Int32.min
        dict.indices.withUnsafeBufferPointer { idx in
            dict.ranks.withUnsafeBufferPointer { ranks in
                for k in values {
                    let r = ranks[Int(idx[k])]
                    if r < 0 { continue }
                    if r < lo { lo = r }
                    if r > hi { hi = r }
                }
            }
        }
        guard lo <= hi else { return Statistics() }
        let minEntry = Int(dict.byRank[Int(lo)]), maxEntry = Int(dict.byRank[Int(hi)])
        var s = Statistics()
        switch column.values {
        case .float:
            let entry = { (e: Int) -> Float in dict.plain.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: e * 4, as: Float.self) } }
            if let (a, b) = floatStats((entry(minEntry), entry(maxEntry))) { s.min = a; s.max = b }
        case .double:
            let entry = { (e: Int) -> Double in dict.plain.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: e * 8, as: Double.self) } }
            if let (a, b) = floatStats((entry(minEntry), entry(maxEntry))) { s.min = a; s.max = b }
        case .int32:
            s.min = Array(dict.plain[minEntry * 4..<minEntry * 4 + 4]); s.max = Array(dict.plain[maxEntry * 4..<maxEntry * 4 + 4])
        case .int64:
            s.min = Array(dict.plain[minEntry * 8..<minEntry * 8 + 8]); s.max = Array(dict.plain[maxEntry * 8..<maxEntry * 8 + 8])
        case .byteArray, .fixedLenByteArray:
            let mn = Array(dict.plain[dict.entryRanges[minEntry]]), mx = Array(dict.plain[dict.entryRanges[maxEntry]])
            if mn.count <= maxStatisticsValueSize, mx.count <= maxStatisticsValueSize { s.min = mn; s.max = mx }
        case .boolean, .int96:
            break
        }
        return s
    }
}
