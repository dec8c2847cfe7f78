import Foundation
import TributaryCore

/// Encodes one leaf column chunk: optional dictionary page, then data pages (v1 or v2)
/// with RLE repetition and definition levels, statistics and CRC.
struct ColumnChunkWriter {
    /// The leaf field (its type, metadata and, for flat columns, nullability).
    let field: Field
    /// Path from the top-level field, e.g. `["tags", "list", "element"]`.
    let path: [String]
    let maxDefinitionLevel: Int
    let maxRepetitionLevel: Int
    let options: WriterOptions
    let codec: PageCodec

    /// A flat top-level column.
    init(field: Field, options: WriterOptions, codec: PageCodec) {
        self.field = field
        path = [field.name]
        maxDefinitionLevel = field.nullable ? 1 : 0
        maxRepetitionLevel = 0
        self.options = options
        self.codec = codec
    }

    /// A leaf of a nested field.
    init(leaf: NestedLayout.Leaf, options: WriterOptions, codec: PageCodec) {
        field = leaf.field
        path = leaf.path
        maxDefinitionLevel = leaf.maxDefinitionLevel
        maxRepetitionLevel = leaf.maxRepetitionLevel
        self.options = options
        self.codec = codec
    }

    var name: String { path.joined(separator: ".") }

    struct Page {
        /// Level entries (rows of a flat column).
        var entries: Range<Int>
        /// Range into the defined-value sequence.
        var values: Range<Int>
        /// Rows starting in this page (pages hold whole rows).
        var rows: Int
    }

    /// Encodes the chunk, handing pages to `emit` as they are ready (no chunk-sized buffer).
    /// `column` has a slot per entry; nested leaves pass their levels (validity must mark
    /// the entries at the maximum definition level), flat ones derive levels from validity.
    func write(_ column: Column, definitionLevels: [UInt8]? = nil, repetitionLevels: [UInt8]? = nil,
               fileOffset: Int64, emit: (UnsafeRawBufferPointer) throws -> Void) throws -> ColumnMetaData {
        let entries = column.count
        let validity = maxDefinitionLevel > 0 ? column.validity : nil
        if maxDefinitionLevel == 0 && column.validity?.contains(false) == true {
            throw ParquetError(.invalidArgument, "column \(name) is required but has nulls")
        }
        try checkType(column)
        let repetitions = maxRepetitionLevel > 0 ? repetitionLevels : nil
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
                throw ParquetError(.invalidArgument, "page of column \(name) larger than 2 GiB")
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
        let v2 = options.dataPageVersion == 2

        for page in pageRanges(column, validity: validity, repetitions: repetitions, dict: dict, indexWidth: indexWidth) {
            body.removeAll(keepingCapacity: true)
            var v2Levels: [UInt8] = []
            var repetitionBytes = 0
            // Levels: repetition then definition; v1 with a 4-byte length each, v2 without
            // (outside the compressed part).
            func appendLevels(_ levels: [UInt8], max: Int) {
                if v2 {
                    levels.withUnsafeBufferPointer { RLEEncoder.encode($0, bitWidth: bitWidth(of: UInt64(max)), into: &v2Levels) }
                } else {
                    body.append(contentsOf: [0, 0, 0, 0])
                    let start = body.count
                    levels.withUnsafeBufferPointer { RLEEncoder.encode($0, bitWidth: bitWidth(of: UInt64(max)), into: &body) }
                    let n = UInt32(body.count - start)
                    body.withUnsafeMutableBytes { $0.storeBytes(of: n.littleEndian, toByteOffset: start - 4, as: UInt32.self) }
                }
            }
            if let repetitions {
                appendLevels(Array(repetitions[page.entries]), max: maxRepetitionLevel)
                repetitionBytes = v2Levels.count
            }
            if maxDefinitionLevel > 0 {
                let levels: [UInt8]
                if let definitionLevels {
                    levels = Array(definitionLevels[page.entries])
                } else if let validity {
                    levels = page.entries.map { validity[$0] ? 1 : 0 }
                } else {
                    levels = [UInt8](repeating: UInt8(maxDefinitionLevel), count: page.entries.count)
                }
                appendLevels(levels, max: maxDefinitionLevel)
            }
            let pageStats: Statistics
            if let dict {
                body.append(UInt8(indexWidth))
                dict.indices.withUnsafeBufferPointer { idx in
                    RLEEncoder.encode(UnsafeBufferPointer(rebasing: idx[page.values]), bitWidth: indexWidth, into: &body)
                }
                pageStats = dictionaryStats(dict, values: page.values, column: column)
            } else {
                encodePlain(column.values, rows: page.entries, validity: validity, into: &body)
                pageStats = plainStats(column.values, rows: page.entries, validity: validity, order: order)
            }
            var s = pageStats
            let nulls = page.entries.count - page.values.count
            s.nullCount = Int64(nulls)
            stats.merge(s, hadValues: !page.values.isEmpty)
            let n = try body.withUnsafeBytes { try codec.compress($0, codec: options.compression, into: &scratch) }
            let encoding: Encoding = dict == nil ? .plain : .rleDictionary
            let header: PageHeader
            if v2 {
                header = PageHeader(
                    type: .dataPageV2, uncompressedPageSize: 0, compressedPageSize: 0,
                    dataPageHeaderV2: DataPageHeaderV2(
                        numValues: Int32(page.entries.count), numNulls: Int32(nulls), numRows: Int32(page.rows),
                        encoding: encoding, definitionLevelsByteLength: Int32(v2Levels.count - repetitionBytes),
                        repetitionLevelsByteLength: Int32(repetitionBytes), isCompressed: options.compression != .uncompressed,
                        statistics: options.statistics ? s : nil))
            } else {
                header = PageHeader(
                    type: .dataPage, uncompressedPageSize: 0, compressedPageSize: 0,
                    dataPageHeader: DataPageHeader(numValues: Int32(page.entries.count), encoding: encoding,
                                                   definitionLevelEncoding: .rle, repetitionLevelEncoding: .rle,
                                                   statistics: options.statistics ? s : nil))
            }
            uncompressedTotal += try emitPage(header, uncompressed: body.count, compressed: n, levels: v2Levels)
        }
        let meta = ColumnMetaData(
            type: field.type.physicalType,
            encodings: dict == nil ? [.plain, .rle] : [.plain, .rle, .rleDictionary],
            pathInSchema: path, codec: options.compression, numValues: Int64(entries),
            totalUncompressedSize: uncompressedTotal, totalCompressedSize: Int64(written),
            keyValueMetadata: field.metadata.isEmpty ? nil : field.metadata,
            dataPageOffset: dataPageOffset, indexPageOffset: nil, dictionaryPageOffset: dictionaryPageOffset,
            statistics: options.statistics ? stats.statistics : nil)
        return meta
    }

    private func checkType(_ column: Column) throws {
        let physical = field.type.physicalType
        guard column.values.physicalType == physical else {
            throw ParquetError(.invalidArgument, "column \(name) is \(field.type) (\(physical)) but got \(column.values.physicalType) values")
        }
        if let v = column.validity, v.count != column.count {
            throw ParquetError(.invalidArgument, "column \(name): validity has \(v.count) entries for \(column.count) values")
        }
        if case .fixedLenByteArray(let b) = column.values, let width = field.type.typeLength {
            for i in 0..<b.count where b.offsets[i + 1] - b.offsets[i] != Int32(width) {
                if let v = column.validity, !v[i], b.offsets[i + 1] == b.offsets[i] { continue }
                throw ParquetError(.invalidArgument, "column \(name) entry \(i): fixed-length value is not \(width) bytes")
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
}
