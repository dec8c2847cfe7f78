import Parquet

/// Writer settings, with Hudi's defaults in one place.
public struct WriteOptions: Sendable {
    /// A base file smaller than this takes new inserts of its partition first
    /// (`hoodie.parquet.small.file.limit`, 100 MiB).
    public var smallFileLimit: Int = 100 << 20
    /// Target maximum base file size (`hoodie.parquet.max.file.size`, 120 MiB).
    public var maxFileSize: Int = 120 << 20
    /// Bytes per record assumed before the table has a commit to learn from
    /// (`hoodie.copyonwrite.record.size.estimate`).
    public var recordSizeEstimate: Int = 1024
    /// A commit counts for the record-size estimate only if it wrote more than this fraction
    /// of `smallFileLimit` (`hoodie.record.size.estimation.threshold`).
    public var recordSizeEstimationThreshold: Double = 1.0
    /// Bloom filter sizing (`hoodie.index.bloom.num_entries`, `.fpp`,
    /// `hoodie.bloom.index.filter.dynamic.max.entries`).
    public var bloomNumEntries: Int = 60_000
    public var bloomFalsePositiveRate: Double = 1e-9
    public var bloomMaxEntries: Int = 100_000
    /// Record keys (with their ordering values, about 40 bytes each) the BLOOM index keeps
    /// in memory per table, base and log files together. A table holding more reloads the
    /// key columns of its candidate files at each commit (Hudi's BLOOM index always does).
    public var indexCacheMaxKeys = 5_000_000
    /// Run the cleaner after every commit (Hudi's inline clean, `hoodie.clean.automatic`).
    public var autoClean = true
    /// `KEEP_LATEST_COMMITS`: snapshots as of the last N completed commits stay readable
    /// (`hoodie.cleaner.commits.retained`).
    public var cleanerCommitsRetained = 10
    /// Merge-on-read: schedule a compaction after this many delta commits since the last
    /// one (`hoodie.compact.inline.max.delta.commits`, the seed's 5); 0: only on request.
    public var compactionMaxDeltaCommits = 5
    /// Merge-on-read: also schedule a compaction, of those file groups alone, when the log
    /// files of a file group's latest slice exceed this many bytes (Hudi's
    /// `hoodie.compaction.logfile.size.threshold` with the log-file-size strategy), however
    /// few delta commits were made: a group that takes most updates is not left to grow
    /// until the count is reached. Default 128 MiB (just over a full base file,
    /// `maxFileSize`); 0: off.
    public var compactionMaxLogBytes = 128 << 20
    /// Merge-on-read: run a scheduled compaction in the background of the writing table
    /// (Hudi's async compaction; writes go on meanwhile). Off: ``HudiTable/compact(force:)``
    /// runs pending ones.
    public var compactInBackground = true

    /// Seconds a delete is remembered after its row is gone, so an older upsert re-delivered
    /// meanwhile stays stale (see `RememberedDeletes`; tables with an ordering field only).
    /// 7 days, Kafka's default topic retention: older records cannot be re-delivered. 0: none.
    public var deleteRetention: Double = 7 * 86_400

    /// Base files written concurrently within one commit.
    public var parallelism: Int = 2
    /// Parquet encoding of base files (Hudi writes gzip by default; snappy is cheaper).
    public var parquet: Parquet.WriterOptions = {
        var o = Parquet.WriterOptions()
        o.compression = .snappy
        o.createdBy = "tributary-hudi version 0.1.0 (parquet-mr compatible layout)"
        return o
    }()

    /// How writers of one table are kept apart.
    public enum Concurrency: Sendable, Equatable {
        /// One writer at a time, enforced by a lease in `.hoodie/` taken before the first
        /// write and held (renewed by a heartbeat) until ``HudiTable/close()``. Any pending
        /// instant found while holding it is a crashed write and is rolled back.
        case singleWriter
        /// Several writers (Hudi's OCC): each commit re-checks the timeline under a short
        /// commit lock and fails with a retryable `commitConflict` when a commit that
        /// completed after it started touched the same file groups. Inserts always go to new
        /// file groups (no small-file packing), so concurrent inserters do not conflict.
        case optimistic
    }

    /// Single writer (default) or optimistic concurrency.
    public var concurrency: Concurrency = .singleWriter
    /// Seconds the writer lease (single writer) or an instant's heartbeat (optimistic)
    /// stays valid without renewal; renewed every third of it.
    public var leaseDuration: Double = 60
    /// Seconds between heartbeats (default: a third of `leaseDuration`).
    public var heartbeatInterval: Double?
    /// Seconds an optimistic writer waits for the commit lock, and for older instants of
    /// live writers to finish before committing its own.
    public var commitWaitTimeout: Double = 60

    public init() {}
}
