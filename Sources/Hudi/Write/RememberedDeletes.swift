import Foundation
import ObjectStore
import Parquet
import Synchronization
import TributaryCore

/// Deletes remembered after the rows they removed, so an upsert older than a delete cannot
/// bring its row back once the row is gone. Without them a change stream that re-delivers
/// old events after a delete (a connector restart does that) would find the key absent and
/// insert it again; with them the upsert is stale, as it would be against the stored row.
///
/// Kept only by tables with an ordering (precombine) field. Per deleted key: its greatest
/// delete ordering value and the instant of that delete. The memory is one Parquet file per
/// change, `.hoodie/.aux/tributary/deletes/<instant>.parquet`, written before the commit
/// point of the instant that changed it; the commit's extra metadata names the file in force
/// (`tributary.deletes`, carried by every later commit), so the memory changes exactly when
/// the commit completes, and a failed write's file is never read. Readers of the table
/// (hudi-rs, DuckDB through the plans) never look into `.hoodie/.aux/`.
///
/// Entries older than the retention are dropped whenever the file is rewritten: a
/// re-delivery can only come from records still in Kafka, so the topic's retention (7 days
/// by default) bounds how long a delete must be remembered.
struct RememberedDeletes: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        var ordering: Int64
        /// Instant time of the commit that remembered it.
        var deletedAt: String
    }

    var entries: [String: Entry] = [:]

    /// Extra-metadata key naming the instant whose file holds the memory ("" before any delete).
    static let metadataKey = "tributary.deletes"
    static let folder = ".hoodie/.aux/tributary/deletes"

    static func key(_ instant: String) -> String { "\(folder)/\(instant).parquet" }

    static let fields = [
        Field("_hoodie_record_key", .string, nullable: false),
        Field("ordering", .int64, nullable: false),
        Field("deleted_at", .string, nullable: false),
    ]

    /// Rows the memory makes stale: upserts of keys the table does not hold that are older
    /// than the key's remembered delete (ties go to the later write, as against stored rows).
    func staleUpserts(_ batch: RecordBatch, rows: [Int], existing: RecordLocations) -> Set<Int> {
        guard !entries.isEmpty else { return [] }
        var stale: Set<Int> = []
        for r in rows where batch.operations[r] == .upsert && existing.location(of: r) == nil {
            if let entry = entries[batch.recordKeys.string(at: r)], batch.orderingValues[r] < entry.ordering { stale.insert(r) }
        }
        return stale
    }

    /// The entries the batch's deletes committed at `instant` set (those not older than the
    /// stored row): per key its greatest delete ordering; empty when nothing changes.
    static func entries(deletedBy batch: RecordBatch, rows: [Int], existing: RecordLocations, instant: String) -> [String: Entry] {
        var added: [String: Entry] = [:]
        for r in rows where batch.operations[r] == .delete {
            if existing.location(of: r) != nil && batch.orderingValues[r] < existing.ordering[r] { continue }
            let key = batch.recordKeys.string(at: r)
            added[key] = Entry(ordering: max(batch.orderingValues[r], added[key]?.ordering ?? .min), deletedAt: instant)
        }
        return added
    }

    /// This memory with `added` (a key keeps its greatest ordering), without entries
    /// remembered before `cutoff`.
    func merging(_ added: [String: Entry], cutoff: String) -> RememberedDeletes {
        var next = self
        for (key, entry) in added {
            next.entries[key] = Entry(ordering: max(entry.ordering, entries[key]?.ordering ?? .min), deletedAt: entry.deletedAt)
        }
        next.entries = next.entries.filter { $0.value.deletedAt >= cutoff }
        return next
    }

    func encoded(options: Parquet.WriterOptions) throws -> Data {
        let sorted = entries.sorted { $0.key < $1.key }
        let columns = [
            Column(.byteArray(ByteArrays(strings: sorted.map(\.key)))),
            Column(.int64(sorted.map(\.value.ordering))),
            Column(.byteArray(ByteArrays(strings: sorted.map(\.value.deletedAt)))),
        ]
        return Data(try ParquetWriter.write(fields: Self.fields, columns: columns, options: options))
    }

    init() {}

    init(parquet: Data) throws {
        let reader = try ParquetFileReader(source: MemorySource(parquet))
        let columns = try reader.readColumns(Self.fields.map(\.name))
        guard case .byteArray(let keys)? = columns["_hoodie_record_key"]?.values,
              case .int64(let orderings)? = columns["ordering"]?.values,
              case .byteArray(let instants)? = columns["deleted_at"]?.values,
              orderings.count == keys.count, instants.count == keys.count else {
            throw HudiError(.corrupt, "remembered deletes: unexpected columns")
        }
        entries.reserveCapacity(keys.count)
        for i in 0..<keys.count { entries[keys.string(at: i)] = Entry(ordering: orderings[i], deletedAt: instants.string(at: i)) }
    }
}

/// What a prepared commit does to the remembered deletes, checked again at its commit point.
struct RememberedDeletesChange: Sendable {
    /// The memory the write planned against: the instant named by the latest commit ("" none).
    var basedOn: String
    /// True when the write stored a new memory under its own instant.
    var wroteNew: Bool
    /// The entries the write's deletes set (all stamped with its instant).
    var added: [String: RememberedDeletes.Entry] = [:]
    /// Entries remembered before this instant time are dropped when the memory is rewritten.
    var cutoff = ""

    /// Under the commit lock, when another writer's commit changed the memory since this
    /// write read it: the latest memory with this write's entries, stored again under the
    /// write's own instant (no completed commit names that file yet). The writers of one
    /// table delete disjoint keys (each owns its Kafka partitions, and a key has one), so
    /// merging loses nothing; a key both touched conflicts on its file group anyway.
    func rebase(onto current: String, instant: String, store: any ObjectStore, cache: RememberedDeletesCache,
                options: Parquet.WriterOptions) async throws {
        let merged = try await cache.memory(named: current, store: store).merging(added, cutoff: cutoff)
        try await store.put(RememberedDeletes.key(instant), try merged.encoded(options: options))
        cache.remember(merged, instant: instant)
    }
}

/// The remembered deletes of one table as last read or written (they change only through
/// this writer's commits, or another writer's, which the commit point rebases onto).
final class RememberedDeletesCache: Sendable {
    private let state = Mutex<(instant: String, memory: RememberedDeletes)?>(nil)

    /// The memory named by `instant` ("" none), read from the table unless cached.
    func memory(named instant: String, store: any ObjectStore) async throws -> RememberedDeletes {
        if instant.isEmpty { return RememberedDeletes() }
        if let cached = state.withLock({ $0 }), cached.instant == instant { return cached.memory }
        let memory = try RememberedDeletes(parquet: try await store.get(RememberedDeletes.key(instant)))
        remember(memory, instant: instant)
        return memory
    }

    func remember(_ memory: RememberedDeletes, instant: String) {
        state.withLock { $0 = (instant, memory) }
    }

    /// Deletes the files of memories older than `keeping` (the one before a new memory stays
    /// for a concurrent writer still reading it).
    static func removeOlder(than keeping: String, store: any ObjectStore) async {
        guard !keeping.isEmpty, let files = try? await store.listAll(prefix: RememberedDeletes.folder + "/") else { return }
        let old = files.map(\.key).filter { $0 < RememberedDeletes.key(keeping) }
        if !old.isEmpty { try? await store.delete(old) }
    }
}
