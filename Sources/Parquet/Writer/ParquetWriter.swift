import TributaryCore

/// Writer settings. Defaults follow pyarrow's so files and benchmarks compare fairly.
public struct WriterOptions: Sendable {
    public var compression: CompressionCodec = .snappy
    /// A row group is flushed once it holds this many rows...
    public var rowGroupRows = 1_048_576
    /// ...or this many bytes of (uncompressed, in-memory) column data.
    public var rowGroupBytes = 128 << 20
    /// Target data page size before compression.
    public var pageSize = 1 << 20
    /// Maximum rows per data page.
    public var pageRowLimit = 20_000
    /// Dictionary-encode columns; falls back to PLAIN per chunk past `dictionaryPageSizeLimit`.
    public var dictionary = true
    public var dictionaryPageSizeLimit = 1 << 20
    /// Page and chunk min/max/null-count statistics.
    public var statistics = true
    /// CRC-32 of every page in its header.
    public var pageChecksums = true
    /// Data page format: 1 (most compatible, the default) or 2 (levels stored uncompressed).
    public var dataPageVersion = 1
    public var zstdLevel: Int32 = 1
    public var gzipLevel: Int32 = 6
    public var createdBy = "tributary-parquet version 0.1.0"

    public init() {}
}

/// Writes a flat Parquet file from column arrays. Buffers at most one row group; each
/// full row group is encoded and handed to the sink, then the footer on `close()`.
public final class ParquetWriter {
    public let fields: [Field]
    public let options: WriterOptions
    /// File key/value metadata written in the footer; may be set until `close()`.
    public var keyValueMetadata: [KeyValue] = []
    private let sink: ParquetSink
    private let codec: PageCodec
    private var position: Int64 = 0
    private var rowGroups: [RowGroup] = []
    private var pending: [Column]?
    private var pendingRows = 0
    private var totalRows: Int64 = 0
    private var closed = false

    public init(sink: ParquetSink, fields: [Field], options: WriterOptions = WriterOptions()) throws {
        guard !fields.isEmpty else { throw ParquetError.invalidArgument("a Parquet file needs at least one column") }
        var seen = Set<String>()
        for f in fields {
            guard seen.insert(f.name).inserted else { throw ParquetError.invalidArgument("duplicate column name \(f.name)") }
            if case .decimal(let p, let s) = f.type, p < 1 || s < 0 || s > p || p > 76 {
                throw ParquetError.invalidArgument("column \(f.name): invalid decimal(\(p), \(s))")
            }
            if case .fixedLenByteArray(let n) = f.type, n <= 0 {
                throw ParquetError.invalidArgument("column \(f.name): fixed length must be positive")
            }
            guard options.dataPageVersion == 1 || options.dataPageVersion == 2 else {
                throw ParquetError.invalidArgument("data page version must be 1 or 2")
            }
            if [CompressionCodec.uncompressed, .snappy, .gzip, .zstd].contains(options.compression) == false {
                throw ParquetError.unsupported("writing with codec \(options.compression)")
            }
        }
        self.fields = fields
        self.options = options
        self.sink = sink
        self.codec = PageCodec(zstdLevel: options.zstdLevel, gzipLevel: options.gzipLevel)
        try emit(Array("PAR1".utf8))
    }

    /// Appends rows given as one `Column` per field (all the same length).
    public func write(_ columns: [Column]) throws {
        guard !closed else { throw ParquetError.invalidArgument("writer is closed") }
        guard columns.count == fields.count else {
            throw ParquetError.invalidArgument("got \(columns.count) columns for \(fields.count) fields")
        }
        let rows = columns[0].count
        for (c, f) in zip(columns, fields) {
            guard c.count == rows else { throw ParquetError.invalidArgument("column \(f.name) has \(c.count) rows, expected \(rows)") }
            // Checked before buffering: appending a mismatched batch would lose rows.
            guard c.values.physicalType == f.type.physicalType else {
                throw ParquetError.invalidArgument("column \(f.name) is \(f.type) (\(f.type.physicalType)) but got \(c.values.physicalType) values")
            }
            if let v = c.validity, v.count != rows {
                throw ParquetError.invalidArgument("column \(f.name): validity has \(v.count) entries for \(rows) values")
            }
            if !f.nullable, c.validity?.contains(false) == true {
                throw ParquetError.invalidArgument("column \(f.name) is required but has nulls")
            }
        }
        var start = 0
        while start < rows {
            let room = options.rowGroupRows - pendingRows
            let take = min(room, rows - start)
            let part = start == 0 && take == rows ? columns : columns.map { $0.slice(start..<start + take) }
            if var p = pending {
                for i in p.indices { p[i].append(part[i]) }
                pending = p
            } else {
                pending = part
            }
            pendingRows += take
            start += take
            if pendingRows >= options.rowGroupRows || (pending.map(estimatedBytes) ?? 0) >= options.rowGroupBytes {
                try flushRowGroup()
            }
        }
    }

