import TributaryCore

// Thrift field ids follow parquet.thrift from apache/parquet-format.

private func enumValue<E: RawRepresentable>(_ r: inout CompactReader, _ what: String) throws -> E where E.RawValue == Int32 {
    let v = try r.i32()
    guard let e = E(rawValue: v) else { throw ParquetError(.unsupported, "unknown \(what) \(v)") }
    return e
}

/// The members of `TimeUnit` (a union of empty structs), by field id.
private let timeUnits: [Int16: TimeUnit] = [1: .millis, 2: .micros, 3: .nanos]

/// The members of `LogicalType` that are empty structs, by field id (the others carry
/// fields and are read in `logicalType`).
private let emptyLogicalTypes: [Int16: LogicalType] = [
    1: .string, 2: .map, 3: .list, 4: .enumeration, 6: .date, 11: .unknown, 12: .json, 13: .bson, 14: .uuid, 15: .float16,
]

private func timeUnit(_ r: inout CompactReader) throws -> TimeUnit {
    var unit: TimeUnit?
    try r.readStruct { r, id, t in
        if let member = timeUnits[id] { unit = member }
        try r.skip(t)
    }
    guard let unit else { throw ParquetError(.corrupt, "time unit without a member") }
    return unit
}

private func timeLike(_ r: inout CompactReader) throws -> (Bool, TimeUnit) {
    var utc = false
    var unit: TimeUnit?
    try r.readStruct { r, id, t in
        switch id {
        case 1: utc = r.bool(t)
        case 2: unit = try timeUnit(&r)
        default: try r.skip(t)
        }
    }
    guard let unit else { throw ParquetError(.corrupt, "TIME/TIMESTAMP logical type without unit") }
    return (utc, unit)
}

private func logicalType(_ r: inout CompactReader) throws -> LogicalType? {
    var result: LogicalType?
    try r.readStruct { r, id, t in
        if let member = emptyLogicalTypes[id] {
            result = member
            try r.skip(t)
            return
        }
        switch id {
        case 5:
            var scale: Int32 = 0, precision: Int32 = 0
            try r.readStruct { r, id, t in
                switch id {
                case 1: scale = try r.i32()
                case 2: precision = try r.i32()
                default: try r.skip(t)
                }
            }
            result = .decimal(precision: precision, scale: scale)
        case 7: let (u, unit) = try timeLike(&r); result = .time(isAdjustedToUTC: u, unit: unit)
        case 8: let (u, unit) = try timeLike(&r); result = .timestamp(isAdjustedToUTC: u, unit: unit)
        case 10:
            var width: Int8 = 32, signed = true
            try r.readStruct { r, id, t in
                switch id {
                case 1: width = Int8(bitPattern: try r.byte())
                case 2: signed = r.bool(t)
                default: try r.skip(t)
                }
            }
            result = .integer(bitWidth: width, isSigned: signed)
        default: result = .other(id); try r.skip(t)
        }
    }
    return result
}

func decodeSchemaElement(_ r: inout CompactReader) throws -> SchemaElement {
    var e = SchemaElement(name: "")
    var sawName = false
    try r.readStruct { r, id, t in
        switch id {
        case 1: e.type = try enumValue(&r, "physical type")
        case 2: e.typeLength = try r.i32()
        case 3: e.repetition = try enumValue(&r, "repetition")
        case 4: e.name = try r.string(); sawName = true
        case 5: e.numChildren = try r.i32()
        case 6: e.convertedType = try? enumValue(&r, "converted type") as ConvertedType
        case 7: e.scale = try r.i32()
        case 8: e.precision = try r.i32()
        case 9: e.fieldId = try r.i32()
        case 10: e.logicalType = try logicalType(&r)
        default: try r.skip(t)
        }
    }
    guard sawName else { throw ParquetError(.corrupt, "schema element without a name") }
    return e
}

