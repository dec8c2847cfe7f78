import TributaryCore

/// How a model field is declared in the Parquet footer.
extension Field {
    /// This field's schema elements, depth first: one for a primitive field; for nested
    /// ones the standard layout (LIST: `<name> { repeated group list { element } }`, MAP:
    /// `<name> { repeated group key_value { key; value } }`), as ``NestedLayout`` levels it.
    var schemaElements: [SchemaElement] {
        var out: [SchemaElement] = []
        appendSchemaElements(to: &out)
        return out
    }

    private func appendSchemaElements(to out: inout [SchemaElement]) {
        let repetition: Repetition = nullable ? .optional : .required
        switch type {
        case .group(let children):
            out.append(SchemaElement(name: name, repetition: repetition, numChildren: Int32(children.count), fieldId: fieldID))
            for c in children { c.appendSchemaElements(to: &out) }
        case .list(let element):
            out.append(SchemaElement(name: name, repetition: repetition, numChildren: 1, convertedType: .list,
                                     fieldId: fieldID, logicalType: .list))
            out.append(SchemaElement(name: "list", repetition: .repeated, numChildren: 1))
            element.appendSchemaElements(to: &out)
        case .map(let key, let value):
            out.append(SchemaElement(name: name, repetition: repetition, numChildren: 1, convertedType: .map,
                                     fieldId: fieldID, logicalType: .map))
            out.append(SchemaElement(name: "key_value", repetition: .repeated, numChildren: 2))
            key.appendSchemaElements(to: &out)
            value.appendSchemaElements(to: &out)
        default:
            out.append(primitiveSchemaElement(repetition))
        }
    }

    private func primitiveSchemaElement(_ repetition: Repetition) -> SchemaElement {
        var e = SchemaElement(name: name, type: type.physicalType, repetition: repetition)
        e.fieldId = fieldID
        e.typeLength = type.typeLength.map { Int32($0) }
        switch type {
        case .string: e.logicalType = .string; e.convertedType = .utf8
        case .json: e.logicalType = .json; e.convertedType = .json
        case .decimal(let p, let s):
            e.logicalType = .decimal(precision: Int32(p), scale: Int32(s))
            e.convertedType = .decimal
            e.precision = Int32(p)
            e.scale = Int32(s)
        case .date: e.logicalType = .date; e.convertedType = .date
        case .timestamp(let unit, let utc):
            e.logicalType = .timestamp(isAdjustedToUTC: utc, unit: unit)
            // Converted types imply UTC; only write them where they mean the same.
            if utc && unit == .millis { e.convertedType = .timestampMillis }
            if utc && unit == .micros { e.convertedType = .timestampMicros }
        default: break
        }
        return e
    }
}
