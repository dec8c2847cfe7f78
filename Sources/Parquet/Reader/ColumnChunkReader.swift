import TributaryCore

/// The decoded content of one leaf column chunk (or several concatenated): non-null values
/// plus the raw levels, as record assembly needs them.
public struct LeafColumnData: Sendable {
    /// Only the values that are present (definition level == max).
    public var values: ColumnValues
    /// One level per entry; nil when the column's max definition level is 0.
    public var definitionLevels: [UInt8]?
    /// One level per entry; nil when the column's max repetition level is 0.
    public var repetitionLevels: [UInt8]?
    /// Number of level entries (rows for flat columns).
    public var entryCount: Int
}

/// Largest number of values a single page may claim; bounds level allocations on corrupt input.
let maxValuesPerPage = 32 << 20

/// Decodes the pages of one column chunk.
struct ColumnChunkReader {
    let descriptor: ColumnDescriptor
    let codec: PageCodec

    func read(_ chunk: ColumnChunk, source: ParquetSource, rowGroupRows: Int64) throws -> LeafColumnData {
        let name = descriptor.dottedPath
        guard chunk.filePath?.isEmpty ?? true else { throw ParquetError(.unsupported, "column \(name) stored in an external file") }
        guard let md = chunk.metaData else { throw ParquetError(.corrupt, "column \(name) has no metadata") }
        guard md.type == descriptor.physicalType else {
            throw ParquetError(.corrupt, "column \(name) chunk type \(md.type) differs from schema type \(descriptor.physicalType)")
        }
        if md.numValues == 0 {
            return try decodePages([], expected: 0, codec: md.codec)
        }
        var start = md.dataPageOffset
        if let d = md.dictionaryPageOffset, d > 0, d < start { start = d }
        let length = md.totalCompressedSize
        guard start >= 4, length >= 0, start <= Int64(source.size), length <= Int64(source.size) - start else {
            throw ParquetError(.corrupt, "column \(name) chunk [\(start), +\(length)) lies outside the \(source.size)-byte file")
        }
        guard md.numValues >= 0 else { throw ParquetError(.corrupt, "column \(name) has negative value count") }
        if descriptor.maxRepetitionLevel == 0 && md.numValues != rowGroupRows {
            throw ParquetError(.corrupt, "column \(name) has \(md.numValues) values in a row group of \(rowGroupRows) rows")
        }
        let bytes = try source.read(offset: Int(start), length: Int(length))
        return try decodePages(bytes, expected: Int(md.numValues), codec: md.codec,
                               sizeHint: Int(clamping: md.totalUncompressedSize))
    }

