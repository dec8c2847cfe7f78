import Foundation
import TributaryCore

/// Encodes one column chunk: optional dictionary page, then data pages (v1) with RLE
/// definition levels, statistics and CRC.
struct ColumnChunkWriter {
    let field: Field
    let options: WriterOptions
    let codec: PageCodec


    private struct Page {
        var rows: Range<Int>
        /// Range into the non-null value sequence.
        var values: Range<Int>
    }

    /// Encodes the chunk, handing pages to `emit` as they are ready (no chunk-sized buffer).
    func write(_ column: Column, fileOffset: Int64, emit: (UnsafeRawBufferPointer) throws -> Void) throws -> ColumnMetaData {
        let rows = column.count
        let validity = field.nullable ? column.validity : nil
        if !field.nullable && column.validity?.contains(false) == true {
            throw ParquetError.invalidArgument("column \(field.name) is required but has nulls")
        }
        try checkType(column)
        let order = StatOrder(field: field.type)

        // Dictionary first: decides how pages are encoded; nil means PLAIN.
        let dict = options.dictionary ? buildDictionary(column.values, validity: validity, order: order) : nil

        var written = 0
        var scratch = [UInt8]()
        var body = [UInt8]()
        /// Writes header + compressed body; returns the uncompressed size for the metadata.
        /// `levels` (v2 pages) precede the compressed values uncompressed.
        func emitPage(_ header: PageHeader, uncompressed: Int, compressed: Int, levels: [UInt8] = []) throws -> Int64 {
            let uncompressed = uncompressed + levels.count, compressedTotal = compressed + levels.count
            guard uncompressed <= Int(Int32.max), compressedTotal <= Int(Int32.max) else {
                throw ParquetError.invalidArgument("page of column \(field.name) larger than 2 GiB")
            }
            var h = header
            h.uncompressedPageSize = Int32(uncompressed)
            h.compressedPageSize = Int32(compressedTotal)
            if options.pageChecksums {
                let head = levels.withUnsafeBytes { pageCRC($0) }
                h.crc = scratch.withUnsafeBytes { pageCRC(UnsafeRawBufferPointer(rebasing: $0[0..<compressed]), continuing: head) }
            }
            var w = CompactWriter()
            w.pageHeader(h)
            try w.bytes.withUnsafeBytes { try emit($0) }
            if !levels.isEmpty { try levels.withUnsafeBytes { try emit($0) } }
            try scratch.withUnsafeBytes { try emit(UnsafeRawBufferPointer(rebasing: $0[0..<compressed])) }
            written += w.bytes.count + compressedTotal
            return Int64(w.bytes.count + uncompressed)
        }
        var stats = StatsAccumulator(order: order)
        var dictionaryPageOffset: Int64?
        var uncompressedTotal: Int64 = 0
        if let dict {
            dictionaryPageOffset = fileOffset
            let n = try dict.plain.withUnsafeBytes { try codec.compress($0, codec: options.compression, into: &scratch) }
            let header = PageHeader(
                type: .dictionaryPage, uncompressedPageSize: 0, compressedPageSize: 0,
                dictionaryPageHeader: DictionaryPageHeader(numValues: Int32(dict.count), encoding: .plain, isSorted: false))
            uncompressedTotal += try emitPage(header, uncompressed: dict.plain.count, compressed: n)
        }
        let dataPageOffset = fileOffset + Int64(written)
        let indexWidth = dict.map { max(1, bitWidth(of: UInt64(max($0.count - 1, 0)))) } ?? 0

        for page in pageRanges(column, validity: validity, dict: dict, indexWidth: indexWidth) {
            body.removeAll(keepingCapacity: true)
            let v2 = options.dataPageVersion == 2
            var v2Levels: [UInt8] = []
            if field.nullable {
                let levels = (validity ?? []).isEmpty
                    ? [UInt8](repeating: 1, count: page.rows.count)
                    : validity.map { v in page.rows.map { v[$0] ? UInt8(1) : 0 } } ?? []
                if v2 {
                    // v2: levels without a length prefix, outside the compressed part.
                    levels.withUnsafeBufferPointer { RLEEncoder.encode($0, bitWidth: 1, into: &v2Levels) }
                } else {
                    body.append(contentsOf: [0, 0, 0, 0])
                    let start = body.count
                    levels.withUnsafeBufferPointer { RLEEncoder.encode($0, bitWidth: 1, into: &body) }
                    let n = UInt32(body.count - start)
                    body.withUnsafeMutableBytes { $0.storeBytes(of: n.littleEndian, toByteOffset: start - 4, as: UInt32.self) }
                }
            }
            let pageStats: Statistics
            if let dict {
                body.append(UInt8(indexWidth))
                dict.indices.withUnsafeBufferPointer { idx in
                    RLEEncoder.encode(UnsafeBufferPointer(rebasing: idx[page.values]), bitWidth: indexWidth, into: &body)
                }
                pageStats = dictionaryStats(dict, page: page, column: column)
            } else {
                encodePlain(column.values, rows: page.rows, validity: validity, into: &body)
                pageStats = plainStats(column.values, rows: page.rows, validity: validity, order: order)
            }
            var s = pageStats
            s.nullCount = Int64(page.rows.count - page.values.count)
            stats.merge(s, hadValues: !page.values.isEmpty)
            let n = try body.withUnsafeBytes { try codec.compress($0, codec: options.compression, into: &scratch) }
            let encoding: Encoding = dict == nil ? .plain : .rleDictionary
            let header: PageHeader
            if v2 {
                header = PageHeader(
                    type: .dataPageV2, uncompressedPageSize: 0, compressedPageSize: 0,
                    dataPageHeaderV2: DataPageHeaderV2(
                        numValues: Int32(page.rows.count), numNulls: Int32(page.rows.count - page.values.count),
                        numRows: Int32(page.rows.count), encoding: encoding, definitionLevelsByteLength: Int32(v2Levels.count),
                        repetitionLevelsByteLength: 0, isCompressed: options.compression != .uncompressed,
                        statistics: options.statistics ? s : nil))
            } else {
                header = PageHeader(
                    type: .dataPage, uncompressedPageSize: 0, compressedPageSize: 0,
                    dataPageHeader: DataPageHeader(numValues: Int32(page.rows.count), encoding: encoding,
                                                   definitionLevelEncoding: .rle, repetitionLevelEncoding: .rle,
                                                   statistics: options.statistics ? s : nil))
            }
            uncompressedTotal += try emitPage(header, uncompressed: body.count, compressed: n, levels: v2Levels)
        }
        let meta = ColumnMetaData(
            type: field.type.physicalType,
            encodings: dict == nil ? [.plain, .rle] : [.plain, .rle, .rleDictionary],
            pathInSchema: [field.name], codec: options.compression, numValues: Int64(rows),
            totalUncompressedSize: uncompressedTotal, totalCompressedSize: Int64(written),
            keyValueMetadata: field.metadata.isEmpty ? nil : field.metadata,
            dataPageOffset: dataPageOffset, indexPageOffset: nil, dictionaryPageOffset: dictionaryPageOffset,
            statistics: options.statistics ? stats.statistics : nil)
        return meta
    }

