/// Apache Hudi copy-on-write tables, written and read natively (table version 6, timeline
/// layout 1; reads versions 6 and 8).
///
/// How the processor uses it:
/// ```swift
/// let lake = try await ObjectStores.open("file://./lake")
/// let table = try await HudiTable.openOrCreate(
///     store: try lake.scoped(to: "user_events_table"), name: "user_events_table",
///     recordKeyField: "event_id", precombineField: "timestamp", partitionField: "event_date",
///     fields: userEventFields)
/// let resumeFrom = try await table.latestExtraMetadataValue(Hudi.checkpointKey)   // Kafka offsets
/// let instant = try await table.nextInstantTime()                                 // for _batch_id
/// let result = try await table.write(batch, operation: .upsert,
///                                    extraMetadata: [Hudi.checkpointKey: "user_events,0:1532"],
///                                    instant: instant)
/// let files = try await table.planSnapshot().filePaths                            // for DuckDB
/// let old = try await table.planSnapshot(asOf: "20261126101500000")               // time travel
/// let new = try await table.planIncremental(since: "20261126101500000")           // + commit-time filter
/// ```
///
/// A write first rolls back what a crashed writer left (`rollback` instants) and, with
/// `WriteOptions.autoClean`, runs the cleaner after its commit (`clean` instants), keeping
/// `cleanerCommitsRetained` commits queryable.
///
/// Layout of the module follows the format's concepts: `Config/` (hoodie.properties, write
/// options), `Timeline/` (instants, instant times, loading), `Commit/` (commit metadata JSON,
/// Avro for v8), `FileGroup/` (base file names, slices), `Index/` (bloom filter, footer
/// cache, global bloom index), `Write/` (batch, planner, file-group writer, commit
/// protocol), `Table/` (open/create, snapshot and incremental planning, inspection),
/// `Services/` (rollback of failed writes, the cleaner, their Avro instant records),
/// `Read/` (rows through Parquet).
public enum Hudi {
    /// The commit `extraMetadata` key Hudi's streamer keeps its source checkpoint under
    /// (`topic,partition:nextOffset,...` for Kafka).
    public static let checkpointKey = "deltastreamer.checkpoint.key"
}