    private func decodePages(_ bytes: [UInt8], expected: Int, codec compression: CompressionCodec, sizeHint: Int = 0) throws -> LeafColumnData {
        let name = descriptor.dottedPath
        let maxDef = descriptor.maxDefinitionLevel, maxRep = descriptor.maxRepetitionLevel
        guard maxDef <= 255, maxRep <= 255 else { throw ParquetError(.unsupported, "column \(name) nested deeper than 255 levels") }
        let fixedWidth = descriptor.physicalType == .fixedLenByteArray ? descriptor.typeLength : 0
        var values = ValueBuffer(type: descriptor.physicalType, fixedWidth: fixedWidth)
        // Reserve up front so buffers do not grow (and copy) page by page; the hints come
        // from the footer, so they are capped to keep corrupt numbers from allocating much.
        let reserveCap = 1 << 22
        values.reserve(min(expected, reserveCap))
        if descriptor.physicalType == .byteArray { values.bytes.data.reserveCapacity(min(sizeHint, 64 << 20)) }
        var dictionary: ValueBuffer?
        var defLevels: [UInt8] = []
        var repLevels: [UInt8] = []
        var read = 0
        var pos = 0
        while read < expected {
            guard pos < bytes.count else {
                throw ParquetError(.corrupt, "column \(name): chunk ends after \(read) of \(expected) values")
            }
            let header = try decodePageHeader(bytes, position: &pos, end: bytes.count)
            let size = Int(header.compressedPageSize)
            guard size <= bytes.count - pos else {
                throw ParquetError(.corrupt, "column \(name): page of \(size) bytes runs past the end of the chunk")
            }
            let bodyRange = pos..<pos + size
            pos += size
            if let crc = header.crc {
                let actual = bytes.withUnsafeBytes { pageCRC(UnsafeRawBufferPointer(rebasing: $0[bodyRange])) }
                guard actual == crc else {
                    throw ParquetError(.corrupt, "column \(name): page CRC mismatch (stored \(UInt32(bitPattern: crc)), computed \(UInt32(bitPattern: actual)))")
                }
            }
            switch header.type {
            case .indexPage:
                continue
            case .dictionaryPage:
                guard let dh = header.dictionaryPageHeader else { throw ParquetError(.corrupt, "column \(name): dictionary page without header") }
                guard dictionary == nil else { throw ParquetError(.corrupt, "column \(name): second dictionary page") }
                guard dh.encoding == .plain || dh.encoding == .plainDictionary else {
                    throw ParquetError(.unsupported, "dictionary page encoding \(dh.encoding)")
                }
                let body = try bytes.withUnsafeBytes {
                    try codec.decompress(UnsafeRawBufferPointer(rebasing: $0[bodyRange]), codec: compression,
                                         uncompressedSize: Int(header.uncompressedPageSize))
                }
                let n = Int(dh.numValues)
                guard n >= 0, n <= body.count * 8 + 1 else { throw ParquetError(.corrupt, "column \(name): dictionary of \(n) values in \(body.count) bytes") }
                var dict = ValueBuffer(type: descriptor.physicalType, fixedWidth: fixedWidth)
                try body.withUnsafeBytes { raw in
                    var c = ByteCursor(raw)
                    try ValueDecoding.plain(&c, count: n, into: &dict)
                }
                if descriptor.physicalType == .byteArray, dict.count > 0 {
                    // Dictionary-encoded strings expand to about (average entry) x (values).
                    let average = dict.bytes.data.count / dict.count + 1
                    values.bytes.data.reserveCapacity(min(average * expected, 256 << 20, max(sizeHint, bytes.count) * 64))
                }
                dictionary = dict
            case .dataPage:
                guard let dh = header.dataPageHeader else { throw ParquetError(.corrupt, "column \(name): data page without header") }
                let n = try pageValueCount(Int(dh.numValues), read: read, expected: expected)
                let body = try bytes.withUnsafeBytes {
                    try codec.decompress(UnsafeRawBufferPointer(rebasing: $0[bodyRange]), codec: compression,
                                         uncompressedSize: Int(header.uncompressedPageSize))
                }
                try body.withUnsafeBytes { raw in
                    var c = ByteCursor(raw)
                    if maxRep > 0 { try decodeLevelsV1(&c, encoding: dh.repetitionLevelEncoding, count: n, max: maxRep, into: &repLevels) }
                    let present = maxDef > 0
                        ? try decodeLevelsV1(&c, encoding: dh.definitionLevelEncoding, count: n, max: maxDef, into: &defLevels)
                        : n
                    try decodeValues(&c, encoding: dh.encoding, count: present, dictionary: dictionary, into: &values)
                }
                read += n
            case .dataPageV2:
                guard let dh = header.dataPageHeaderV2 else { throw ParquetError(.corrupt, "column \(name): v2 data page without header") }
                let n = try pageValueCount(Int(dh.numValues), read: read, expected: expected)
                let repLen = Int(dh.repetitionLevelsByteLength), defLen = Int(dh.definitionLevelsByteLength)
                guard repLen >= 0, defLen >= 0, repLen + defLen <= size,
                      repLen + defLen <= Int(header.uncompressedPageSize) else {
                    throw ParquetError(.corrupt, "column \(name): v2 level lengths exceed the page")
                }
                let present: Int = try bytes.withUnsafeBytes { all in
                    let raw = UnsafeRawBufferPointer(rebasing: all[bodyRange])
                    if maxRep > 0 {
                        try decodeLevels(UnsafeRawBufferPointer(rebasing: raw[0..<repLen]), count: n, max: maxRep, into: &repLevels)
                    }
                    if maxDef > 0 {
                        return try decodeLevels(UnsafeRawBufferPointer(rebasing: raw[repLen..<repLen + defLen]), count: n, max: maxDef, into: &defLevels)
                    }
                    return n
                }
                let valuesRange = bodyRange.lowerBound + repLen + defLen..<bodyRange.upperBound
                let uncompressedValues = Int(header.uncompressedPageSize) - repLen - defLen
                let body: [UInt8] = try bytes.withUnsafeBytes { all in
                    let raw = UnsafeRawBufferPointer(rebasing: all[valuesRange])
                    if dh.isCompressed && compression != .uncompressed && !(raw.isEmpty && uncompressedValues == 0) {
                        return try codec.decompress(raw, codec: compression, uncompressedSize: uncompressedValues)
                    }
                    return Array(raw)
                }
                try body.withUnsafeBytes { raw in
                    var c = ByteCursor(raw)
                    try decodeValues(&c, encoding: dh.encoding, count: present, dictionary: dictionary, into: &values)
                }
                read += n
            }
        }
        let vals = values.values
        return LeafColumnData(values: vals, definitionLevels: maxDef > 0 ? defLevels : nil,
                              repetitionLevels: maxRep > 0 ? repLevels : nil, entryCount: read)
    }