    private func checkType(_ column: Column) throws {
        let physical = field.type.physicalType
        guard column.values.physicalType == physical else {
            throw ParquetError.invalidArgument("column \(field.name) is \(field.type) (\(physical)) but got \(column.values.physicalType) values")
        }
        if let v = column.validity, v.count != column.count {
            throw ParquetError.invalidArgument("column \(field.name): validity has \(v.count) entries for \(column.count) values")
        }
        if case .fixedLenByteArray(let b) = column.values, let width = field.type.typeLength {
            for i in 0..<b.count where b.offsets[i + 1] - b.offsets[i] != Int32(width) {
                if let v = column.validity, !v[i], b.offsets[i + 1] == b.offsets[i] { continue }
                throw ParquetError.invalidArgument("column \(field.name) row \(i): fixed-length value is not \(width) bytes")
            }
        }
    }

    private func buildDictionary(_ values: ColumnValues, validity: [Bool]?, order: StatOrder) -> DictionaryEncoded? {
        let limit = options.dictionaryPageSizeLimit
        switch values {
        case .boolean, .int96: return nil
        case .int32(let v):
            return v.withUnsafeBufferPointer {
                dictionaryEncodeFixed($0, validity: validity, limitBytes: limit, toBits: { UInt64(UInt32(bitPattern: $0)) },
                                      less: { $0 < $1 }, isNaN: { _ in false })
            }
        case .int64(let v):
            return v.withUnsafeBufferPointer {
                dictionaryEncodeFixed($0, validity: validity, limitBytes: limit, toBits: { UInt64(bitPattern: $0) },
                                      less: { $0 < $1 }, isNaN: { _ in false })
            }
        case .float(let v):
            return v.withUnsafeBufferPointer {
                dictionaryEncodeFixed($0, validity: validity, limitBytes: limit, toBits: { UInt64($0.bitPattern) },
                                      less: { $0 < $1 }, isNaN: { $0.isNaN })
            }
        case .double(let v):
            return v.withUnsafeBufferPointer {
                dictionaryEncodeFixed($0, validity: validity, limitBytes: limit, toBits: { $0.bitPattern },
                                      less: { $0 < $1 }, isNaN: { $0.isNaN })
            }
        case .byteArray(let b):
            return dictionaryEncodeBytes(b, validity: validity, limitBytes: limit, fixed: false, signedOrder: false)
        case .fixedLenByteArray(let b):
            return dictionaryEncodeBytes(b, validity: validity, limitBytes: limit, fixed: true, signedOrder: order == .signedBytes)
        }
    }

