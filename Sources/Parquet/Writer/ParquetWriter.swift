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

/// Writes a Parquet file from column arrays: flat columns, or nested fields (groups,
/// lists, maps) as shredded leaves. Buffers at most one row group; each full row group is
/// encoded and handed to the sink, then the footer on `close()`.
public final class ParquetWriter {
    public let fields: [Field]
    public let options: WriterOptions
    /// File key/value metadata written in the footer; may be set until `close()`.
    public var keyValueMetadata: [KeyValue] = []
    private let sink: ParquetSink
    private let codec: PageCodec
    /// Per field: how its leaves are levelled (nil for flat fields).
    private let layouts: [NestedLayout?]
    private var position: Int64 = 0
    private var rowGroups: [RowGroup] = []
    private var pending: [FieldColumn]?
    private var pendingRows = 0
    private var totalRows: Int64 = 0
    private var closed = false

    public init(sink: ParquetSink, fields: [Field], options: WriterOptions = WriterOptions()) throws {
        guard !fields.isEmpty else { throw ParquetError(.invalidArgument, "a Parquet file needs at least one column") }
        guard options.dataPageVersion == 1 || options.dataPageVersion == 2 else {
            throw ParquetError(.invalidArgument, "data page version must be 1 or 2")
        }
        if [CompressionCodec.uncompressed, .snappy, .gzip, .zstd].contains(options.compression) == false {
            throw ParquetError(.unsupported, "writing with codec \(options.compression)")
        }
        var seen = Set<String>()
        var layouts: [NestedLayout?] = []
        for f in fields {
            guard seen.insert(f.name).inserted else { throw ParquetError(.invalidArgument, "duplicate column name \(f.name)") }
            guard f.type.isNested else {
                try Self.checkPrimitive(f.type, name: f.name)
                layouts.append(nil)
                continue
            }
            let layout: NestedLayout
            do {
                layout = try NestedLayout(f)
            } catch let e as NestedColumnError {
                throw ParquetError(.invalidArgument, "column \(f.name): \(e.description)")
            }
            for leaf in layout.leaves { try Self.checkPrimitive(leaf.field.type, name: leaf.path.joined(separator: ".")) }
            layouts.append(layout)
        }
        self.fields = fields
        self.layouts = layouts
        self.options = options
        self.sink = sink
        self.codec = PageCodec(zstdLevel: options.zstdLevel, gzipLevel: options.gzipLevel)
        try emit(Array("PAR1".utf8))
    }

    private static func checkPrimitive(_ type: FieldType, name: String) throws {
        if case .decimal(let p, let s) = type, p < 1 || s < 0 || s > p || p > 76 {
            throw ParquetError(.invalidArgument, "column \(name): invalid decimal(\(p), \(s))")
        }
        if case .fixedLenByteArray(let n) = type, n <= 0 {
            throw ParquetError(.invalidArgument, "column \(name): fixed length must be positive")
        }
    }

    /// Appends rows given as one `Column` per field (all the same length); flat schemas only.
    public func write(_ columns: [Column]) throws {
        if let nested = fields.first(where: { $0.type.isNested }) {
            throw ParquetError(.invalidArgument, "column \(nested.name) is nested: write FieldColumns")
        }
        try write(columns.map { FieldColumn.flat($0) })
    }

