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
/// The module is laid out as hudi-rs is, one folder per part: `Table/` (``HudiTable``, a thin
/// composition: open/create, the public read and write API, inspection), `Config/`
/// (hoodie.properties, write options), `Timeline/` (instants, instant times, the
/// ``ActiveTimeline`` with its commit-metadata cache), `FileSystemView/` (base and log file
/// names, file groups and slices, partitions, the listing), `Planning/` (the pure
/// ``SlicePlanner``: snapshot, time travel, incremental), `Write/` (the ``TableWriter``: write
/// queue, instant reservation, the commit transaction, batch, planner, file-group writer;
/// `Concurrency/`: writer lease, heartbeats, failed-write recovery, optimistic commit),
/// `Services/` (rollback, the cleaner, their Avro instant records), `Index/` (bloom filter,
/// footer cache, global BLOOM index), `Commit/` (commit metadata JSON, Avro for v8),
/// `Schema/`, `Read/` (rows through Parquet).
public enum Hudi {
    /// The commit `extraMetadata` key Hudi's streamer keeps its source checkpoint under
    /// (`topic,partition:nextOffset,...` for Kafka).
    public static let checkpointKey = "deltastreamer.checkpoint.key"
}
