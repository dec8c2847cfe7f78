import TributaryCore

/// Reads a Parquet file: footer first (two ranged reads), then only the column chunks asked for.
public final class ParquetFileReader: Sendable {
    public let source: ParquetSource
    public let metadata: FileMetaData
    public let schema: Schema

    /// Largest footer accepted (guards the allocation against a corrupt length).
    static let maxFooterSize = 256 << 20

    public init(source: ParquetSource) throws {
        self.source = source
        let size = source.size
        guard size >= 12 else { throw ParquetError(.corrupt, "file of \(size) bytes is too small to be Parquet") }
        let head = try source.read(offset: 0, length: 4)
        let tail = try source.read(offset: size - 8, length: 8)
        guard head == Array("PAR1".utf8) else { throw ParquetError(.corrupt, "missing PAR1 magic at the start") }
        if tail[4...] == Array("PARE".utf8)[...] { throw ParquetError(.unsupported, "encrypted footer (PARE)") }
        guard tail[4...] == Array("PAR1".utf8)[...] else { throw ParquetError(.corrupt, "missing PAR1 magic at the end") }
        let footerLength = Int(tail.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self).littleEndian })
        guard footerLength > 0, footerLength <= size - 12, footerLength <= Self.maxFooterSize else {
            throw ParquetError(.corrupt, "footer length \(footerLength) does not fit the \(size)-byte file")
        }
        let footer = try source.read(offset: size - 8 - footerLength, length: footerLength)
        let meta = try decodeFileMetaData(footer)
        metadata = meta
        schema = try Schema(elements: meta.schema)
        guard meta.numRows >= 0 else { throw ParquetError(.corrupt, "negative row count") }
        var total: Int64 = 0
        for (gi, g) in meta.rowGroups.enumerated() {
            guard g.columns.count == schema.columns.count else {
                throw ParquetError(.corrupt, "row group \(gi) has \(g.columns.count) column chunks, schema has \(schema.columns.count) columns")
            }
            guard g.numRows >= 0 else { throw ParquetError(.corrupt, "row group \(gi) has a negative row count") }
            let (sum, overflow) = total.addingReportingOverflow(g.numRows)
            guard !overflow else { throw ParquetError(.corrupt, "row group sizes overflow") }
            total = sum
        }
        guard total == meta.numRows else {
            throw ParquetError(.corrupt, "row groups hold \(total) rows, footer says \(meta.numRows)")
        }
    }

    /// Opens a local file.
    public convenience init(path: String) throws {
        try self.init(source: FileSource(path: path))
    }

    public var numRows: Int { Int(metadata.numRows) }
    public var rowGroupCount: Int { metadata.rowGroups.count }

    /// File key/value metadata as a dictionary (later keys win).
    public var keyValueMetadata: [String: String] {
        var d: [String: String] = [:]
        for kv in metadata.keyValueMetadata ?? [] { d[kv.key] = kv.value ?? "" }
        return d
    }

    /// Index of the top-level field `name`.
    public func fieldIndex(_ name: String) throws -> Int {
        guard let i = schema.fields.firstIndex(where: { $0.name == name }) else {
            throw ParquetError(.invalidArgument, "no column named \(name); columns: \(schema.fields.map(\.name).joined(separator: ", "))")
        }
        return i
    }

    /// Decodes one leaf column chunk.
    public func readLeaf(rowGroup: Int, column: Int) throws -> LeafColumnData {
        guard metadata.rowGroups.indices.contains(rowGroup), schema.columns.indices.contains(column) else {
            throw ParquetError(.invalidArgument, "no row group \(rowGroup) / column \(column)")
        }
        let g = metadata.rowGroups[rowGroup]
        let r = ColumnChunkReader(descriptor: schema.columns[column], codec: PageCodec())
        return try r.read(g.columns[column], source: source, rowGroupRows: g.numRows)
    }

    /// Reads flat top-level columns (projection by name; all when nil) of the given row groups
    /// (all when nil) as dense `Column`s with validity. Nested fields are rejected: use `readRows`
    /// (values) or `readFieldColumns` (shredded leaves).
    public func readColumns(_ names: [String]? = nil, rowGroups: [Int]? = nil) throws -> [String: Column] {
        let fields = try (names ?? schema.fields.map(\.name)).map { try fieldIndex($0) }
        var result: [String: Column] = [:]
        for fi in fields {
            let node = schema.fields[fi]
            guard let leaf = node.leafIndex, node.repetition != .repeated else {
                throw ParquetError(.invalidArgument, "column \(node.name) is nested; read it with readRows")
            }
            var column: Column?
            for g in rowGroups ?? Array(metadata.rowGroups.indices) {
                let data = try readLeaf(rowGroup: g, column: leaf)
                let part = try dense(data, descriptor: schema.columns[leaf])
                if column == nil { column = part } else { column?.append(part) }
            }
            result[node.name] = column ?? Column(ValueBuffer(type: schema.columns[leaf].physicalType, fixedWidth: 0).values)
        }
        return result
    }

    /// Scatters present values into one slot per row, with validity from definition levels.
    func dense(_ data: LeafColumnData, descriptor: ColumnDescriptor) throws -> Column {
        guard let defs = data.definitionLevels else { return Column(data.values) }
        let maxDef = UInt8(descriptor.maxDefinitionLevel)
        let validity = defs.map { $0 == maxDef }
        let present = validity.reduce(0) { $0 + ($1 ? 1 : 0) }
        guard present == data.values.count else {
            throw ParquetError(.corrupt, "column \(descriptor.dottedPath): \(data.values.count) values for \(present) non-null levels")
        }
        if data.values.count == data.entryCount { return Column(data.values, validity: validity) }
        var k = 0
        func scatter<T>(_ v: [T], _ zero: T) -> [T] {
            var out = [T]()
            out.reserveCapacity(validity.count)
            for present in validity {
                if present { out.append(v[k]); k += 1 } else { out.append(zero) }
            }
            return out
        }
        let values: ColumnValues
        switch data.values {
        case .boolean(let v): values = .boolean(scatter(v, false))
        case .int32(let v): values = .int32(scatter(v, 0))
        case .int64(let v): values = .int64(scatter(v, 0))
        case .int96(let v): values = .int96(scatter(v, Int96()))
        case .float(let v): values = .float(scatter(v, 0))
        case .double(let v): values = .double(scatter(v, 0))
        case .byteArray(let b):
            // Null slots are empty ranges: keep the bytes, only rebuild the offsets.
            var offsets = [Int32]()
            offsets.reserveCapacity(validity.count + 1)
            offsets.append(0)
            b.offsets.withUnsafeBufferPointer { o in
                var end: Int32 = 0
                for present in validity {
                    if present { end = o[k + 1]; k += 1 }
                    offsets.append(end)
                }
            }
            values = .byteArray(ByteArrays(data: b.data, offsets: offsets))
        case .fixedLenByteArray(let b):
            var out = ByteArrays()
            out.reserve(values: validity.count, bytes: b.data.count)
            let zero = [UInt8](repeating: 0, count: descriptor.physicalType == .fixedLenByteArray ? descriptor.typeLength : 0)
            b.data.withUnsafeBytes { raw in
                for present in validity {
                    if present {
                        out.append(UnsafeRawBufferPointer(rebasing: raw[Int(b.offsets[k])..<Int(b.offsets[k + 1])]))
                        k += 1
                    } else {
                        out.append(zero)
                    }
                }
            }
            values = .fixedLenByteArray(out)
        }
        return Column(values, validity: validity)
    }

    /// Reads rows as values (any schema, nested included), projecting top-level `columns`.
    /// Returns the field names and one array of values per row.
    public func readRows(columns names: [String]? = nil, rowGroups: [Int]? = nil, limit: Int? = nil) throws -> (names: [String], rows: [[ParquetValue]]) {
        let fields = try (names ?? schema.fields.map(\.name)).map { try fieldIndex($0) }
        var rows: [[ParquetValue]] = []
        for g in rowGroups ?? Array(metadata.rowGroups.indices) {
            if let limit, rows.count >= limit { break }
            let n = Int(metadata.rowGroups[g].numRows)
            var fieldLeaves: [[Int: LeafCursor]] = []
            for fi in fields {
                var leaves: [Int: LeafCursor] = [:]
                for l in schema.leafIndices(of: schema.fields[fi]) {
                    let data = try readLeaf(rowGroup: g, column: l)
                    // Every row has at least one level entry in every leaf.
                    guard data.entryCount >= n else {
                        throw ParquetError(.corrupt, "column \(schema.columns[l].dottedPath) has \(data.entryCount) entries for \(n) rows")
                    }
                    leaves[l] = LeafCursor(data: data, descriptor: schema.columns[l])
                }
                fieldLeaves.append(leaves)
            }
            if fields.isEmpty && n > numRows { throw ParquetError(.corrupt, "row group claims \(n) rows") }
            var groupRows = [[ParquetValue]](repeating: [], count: n)
            for (k, fi) in fields.enumerated() {
                let node = schema.fields[fi]
                var assembler = RecordAssembler(leaves: fieldLeaves[k])
                for r in 0..<n { groupRows[r].append(try assembler.read(node)) }
                try assembler.checkFullyConsumed()
            }
            rows.append(contentsOf: groupRows)
        }
        if let limit, rows.count > limit { rows.removeLast(rows.count - limit) }
        return (fields.map { schema.fields[$0].name }, rows)
    }
}