    /// Appends rows given as one `FieldColumn` per field (all the same number of rows):
    /// `.flat` for primitive fields, `.nested` (from a `NestedColumnBuilder`) for the others.
    public func write(_ columns: [FieldColumn]) throws {
        guard !closed else { throw ParquetError(.invalidArgument, "writer is closed") }
        guard columns.count == fields.count else {
            throw ParquetError(.invalidArgument, "got \(columns.count) columns for \(fields.count) fields")
        }
        let rows = columns[0].rowCount
        for (i, (c, f)) in zip(columns, fields).enumerated() {
            guard c.rowCount == rows else {
                throw ParquetError(.invalidArgument, "column \(f.name) has \(c.rowCount) rows, expected \(rows)")
            }
            // Checked before buffering: appending a mismatched batch would lose rows.
            switch (c, layouts[i]) {
            case (.flat(let c), nil):
                guard c.values.physicalType == f.type.physicalType else {
                    throw ParquetError(.invalidArgument, "column \(f.name) is \(f.type) (\(f.type.physicalType)) but got \(c.values.physicalType) values")
                }
                if let v = c.validity, v.count != rows {
                    throw ParquetError(.invalidArgument, "column \(f.name): validity has \(v.count) entries for \(rows) values")
                }
                if !f.nullable, c.validity?.contains(false) == true {
                    throw ParquetError(.invalidArgument, "column \(f.name) is required but has nulls")
                }
            case (.nested(let n), let layout?):
                try n.check(against: layout)
            case (.flat, _?):
                throw ParquetError(.invalidArgument, "column \(f.name) is nested but got a flat column")
            case (.nested, nil):
                throw ParquetError(.invalidArgument, "column \(f.name) is flat but got a nested column")
            }
        }
        var start = 0
        while start < rows {
            let room = options.rowGroupRows - pendingRows
            let take = min(room, rows - start)
            let part = start == 0 && take == rows ? columns : columns.map { $0.slice(start..<start + take) }
            if var p = pending {
                pending = nil  // so the columns below are uniquely referenced and grow in place
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

    private func writeRowGroup(_ columns: [FieldColumn], rows: Int) throws {
        let start = position
        var chunks: [ColumnChunk] = []
        var totalUncompressed: Int64 = 0
        func add(_ writer: ColumnChunkWriter, _ column: Column, definitions: [UInt8]? = nil, repetitions: [UInt8]? = nil) throws {
            let md = try writer.write(column, definitionLevels: definitions, repetitionLevels: repetitions, fileOffset: position) { bytes in
                try sink.write(bytes)
                position += Int64(bytes.count)
            }
            totalUncompressed += md.totalUncompressedSize
            chunks.append(ColumnChunk(filePath: nil, fileOffset: md.dictionaryPageOffset ?? md.dataPageOffset, metaData: md))
        }
        for (i, (column, field)) in zip(columns, fields).enumerated() {
            switch (column, layouts[i]) {
            case (.flat(let c), _):
                try add(ColumnChunkWriter(field: field, options: options, codec: codec), c)
            case (.nested(let n), let layout?):
                for (leaf, data) in zip(layout.leaves, n.leaves) {
                    try add(ColumnChunkWriter(leaf: leaf, options: options, codec: codec), data.column,
                            definitions: data.maxDefinitionLevel > 0 ? data.definitionLevels : nil,
                            repetitions: data.maxRepetitionLevel > 0 ? data.repetitionLevels : nil)
                }
            case (.nested, nil):
                throw ParquetError(.invalidArgument, "column \(field.name) is flat but got a nested column")
            }
        }
        rowGroups.append(RowGroup(columns: chunks, totalByteSize: totalUncompressed, numRows: Int64(rows),
                                  fileOffset: start, totalCompressedSize: position - start,
                                  ordinal: Int16(truncatingIfNeeded: rowGroups.count)))
        totalRows += Int64(rows)
    }

    /// Flushes the last row group and writes the footer. Returns the footer written.
    @discardableResult
    public func close() throws -> FileMetaData {
        guard !closed else { throw ParquetError(.invalidArgument, "writer already closed") }
        try flushRowGroup()
        closed = true
        var elements = [SchemaElement(name: "schema", numChildren: Int32(fields.count))]
        for f in fields { elements.append(contentsOf: f.schemaElements) }
        let leafCount = layouts.reduce(0) { $0 + ($1?.leaves.count ?? 1) }
        let meta = FileMetaData(version: 2, schema: elements, numRows: totalRows, rowGroups: rowGroups,
                                keyValueMetadata: keyValueMetadata.isEmpty ? nil : keyValueMetadata,
                                createdBy: options.createdBy, columnOrderCount: leafCount)
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

    private func estimatedBytes(_ columns: [FieldColumn]) -> Int {
        columns.reduce(0) { sum, column in
            switch column {
            case .flat(let c): return sum + Self.estimatedBytes(c.values)
            case .nested(let n):
                return n.leaves.reduce(sum) { $0 + Self.estimatedBytes($1.values) + $1.definitionLevels.count + $1.repetitionLevels.count }
            }
        }
    }

    private static func estimatedBytes(_ values: ColumnValues) -> Int {
        switch values {
        case .boolean(let v): return v.count
        case .int32(let v): return v.count * 4
        case .float(let v): return v.count * 4
        case .int64(let v): return v.count * 8
        case .double(let v): return v.count * 8
        case .int96(let v): return v.count * 12
        case .byteArray(let b), .fixedLenByteArray(let b): return b.data.count + b.count * 4
        }
    }

    /// Writes a whole file into memory in one call.
    public static func write(fields: [Field], columns: [Column], options: WriterOptions = WriterOptions(),
                             keyValueMetadata: [KeyValue] = []) throws -> [UInt8] {
        try inMemory(fields: fields, options: options, keyValueMetadata: keyValueMetadata) { try $0.write(columns) }
    }

    /// Writes a whole file of flat and nested columns into memory in one call.
    public static func write(fields: [Field], columns: [FieldColumn], options: WriterOptions = WriterOptions(),
                             keyValueMetadata: [KeyValue] = []) throws -> [UInt8] {
        try inMemory(fields: fields, options: options, keyValueMetadata: keyValueMetadata) { try $0.write(columns) }
    }

    private static func inMemory(fields: [Field], options: WriterOptions, keyValueMetadata: [KeyValue],
                                 rows: (ParquetWriter) throws -> Void) throws -> [UInt8] {
        let sink = MemorySink()
        let w = try ParquetWriter(sink: sink, fields: fields, options: options)
        w.keyValueMetadata = keyValueMetadata
        try rows(w)
        try w.close()
        return sink.data
    }
}