    /// Splits rows into pages by row count and (estimated) encoded size.
    private func pageRanges(_ column: Column, validity: [Bool]?, dict: DictionaryEncoded?, indexWidth: Int) -> [Page] {
        let rows = column.count
        var pages: [Page] = []
        var row = 0
        var value = 0
        let fixedWidth: Int
        switch column.values {
        case .boolean: fixedWidth = 1
        case .int32, .float: fixedWidth = 4
        case .int64, .double: fixedWidth = 8
        case .int96: fixedWidth = 12
        case .fixedLenByteArray: fixedWidth = field.type.typeLength ?? 1
        case .byteArray: fixedWidth = 0
        }
        let offsets: [Int32]? = { if dict == nil, case .byteArray(let b) = column.values { return b.offsets } else { return nil } }()
        let limit = options.pageRowLimit
        while row < rows || (rows == 0 && pages.isEmpty) {
            let startRow = row, startValue = value
            if let offsets {
                // PLAIN byte arrays: cut pages by encoded size.
                var bytes = 0
                while row < rows && row - startRow < limit && bytes < options.pageSize {
                    if validity?[row] ?? true {
                        bytes += 4 + Int(offsets[row + 1] - offsets[row])
                        value += 1
                    }
                    row += 1
                }
            } else {
                // Fixed-size entries (values or dictionary indices): size is a row count.
                let width = dict != nil ? max(indexWidth, 1) : fixedWidth * 8
                let maxRows = max(1, min(limit, options.pageSize * 8 / max(width, 1)))
                let end = min(rows, row + maxRows)
                if let validity {
                    value += validity[row..<end].reduce(0) { $0 + ($1 ? 1 : 0) }
                } else {
                    value += end - row
                }
                row = end
            }
            pages.append(Page(rows: startRow..<row, values: startValue..<value))
            if rows == 0 { break }
        }
        return pages
    }

    private func encodePlain(_ values: ColumnValues, rows: Range<Int>, validity: [Bool]?, into out: inout [UInt8]) {
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

    private func plainStats(_ values: ColumnValues, rows: Range<Int>, validity: [Bool]?, order: StatOrder) -> Statistics {
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
    private func dictionaryStats(_ dict: DictionaryEncoded, page: Page, column: Column) -> Statistics {
        var lo = Int32.max, hi = Int32.min
        dict.indices.withUnsafeBufferPointer { idx in
            dict.ranks.withUnsafeBufferPointer { ranks in
                for k in page.values {
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