private func keyValue(_ r: inout CompactReader) throws -> KeyValue {
    var kv = KeyValue(key: "", value: nil)
    try r.readStruct { r, id, t in
        switch id {
        case 1: kv.key = try r.string()
        case 2: kv.value = try r.string()
        default: try r.skip(t)
        }
    }
    return kv
}

func decodeStatistics(_ r: inout CompactReader) throws -> Statistics {
    var s = Statistics()
    var legacyMin: [UInt8]?, legacyMax: [UInt8]?
    try r.readStruct { r, id, t in
        switch id {
        case 1: legacyMax = try r.binary()
        case 2: legacyMin = try r.binary()
        case 3: s.nullCount = try r.i64()
        case 4: s.distinctCount = try r.i64()
        case 5: s.max = try r.binary()
        case 6: s.min = try r.binary()
        default: try r.skip(t)
        }
    }
    if s.min == nil && s.max == nil && (legacyMin != nil || legacyMax != nil) {
        s.min = legacyMin
        s.max = legacyMax
        s.isLegacy = true
    }
    return s
}

private func columnMetaData(_ r: inout CompactReader) throws -> ColumnMetaData {
    var type: PhysicalType?
    var encodings: [Encoding] = []
    var path: [String] = []
    var codec: CompressionCodec?
    var numValues: Int64 = 0, uncompressed: Int64 = 0, compressed: Int64 = 0
    var kv: [KeyValue]?
    var dataPageOffset: Int64?
    var indexPageOffset: Int64?, dictionaryPageOffset: Int64?
    var stats: Statistics?
    try r.readStruct { r, id, t in
        switch id {
        case 1: type = try enumValue(&r, "physical type")
        case 2: encodings = try r.list { r in try? enumValue(&r, "encoding") as Encoding }.compactMap { $0 }
        case 3: path = try r.list { r in try r.string() }
        case 4: codec = try enumValue(&r, "compression codec")
        case 5: numValues = try r.i64()
        case 6: uncompressed = try r.i64()
        case 7: compressed = try r.i64()
        case 8: kv = try r.list(keyValue)
        case 9: dataPageOffset = try r.i64()
        case 10: indexPageOffset = try r.i64()
        case 11: dictionaryPageOffset = try r.i64()
        case 12: stats = try decodeStatistics(&r)
        default: try r.skip(t)
        }
    }
    guard let type, let codec, let dataPageOffset else {
        throw ParquetError(.corrupt, "column metadata lacks type, codec or data page offset")
    }
    return ColumnMetaData(type: type, encodings: encodings, pathInSchema: path, codec: codec, numValues: numValues,
                          totalUncompressedSize: uncompressed, totalCompressedSize: compressed,
                          keyValueMetadata: kv, dataPageOffset: dataPageOffset, indexPageOffset: indexPageOffset,
                          dictionaryPageOffset: dictionaryPageOffset, statistics: stats)
}

private func columnChunk(_ r: inout CompactReader) throws -> ColumnChunk {
    var c = ColumnChunk(filePath: nil, fileOffset: 0, metaData: nil)
    try r.readStruct { r, id, t in
        switch id {
        case 1: c.filePath = try r.string()
        case 2: c.fileOffset = try r.i64()
        case 3: c.metaData = try columnMetaData(&r)
        case 8, 9: throw ParquetError(.unsupported, "encrypted column chunks")
        default: try r.skip(t)
        }
    }
    return c
}

private func rowGroup(_ r: inout CompactReader) throws -> RowGroup {
    var g = RowGroup(columns: [], totalByteSize: 0, numRows: 0)
    try r.readStruct { r, id, t in
        switch id {
        case 1: g.columns = try r.list(columnChunk)
        case 2: g.totalByteSize = try r.i64()
        case 3: g.numRows = try r.i64()
        case 5: g.fileOffset = try r.i64()
        case 6: g.totalCompressedSize = try r.i64()
        case 7: g.ordinal = Int16(truncatingIfNeeded: try r.i32())
        default: try r.skip(t)
        }
    }
    return g
}

