import TributaryCore

/// How a model field is declared in the Parquet footer.
extension Field {
    var schemaElement: SchemaElement {
        var e = SchemaElement(name: name, type: type.physicalType, repetition: nullable ? .optional : .required)
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
