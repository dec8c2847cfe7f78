import TributaryCore

/// Nested fields as shredded leaves (levels kept, no record assembly): what a rewrite of
/// a file (a copy-on-write merge) copies, and the model `Field` of a file's columns.
extension ParquetFileReader {
    /// The leaves of top-level field `name` with their levels, one value slot per entry.
    public func readNested(_ name: String, rowGroups: [Int]? = nil) throws -> NestedColumn {
        let node = schema.fields[try fieldIndex(name)]
        let groups = rowGroups ?? Array(metadata.rowGroups.indices)
        var leaves: [ShreddedLeaf] = []
        for l in schema.leafIndices(of: node) {
            let descriptor = schema.columns[l]
            var leaf = ShreddedLeaf(values: ValueBuffer(type: descriptor.physicalType, fixedWidth: 0).values,
                                    definitionLevels: [], repetitionLevels: [],
                                    maxDefinitionLevel: descriptor.maxDefinitionLevel, maxRepetitionLevel: descriptor.maxRepetitionLevel)
            for g in groups {
                let data = try readLeaf(rowGroup: g, column: l)
                leaf.append(ShreddedLeaf(values: try dense(data, descriptor: descriptor).values,
                                         definitionLevels: data.definitionLevels ?? [], repetitionLevels: data.repetitionLevels ?? [],
                                         maxDefinitionLevel: descriptor.maxDefinitionLevel,
                                         maxRepetitionLevel: descriptor.maxRepetitionLevel))
            }
            leaves.append(leaf)
        }
        let rows = groups.reduce(0) { $0 + Int(metadata.rowGroups[$1].numRows) }
        return NestedColumn(leaves: leaves, rowCount: rows)
    }

    /// Top-level fields (all when nil) as `.flat` columns or `.nested` leaves.
    public func readFieldColumns(_ names: [String]? = nil, rowGroups: [Int]? = nil) throws -> [String: FieldColumn] {
        var result: [String: FieldColumn] = [:]
        for name in names ?? schema.fields.map(\.name) {
            let node = schema.fields[try fieldIndex(name)]
            if node.isLeaf && node.repetition != .repeated {
                if let c = try readColumns([name], rowGroups: rowGroups)[name] { result[name] = .flat(c) }
            } else {
                result[name] = .nested(try readNested(name, rowGroups: rowGroups))
            }
        }
        return result
    }

    /// The file's top-level fields in the model (standard LIST and MAP layouts; throws
    /// `unsupported` for what the model has no type for, e.g. legacy 2-level lists, TIME).
    public func modelFields() throws -> [Field] {
        try schema.fields.map { try Self.modelField($0) }
    }

    static func modelField(_ node: SchemaNode) throws -> Field {
        let e = node.element
        guard node.repetition != .repeated else {
            throw ParquetError(.unsupported, "repeated field \(e.name) outside a LIST (legacy layout)")
        }
        var field = Field(e.name, .boolean, nullable: node.repetition == .optional, fieldID: e.fieldId)
        if node.isLeaf {
            field.type = try primitiveType(e)
            return field
        }
        let logical = e.logicalType, converted = e.convertedType
        let inner = node.children.first
        if logical == .list || converted == .list {
            guard node.children.count == 1, let repeated = inner, repeated.repetition == .repeated,
                  !repeated.isLeaf, repeated.children.count == 1 else {
                throw ParquetError(.unsupported, "LIST \(e.name) is not in the 3-level layout")
            }
            field.type = .list(try modelField(repeated.children[0]))
        } else if logical == .map || converted == .map || converted == .mapKeyValue {
            guard node.children.count == 1, let repeated = inner, repeated.repetition == .repeated, repeated.children.count == 2 else {
                throw ParquetError(.unsupported, "MAP \(e.name) is not a repeated key_value group")
            }
            field.type = .map(key: try modelField(repeated.children[0]), value: try modelField(repeated.children[1]))
        } else {
            field.type = .group(try node.children.map { try modelField($0) })
        }
        return field
    }

    private static func primitiveType(_ e: SchemaElement) throws -> FieldType {
        let d = ColumnDescriptor(path: [e.name], element: e, maxDefinitionLevel: 0, maxRepetitionLevel: 0)
        switch (d.physicalType, d.logicalType) {
        case (.boolean, nil): return .boolean
        case (.int32, nil), (.int32, .integer(_, true)): return .int32
        case (.int64, nil), (.int64, .integer(64, true)): return .int64
        case (.int32, .date): return .date
        case (_, .decimal(let p, let s)):
            // The model stores a decimal by its precision; other storage has no model type.
            let t = FieldType.decimal(precision: Int(p), scale: Int(s))
            guard t.physicalType == d.physicalType, (t.typeLength ?? d.typeLength) == d.typeLength else {
                throw ParquetError(.unsupported, "column \(e.name): DECIMAL(\(p),\(s)) stored as \(d.physicalType)")
            }
            return t
        case (.int64, .timestamp(let utc, let unit)): return .timestamp(unit, isAdjustedToUTC: utc)
        case (.float, nil): return .float
        case (.double, nil): return .double
        case (.byteArray, .string), (.byteArray, .enumeration): return .string
        case (.byteArray, .json): return .json
        case (.byteArray, nil): return .binary
        case (.fixedLenByteArray, nil), (.fixedLenByteArray, .uuid): return .fixedLenByteArray(d.typeLength)
        default:
            throw ParquetError(.unsupported, "column \(e.name): \(d.physicalType) \(d.logicalType?.description ?? "") has no model type")
        }
    }
}
