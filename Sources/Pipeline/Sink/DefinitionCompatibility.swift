import Hudi
import ObjectStore
import TributaryCore

/// A stream definition checked against the table it writes, when the table is opened (at
/// start): a key, ordering or partition change, a type change (of a nested member or a
/// list's elements too), a new required field or member, or a member removed from a nested
/// field is refused naming the stream and the field's path (`customer.address.zip`,
/// `items[].sku`), and the table is left untouched; a new optional field or member at any
/// depth is fine (the next commit evolves the table, older files read as null).
public enum DefinitionCompatibility {
    public static func check(_ schema: TopicSchema, against table: HudiTable) async throws {
        func refuse(_ what: String) -> StreamDefinitionError {
            StreamDefinitionError("stream \(schema.name): \(what); the table \(schema.table)/ (\(table.config.tableName)) is untouched — a new table (another `table`) takes an incompatible definition")
        }
        let config = table.config
        if config.recordKeyFields != schema.recordKeyFields {
            throw refuse("record_key is \(schema.recordKeyFields) but the table's is \(config.recordKeyFields)")
        }
        if config.precombineField != schema.precombineField {
            throw refuse("precombine is \(schema.precombineField ?? "none") but the table's is \(config.precombineField ?? "none")")
        }
        let partition = schema.partition.column.map { [$0] } ?? []
        if config.partitionFields != partition {
            throw refuse("the partition column is \(partition.first ?? "none") but the table's is \(config.partitionFields.first ?? "none")")
        }
        guard let avro = try await table.currentSchema() else { return }
        do {
            _ = try SchemaEvolution.evolvedFields(schema.storedFields, tableFields: try SchemaEvolution.fields(fromAvro: avro),
                                                  refuseRemovedMembers: true)
        } catch let error as HudiError where error.kind == .invalidArgument {
            throw refuse(error.message.replacingOccurrences(of: "schema evolution: ", with: ""))
        }
    }

    /// The definition checked against its table under `lake` when that table exists (`streams
    /// check`, before a processor runs); false when there is no table yet. Reads only.
    public static func checkIfPresent(_ schema: TopicSchema, lake: any ObjectStore) async throws -> Bool {
        let store = try lake.scoped(to: schema.table)
        guard try await store.exists(HudiTable.propertiesKey) else { return false }
        let table = try await HudiTable.open(store: store)
        do {
            try await check(schema, against: table)
        } catch {
            await table.close()
            throw error
        }
        await table.close()
        return true
    }
}
