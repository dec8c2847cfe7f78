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
    /// Run the cleaner after every commit (Hudi's inline clean, `hoodie.clean.automatic`).
    public var autoClean = true
    /// `KEEP_LATEST_COMMITS`: snapshots as of the last N completed commits stay readable
    /// (`hoodie.cleaner.commits.retained`).
    public var cleanerCommitsRetained = 10

    /// Base files written concurrently within one commit.
    public var parallelism: Int = 2
    /// Parquet encoding of base files (Hudi writes gzip by default; snappy is cheaper).
    public var parquet: Parquet.WriterOptions = {
        var o = Parquet.WriterOptions()
        o.compression = .snappy
        o.createdBy = "tributary-hudi version 0.1.0 (parquet-mr compatible layout)"
        return o
    }()

    public init() {}
}
