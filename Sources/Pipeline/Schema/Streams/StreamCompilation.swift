import Foundation
import TributaryCore

extension StreamCatalog {
    /// Compiles a definition: its JSON Schema and quality schema, then the key, ordering and
    /// partition fields checked against the compiled fields.
    public static func compile(_ definition: StreamDefinition) throws -> TopicSchema {
        let d = definition
        func fail(_ key: String, _ reason: String) -> StreamDefinitionError {
            StreamDefinitionError("\(d.source): streams.\(d.name).\(key): \(reason)")
        }
        var compiled = try JSONSchemaCompiler.compile(contentsOf: d.schemaPath)
        if let quality = d.qualityPath { try JSONSchemaCompiler.applyQuality(contentsOf: quality, to: &compiled) }
        let fields = compiled.fields
        func field(_ key: String, _ name: String) throws -> TopicField {
            guard let f = fields.first(where: { $0.name == name }) else {
                throw fail(key, "'\(name)' is not a top-level field of \(d.schemaPath)")
            }
            return f
        }
        for name in d.recordKey {
            let f = try field("record_key", name)
            guard f.required else { throw fail("record_key", "'\(name)' must be in the schema's 'required'") }
            guard [.string, .integer, .date].contains(f.type) else {
                throw fail("record_key", "'\(name)' must be a string, integer or date field")
            }
        }
        if let name = d.precombine {
            let f = try field("precombine", name)
            guard f.required else { throw fail("precombine", "'\(name)' must be in the schema's 'required'") }
            guard [.timestamp, .integer, .date].contains(f.type) else {
                throw fail("precombine", "'\(name)' must be a date-time, date or integer field")
            }
        }
        if let name = d.partition.field {
            let f = try field("partition.field", name)
            guard f.required else { throw fail("partition.field", "'\(name)' must be in the schema's 'required'") }
            switch d.partition.granularity {
            case .year, .month, .day:
                guard [.timestamp, .date].contains(f.type) else { throw fail("partition.field", "'\(name)' must be a date-time or date field for granularity \(d.partition.granularity.rawValue)") }
            case .hour:
                guard f.type == .timestamp else { throw fail("partition.field", "'\(name)' must be a date-time field for granularity hour") }
            case .value:
                guard [.string, .integer, .date, .boolean].contains(f.type) else { throw fail("partition.field", "'\(name)' must be a string, integer, date or boolean field for granularity value") }
            case .none:
                break
            }
        }
        if d.partition.isDerived, let column = d.partition.column, fields.contains(where: { $0.name == column }) {
            throw fail("partition", "the partition column '\(column)' would hide the record field of that name")
        }
        if d.format == .debezium, fields.contains(where: { $0.name == TopicSchema.changeOrderingField }) {
            throw fail("schema", "'\(TopicSchema.changeOrderingField)' is the column of a debezium stream's event ordering; rename the field")
        }
        // A debezium stream without `precombine` is ordered by its events' source position,
        // stored in a column of its own so the table compares stored rows with it.
        let precombine = d.precombine ?? (d.format == .debezium ? TopicSchema.changeOrderingField : nil)
        var schema = TopicSchema(name: d.name, topic: d.topic, table: d.table, recordKey: d.recordKey, precombine: precombine,
                                 partition: d.partition, fields: fields, dependentRanges: compiled.dependentRanges, closed: compiled.closed)
        schema.tableType = d.tableType
        schema.compactionMaxLogBytes = d.compactionMaxLogBytes
        schema.format = d.format
        return schema
    }
}