    /// Encodes and writes the buffered rows as a row group (no-op when empty).
    public func flushRowGroup() throws {
        guard let columns = pending, pendingRows > 0 else { return }
        pending = nil
        let rows = pendingRows
        pendingRows = 0
        try writeRowGroup(columns, rows: rows)
    }

    private func writeRowGroup(_ columns: [Column], rows: Int) throws {
        let start = position
        var chunks: [ColumnChunk] = []
        var totalUncompressed: Int64 = 0
        for (column, field) in zip(columns, fields) {
            let w = ColumnChunkWriter(field: field, options: options, codec: codec)
            let md = try w.write(column, fileOffset: position) { bytes in
                try sink.write(bytes)
                position += Int64(bytes.count)
            }
            totalUncompressed += md.totalUncompressedSize
            chunks.append(ColumnChunk(filePath: nil, fileOffset: md.dictionaryPageOffset ?? md.dataPageOffset, metaData: md))
        }
        rowGroups.append(RowGroup(columns: chunks, totalByteSize: totalUncompressed, numRows: Int64(rows),
                                  fileOffset: start, totalCompressedSize: position - start,
                                  ordinal: Int16(truncatingIfNeeded: rowGroups.count)))
        totalRows += Int64(rows)
    }

    /// Flushes the last row group and writes the footer. Returns the footer written.
    @discardableResult
    public func close() throws -> FileMetaData {
        guard !closed else { throw ParquetError.invalidArgument("writer already closed") }
        try flushRowGroup()
        closed = true
        var elements = [SchemaElement(name: "schema", numChildren: Int32(fields.count))]
        elements.append(contentsOf: fields.map(\.schemaElement))
        let meta = FileMetaData(version: 2, schema: elements, numRows: totalRows, rowGroups: rowGroups,
                                keyValueMetadata: keyValueMetadata.isEmpty ? nil : keyValueMetadata,
                                createdBy: options.createdBy, columnOrderCount: fields.count)
        var w = CompactWriter()
        w.fileMetaData(meta)
        try emit(w.bytes)
        var tail = [UInt8]()
        tail.appendLE(UInt32(w.bytes.count))
        tail.append(contentsOf: Array("PAR1".utf8))
        try emit(tail)
        return meta
    }

    private func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try sink.write($0) }
        position += Int64(bytes.count)
    }

    private func estimatedBytes(_ columns: [Column]) -> Int {
        columns.reduce(0) { sum, c in
            switch c.values {
            case .boolean(let v): return sum + v.count
            case .int32(let v): return sum + v.count * 4
            case .float(let v): return sum + v.count * 4
            case .int64(let v): return sum + v.count * 8
            case .double(let v): return sum + v.count * 8
            case .int96(let v): return sum + v.count * 12
            case .byteArray(let b), .fixedLenByteArray(let b): return sum + b.data.count + b.count * 4
            }
        }
    }

    /// Writes a whole file into memory in one call.
    public static func write(fields: [Field], columns: [Column], options: WriterOptions = WriterOptions(),
                             keyValueMetadata: [KeyValue] = []) throws -> [UInt8] {
        let sink = MemorySink()
        let w = try ParquetWriter(sink: sink, fields: fields, options: options)
        w.keyValueMetadata = keyValueMetadata
        try w.write(columns)
        try w.close()
        return sink.data
    }
}

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