/// Decodes the footer (`FileMetaData`).
func decodeFileMetaData(_ bytes: [UInt8]) throws -> FileMetaData {
    var r = CompactReader(bytes)
    var m = FileMetaData(version: 0, schema: [], numRows: 0, rowGroups: [])
    try r.readStruct { r, id, t in
        switch id {
        case 1: m.version = try r.i32()
        case 2: m.schema = try r.list(decodeSchemaElement)
        case 3: m.numRows = try r.i64()
        case 4: m.rowGroups = try r.list(rowGroup)
        case 5: m.keyValueMetadata = try r.list(keyValue)
        case 6: m.createdBy = try r.string()
        case 7: m.columnOrderCount = try r.list { r in try r.skip(.structure) }.count
        case 8: throw ParquetError(.unsupported, "encrypted footer")
        default: try r.skip(t)
        }
    }
    guard !m.schema.isEmpty else { throw ParquetError(.corrupt, "footer has an empty schema") }
    return m
}

/// Decodes a page header at `position`, advancing it.
func decodePageHeader(_ bytes: [UInt8], position: inout Int, end: Int) throws -> PageHeader {
    var r = CompactReader(bytes, from: position, to: end)
    var type: PageType?
    var uncompressed: Int32 = -1, compressed: Int32 = -1
    var crc: Int32?
    var dp: DataPageHeader?
    var dict: DictionaryPageHeader?
    var dp2: DataPageHeaderV2?
    try r.readStruct { r, id, t in
        switch id {
        case 1: type = try enumValue(&r, "page type")
        case 2: uncompressed = try r.i32()
        case 3: compressed = try r.i32()
        case 4: crc = try r.i32()
        case 5:
            var h = DataPageHeader(numValues: -1, encoding: .plain, definitionLevelEncoding: .rle, repetitionLevelEncoding: .rle)
            try r.readStruct { r, id, t in
                switch id {
                case 1: h.numValues = try r.i32()
                case 2: h.encoding = try enumValue(&r, "encoding")
                case 3: h.definitionLevelEncoding = try enumValue(&r, "encoding")
                case 4: h.repetitionLevelEncoding = try enumValue(&r, "encoding")
                case 5: h.statistics = try decodeStatistics(&r)
                default: try r.skip(t)
                }
            }
            dp = h
        case 7:
            var h = DictionaryPageHeader(numValues: -1, encoding: .plain)
            try r.readStruct { r, id, t in
                switch id {
                case 1: h.numValues = try r.i32()
                case 2: h.encoding = try enumValue(&r, "encoding")
                case 3: h.isSorted = r.bool(t)
                default: try r.skip(t)
                }
            }
            dict = h
        case 8:
            var h = DataPageHeaderV2(numValues: -1, numNulls: 0, numRows: 0, encoding: .plain)
            try r.readStruct { r, id, t in
                switch id {
                case 1: h.numValues = try r.i32()
                case 2: h.numNulls = try r.i32()
                case 3: h.numRows = try r.i32()
                case 4: h.encoding = try enumValue(&r, "encoding")
                case 5: h.definitionLevelsByteLength = try r.i32()
                case 6: h.repetitionLevelsByteLength = try r.i32()
                case 7: h.isCompressed = r.bool(t)
                case 8: h.statistics = try decodeStatistics(&r)
                default: try r.skip(t)
                }
            }
            dp2 = h
        default: try r.skip(t)
        }
    }
    guard let type else { throw ParquetError(.corrupt, "page header without type") }
    guard uncompressed >= 0, compressed >= 0 else { throw ParquetError(.corrupt, "page header with negative sizes") }
    position = r.position
    return PageHeader(type: type, uncompressedPageSize: uncompressed, compressedPageSize: compressed, crc: crc,
                      dataPageHeader: dp, dictionaryPageHeader: dict, dataPageHeaderV2: dp2)
}