    private func pageValueCount(_ n: Int, read: Int, expected: Int) throws -> Int {
        guard n >= 0, n <= expected - read, n <= maxValuesPerPage else {
            throw ParquetError(.corrupt, "column \(descriptor.dottedPath): page claims \(n) values, \(expected - read) remain in the chunk")
        }
        return n
    }

    /// v1 levels: RLE with a 4-byte length prefix. Returns how many equal `max`.
    @discardableResult
    private func decodeLevelsV1(_ c: inout ByteCursor, encoding: Encoding, count: Int, max: Int, into out: inout [UInt8]) throws -> Int {
        if encoding == .bitPacked {
            // Deprecated BIT_PACKED levels: no length prefix, packed from the most significant bit.
            let width = bitWidth(of: UInt64(max))
            let data = try c.take((count * width + 7) / 8, "BIT_PACKED levels")
            var present = 0
            out.reserveCapacity(out.count + count)
            for i in 0..<count {
                var v = 0
                for b in 0..<width {
                    let bit = i * width + b
                    v = v << 1 | Int(data[bit >> 3] >> (7 - UInt8(bit & 7)) & 1)
                }
                guard v <= max else { throw ParquetError(.corrupt, "level \(v) above the maximum \(max)") }
                if v == max { present += 1 }
                out.append(UInt8(v))
            }
            return present
        }
        guard encoding == .rle else { throw ParquetError(.unsupported, "\(encoding) level encoding") }
        let len = Int(try c.uint32LE())
        let data = try c.take(len, "levels")
        return try decodeLevels(data, count: count, max: max, into: &out)
    }

    @discardableResult
    private func decodeLevels(_ data: UnsafeRawBufferPointer, count: Int, max: Int, into out: inout [UInt8]) throws -> Int {
        var dec = try RLEDecoder(data, bitWidth: bitWidth(of: UInt64(max)))
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: count))
        var present = 0
        try out.withUnsafeMutableBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            try dec.decode(into: base + start, count: count)
            let m = UInt8(max)
            for i in start..<start + count {
                let l = buf[i]
                guard l <= m else { throw ParquetError(.corrupt, "level \(l) above the maximum \(max)") }
                if l == m { present += 1 }
            }
        }
        return present
    }

    private func decodeValues(_ c: inout ByteCursor, encoding: Encoding, count: Int, dictionary: ValueBuffer?,
                              into values: inout ValueBuffer) throws {
        switch encoding {
        case .plain:
            try ValueDecoding.plain(&c, count: count, into: &values)
        case .plainDictionary, .rleDictionary:
            guard let dictionary else {
                throw ParquetError(.corrupt, "column \(descriptor.dottedPath): dictionary-encoded page without a dictionary page")
            }
            try ValueDecoding.dictionary(&c, count: count, dictionary: dictionary, into: &values)
        case .rle:
            guard values.type == .boolean else { throw ParquetError(.unsupported, "RLE encoding for \(values.type) values") }
            try ValueDecoding.rleBooleans(&c, count: count, into: &values)
        case .deltaBinaryPacked:
            try requireType(of: values, in: [.int32, .int64], for: encoding)
            try ValueDecoding.appendIntegers(try ValueDecoding.deltaBinaryPacked(&c, count: count), into: &values)
        case .deltaLengthByteArray:
            try requireType(of: values, in: [.byteArray], for: encoding)
            try ValueDecoding.deltaLengthByteArray(&c, count: count, into: &values)
        case .deltaByteArray:
            try requireType(of: values, in: [.byteArray, .fixedLenByteArray], for: encoding)
            try ValueDecoding.deltaByteArray(&c, count: count, into: &values)
        case .byteStreamSplit:
            try ValueDecoding.byteStreamSplit(&c, count: count, into: &values)
        case .bitPacked:
            throw ParquetError(.unsupported, "BIT_PACKED value encoding")
        }
    }

    /// A page whose encoding is not defined for the column's physical type is corrupt.
    private func requireType(of values: ValueBuffer, in types: [PhysicalType], for encoding: Encoding) throws {
        guard types.contains(values.type) else { throw ParquetError(.corrupt, "\(encoding) for \(values.type) values") }
    }
}
