import TributaryCore

// Thrift field ids follow parquet.thrift from apache/parquet-format.

extension CompactWriter {
    mutating func timeUnit(_ id: Int16, _ unit: TimeUnit) {
        beginStruct(id)
        switch unit {
        case .millis: emptyStruct(1)
        case .micros: emptyStruct(2)
        case .nanos: emptyStruct(3)
        }
        endStruct()
    }

    mutating func logicalType(_ id: Int16, _ t: LogicalType) {
        beginStruct(id)
        switch t {
        case .string: emptyStruct(1)
        case .map: emptyStruct(2)
        case .list: emptyStruct(3)
        case .enumeration: emptyStruct(4)
        case .decimal(let p, let s):
            beginStruct(5); i32(1, s); i32(2, p); endStruct()
        case .date: emptyStruct(6)
        case .time(let utc, let unit):
            beginStruct(7); bool(1, utc); timeUnit(2, unit); endStruct()
        case .timestamp(let utc, let unit):
            beginStruct(8); bool(1, utc); timeUnit(2, unit); endStruct()
        case .integer(let w, let s):
            beginStruct(10); byteField(1, w); bool(2, s); endStruct()
        case .unknown: emptyStruct(11)
        case .json: emptyStruct(12)
        case .bson: emptyStruct(13)
        case .uuid: emptyStruct(14)
        case .float16: emptyStruct(15)
        case .other(let id): emptyStruct(id)
        }
        endStruct()
    }

    mutating func schemaElement(_ e: SchemaElement) {
        beginStruct()
        if let v = e.type { i32(1, v.rawValue) }
        if let v = e.typeLength { i32(2, v) }
        if let v = e.repetition { i32(3, v.rawValue) }
        string(4, e.name)
        if let v = e.numChildren { i32(5, v) }
        if let v = e.convertedType { i32(6, v.rawValue) }
        if let v = e.scale { i32(7, v) }
        if let v = e.precision { i32(8, v) }
        if let v = e.fieldId { i32(9, v) }
        if let v = e.logicalType { logicalType(10, v) }
        endStruct()
    }

    mutating func keyValues(_ id: Int16, _ kvs: [KeyValue]) {
        listField(id, .structure, kvs.count)
        for kv in kvs {
            beginStruct()
            string(1, kv.key)
            if let v = kv.value { string(2, v) }
            endStruct()
        }
    }

    mutating func statistics(_ id: Int16, _ s: Statistics) {
        beginStruct(id)
        if let v = s.nullCount { i64(3, v) }
        if let v = s.distinctCount { i64(4, v) }
        if let v = s.max { binary(5, v) }
        if let v = s.min { binary(6, v) }
        endStruct()
    }

    mutating func columnMetaData(_ id: Int16, _ m: ColumnMetaData) {
        beginStruct(id)
        i32(1, m.type.rawValue)
        listField(2, .i32, m.encodings.count)
        for e in m.encodings { zigzag(Int64(e.rawValue)) }
        listField(3, .binary, m.pathInSchema.count)
        for p in m.pathInSchema { rawBinary(Array(p.utf8)) }
        i32(4, m.codec.rawValue)
        i64(5, m.numValues)
        i64(6, m.totalUncompressedSize)
        i64(7, m.totalCompressedSize)
        if let kv = m.keyValueMetadata, !kv.isEmpty { keyValues(8, kv) }
        i64(9, m.dataPageOffset)
        if let v = m.indexPageOffset { i64(10, v) }
        if let v = m.dictionaryPageOffset { i64(11, v) }
        if let s = m.statistics { statistics(12, s) }
        endStruct()
    }

    mutating func fileMetaData(_ m: FileMetaData) {
        beginStruct()
        i32(1, m.version)
        listField(2, .structure, m.schema.count)
        for e in m.schema { schemaElement(e) }
        i64(3, m.numRows)
        listField(4, .structure, m.rowGroups.count)
        for g in m.rowGroups {
            beginStruct()
            listField(1, .structure, g.columns.count)
            for c in g.columns {
                beginStruct()
                if let p = c.filePath { string(1, p) }
                i64(2, c.fileOffset)
                if let md = c.metaData { columnMetaData(3, md) }
                endStruct()
            }
            i64(2, g.totalByteSize)
            i64(3, g.numRows)
            if let v = g.fileOffset { i64(5, v) }
            if let v = g.totalCompressedSize { i64(6, v) }
            if let v = g.ordinal { i16(7, v) }
            endStruct()
        }
        if let kv = m.keyValueMetadata, !kv.isEmpty { keyValues(5, kv) }
        if let v = m.createdBy { string(6, v) }
        if let n = m.columnOrderCount, n > 0 {
            listField(7, .structure, n)
            for _ in 0..<n { beginStruct(); emptyStruct(1); endStruct() }
        }
        endStruct()
    }

    mutating func pageHeader(_ h: PageHeader) {
        beginStruct()
        i32(1, h.type.rawValue)
        i32(2, h.uncompressedPageSize)
        i32(3, h.compressedPageSize)
        if let v = h.crc { i32(4, v) }
        if let d = h.dataPageHeader {
            beginStruct(5)
            i32(1, d.numValues)
            i32(2, d.encoding.rawValue)
            i32(3, d.definitionLevelEncoding.rawValue)
            i32(4, d.repetitionLevelEncoding.rawValue)
            if let s = d.statistics { statistics(5, s) }
            endStruct()
        }
        if let d = h.dictionaryPageHeader {
            beginStruct(7)
            i32(1, d.numValues)
            i32(2, d.encoding.rawValue)
            if let v = d.isSorted { bool(3, v) }
            endStruct()
        }
        if let d = h.dataPageHeaderV2 {
            beginStruct(8)
            i32(1, d.numValues)
            i32(2, d.numNulls)
            i32(3, d.numRows)
            i32(4, d.encoding.rawValue)
            i32(5, d.definitionLevelsByteLength)
            i32(6, d.repetitionLevelsByteLength)
            bool(7, d.isCompressed)
            if let s = d.statistics { statistics(8, s) }
            endStruct()
        }
        endStruct()
    }
}
