import Foundation
import Logging
import Parquet
import ObjectStore
import TributaryCore

/// What a commit did.
public struct CommitResult: Sendable {
    /// The instant time of the commit (every write makes a commit, so the checkpoint advances).
    public var instant: String
    public var metadata: CommitMetadata
    public var summary: WritePlanSummary
    /// Base files written, their total bytes, and how many of them rewrote an existing group.
    public var filesWritten: Int
    /// Bytes of base and log files.
    public var bytesWritten: Int64
    /// Log files appended (merge-on-read).
    public var logFilesWritten: Int
    public var filesRewritten: Int
    public var bytesRewritten: Int64
    /// Seconds spent in the index lookup, writing files, and in total.
    public var indexLookupSeconds: Double
    public var writeSeconds: Double
    public var totalSeconds: Double
}

/// One write after its instant was reserved, up to the commit point: plan against the
/// latest committed snapshot (BLOOM index), the inflight file, partition markers, the base
/// files. The ``TableWriter`` then runs the commit point under its concurrency mode.
struct CommitTransaction: Sendable {
    let table: TableParts
    let footers: FooterCache
    let rememberedDeletes: RememberedDeletesCache

    /// Deletes are remembered (see ``RememberedDeletes``) by tables with an ordering field.
    var remembersDeletes: Bool { table.config.precombineField != nil && table.options.deleteRetention > 0 }

    func prepare(_ batch: RecordBatch, operation: WriteOperation, extraMetadata: [String: String], schema: String,
                 instant: String, timeline tl: Timeline) async throws -> PreparedCommit {
        // Plan against the latest committed snapshot.
        let timelineNames = Set(tl.instants.map(\.fileName))
        let listing = try await table.fileSystemView.listing(asOf: timelineNames)
        let snapshot = try await table.timeline.planSnapshot(tl, fileGroups: listing, asOf: nil)
        footers.retain(paths: Set(snapshot.slices.flatMap { [$0.path] + $0.logFiles.map(\.path) }))
        var rows = WritePlanner.deduplicate(batch)
        var summary = WritePlanSummary()
        summary.inputRecords = batch.count
        summary.deduplicated = batch.count - rows.count
        let partitions = PartitionPathFormatter(config: table.config).partitions(of: batch.partitionValues)
        let indexStart = Date()
        let index = BloomIndex(store: table.store, cache: footers, precombineField: table.config.precombineField)
        var (existing, _) = try await index.lookup(keys: batch.recordKeys, rows: rows, slices: snapshot.slices)
        let mergeOnRead = table.config.isMergeOnRead
        let optimistic = table.options.concurrency == .optimistic
        if mergeOnRead {
            try await LogOverlay.apply(&existing, rows: rows, keys: batch.recordKeys, slices: snapshot.slices, store: table.store, cache: footers,
                                       visible: snapshot.logInstants ?? [], precombineField: table.config.precombineField)
        }
        // Upserts older than a remembered delete of their (absent) key are stale.
        var deletes: (change: RememberedDeletesChange, memory: RememberedDeletes)?
        if remembersDeletes {
            let basedOn = try await table.timeline.latestExtraMetadataValues([RememberedDeletes.metadataKey], in: tl)[RememberedDeletes.metadataKey] ?? ""
            let memory = try await rememberedDeletes.memory(named: basedOn, store: table.store)
            let stale = memory.staleUpserts(batch, rows: rows, existing: existing)
            if !stale.isEmpty {
                rows.removeAll { stale.contains($0) }
                summary.stale += stale.count
            }
            deletes = (RememberedDeletesChange(basedOn: basedOn, wroteNew: false), memory)
        }
        // Every small slice takes inserts, on merge-on-read too (Hudi with an index that can
        // index log files): there they are appended to the slice's log, see below.
        let smallFileCandidates = snapshot.slices
        let indexSeconds = Date().timeIntervalSince(indexStart)
        let work = WritePlanner.plan(.init(
            batch: batch, rows: rows, partitions: partitions, existing: existing,
            // Optimistic writers on copy-on-write put inserts into new file groups only
            // (packing would rewrite a base file a concurrent inserter may rewrite too). On
            // merge-on-read they pack into small groups' logs, each writer trying the
            // candidates in an order drawn from its instant, so concurrent writers rarely
            // pick the same group (a collision is a retryable conflict); without it every
            // commit would add new groups, and the table would grow by small files.
            slicesByPartition: optimistic && !mergeOnRead ? [:] : Dictionary(grouping: smallFileCandidates, by: \.partitionPath),
            averageRecordSize: try await table.timeline.averageRecordSize(tl, options: table.options), options: table.options,
            packingSeed: optimistic ? instant : nil), summary: &summary)

        // Inflight: the workload profile, as Hudi writes it before any data file.
        let inflight = Instant(timestamp: instant, action: table.config.writeAction, state: .inflight)
        try await table.store.put(tl.key(of: inflight), Self.workloadProfile(work, operation: operation).jsonData())

        // The batch's deletes join the memory, stored under this instant before the commit point.
        var extra = extraMetadata
        if let planned = deletes {
            let retention = Int64(table.options.deleteRetention * 1000)
            let cutoff = InstantTimeGenerator.millis(of: instant).map { InstantTimeGenerator.format(millis: $0 - retention) } ?? ""
            let added = RememberedDeletes.entries(deletedBy: batch, rows: rows, existing: existing, instant: instant)
            if !added.isEmpty {
                let next = planned.memory.merging(added, cutoff: cutoff)
                try await table.store.put(RememberedDeletes.key(instant), try next.encoded(options: table.options.parquet))
                rememberedDeletes.remember(next, instant: instant)
                deletes?.change.wroteNew = true
                deletes?.change.added = added
                deletes?.change.cutoff = cutoff
                extra[RememberedDeletes.metadataKey] = instant
            } else {
                extra[RememberedDeletes.metadataKey] = planned.change.basedOn
            }
        }

        // Partition markers for partitions new to the table.
        let knownPartitions = Set(listing.keys.map(\.partitionPath))
        for partition in Set(work.map(\.id.partitionPath)) where !knownPartitions.contains(partition) {
            let key = partition.isEmpty ? PartitionMetadata.fileName : "\(partition)/\(PartitionMetadata.fileName)"
            let depth = partition.isEmpty ? 0 : partition.split(separator: "/").count
            if try await !table.store.exists(key) {
                try await table.store.put(key, PartitionMetadata.contents(commitTime: instant, depth: depth))
            }
        }

        let writeStart = Date()
        // Merge-on-read: everything a commit does to an existing group — updates, deletes and
        // inserts packed into a small group — is appended to its slice as a log file; only new
        // groups get base files. Also for a slice without logs: a log holds just the batch's
        // rows, where a new base file version would copy the whole base file (up to
        // `maxFileSize`) every commit; compaction folds the logs in later, once per plan.
        // The index finds keys that live only in logs (``LogOverlay``).
        let appends = mergeOnRead ? work.filter { $0.base != nil } : []
        let rewrites = mergeOnRead ? work.filter { $0.base == nil } : work
        let writer = FileGroupWriter(store: table.store, tableName: table.config.tableName, instant: instant, fields: batch.fields,
                                     precombineField: table.config.precombineField, options: table.options)
        let outputs = try await writeFileGroups(rewrites, batch: batch, writer: writer)
        let logOutputs = try await appendLogs(appends, batch: batch, writer: writer, taskOffset: rewrites.count)
        let writeSeconds = Date().timeIntervalSince(writeStart)

        var byPartition: [String: [WriteStat]] = [:]
        var partitionOrder: [String] = []
        for o in outputs {
            if byPartition[o.stat.partitionPath] == nil { partitionOrder.append(o.stat.partitionPath) }
            byPartition[o.stat.partitionPath, default: []].append(o.stat)
            footers.setFooter(o.slice.path, o.footer)
            footers.setFileKeys(o.slice.path, o.keys)
        }
        for o in logOutputs {
            if byPartition[o.stat.partitionPath] == nil { partitionOrder.append(o.stat.partitionPath) }
            byPartition[o.stat.partitionPath, default: []].append(o.stat)
        }
        extra["schema"] = schema
        let metadata = CommitMetadata(
            partitionToWriteStats: partitionOrder.map { ($0, byPartition[$0] ?? []) },
            extraMetadata: extra, operationType: operation.rawValue)
        return PreparedCommit(instant: instant, action: table.config.writeAction, timeline: tl, timelineNames: timelineNames, listing: listing, work: work,
                              outputs: outputs, logOutputs: logOutputs, metadata: metadata, summary: summary,
                              indexSeconds: indexSeconds, writeSeconds: writeSeconds, deletes: deletes?.change)
    }

    /// The new base files, `options.parallelism` at a time, in `work` order.
    private func writeFileGroups(_ work: [FileGroupWork], batch: RecordBatch, writer: FileGroupWriter) async throws -> [FileGroupWriter.Output] {
        try await mapConcurrently(work, limit: table.options.parallelism) { i, item in
            try await writer.write(item, batch: batch, taskIndex: i)
        }
    }

    /// The log appends, `options.parallelism` at a time, in `work` order.
    private func appendLogs(_ work: [FileGroupWork], batch: RecordBatch, writer: FileGroupWriter,
                            taskOffset: Int) async throws -> [FileGroupWriter.LogOutput] {
        try await mapConcurrently(work, limit: table.options.parallelism) { i, item in
            guard let slice = item.base else { throw HudiError(.invalidArgument, "log append without a slice") }
            return try await writer.appendLog(item, slice: slice, batch: batch, taskIndex: taskOffset + i)
        }
    }

    /// Inflight metadata: per partition, existing groups with their update counts and the
    /// insert count under an empty fileId (Hudi's `WorkloadProfile` form).
    static func workloadProfile(_ work: [FileGroupWork], operation: WriteOperation) -> CommitMetadata {
        var byPartition: [String: [WriteStat]] = [:]
        var order: [String] = []
        for w in work {
            let p = w.id.partitionPath
            if byPartition[p] == nil { order.append(p) }
            var s = WriteStat(fileId: w.base == nil ? "" : w.id.fileId, path: "", prevCommit: w.base?.instant ?? "null",
                              numWrites: 0, numDeletes: 0, numUpdateWrites: Int64(w.updatedKeys),
                              numInserts: Int64(w.inserts.count), totalWriteBytes: 0, partitionPath: p, fileSizeInBytes: 0)
            s.numDeletes = Int64(w.deletedKeys)
            byPartition[p, default: []].append(s)
        }
        return CommitMetadata(partitionToWriteStats: order.map { ($0, byPartition[$0] ?? []) }, extraMetadata: [:], operationType: operation.rawValue)
    }
}

/// A write whose base files are all stored, waiting for its commit point.
struct PreparedCommit: Sendable {
    var instant: String
    /// `commit`, or `deltacommit` on a merge-on-read table.
    var action: String
    /// The timeline the write started from, its instant file names, and the listing it planned with.
    var timeline: Timeline
    var timelineNames: Set<String>
    var listing: FileSystemView.Listing
    var work: [FileGroupWork]
    var outputs: [FileGroupWriter.Output]
    /// Log files appended (merge-on-read).
    var logOutputs: [FileGroupWriter.LogOutput] = []
    var metadata: CommitMetadata
    var summary: WritePlanSummary
    var indexSeconds: Double
    var writeSeconds: Double
    /// What the write did to the remembered deletes (nil: the table keeps none).
    var deletes: RememberedDeletesChange? = nil

    var completed: Instant { Instant(timestamp: instant, action: action, state: .completed) }

    /// The commit point: runs the check (its extra metadata merged in), then creates
    /// `<t>.commit` with put-if-absent — before it readers see nothing of the write, after
    /// it all of it.
    func commitPoint(store: any ObjectStore, timeline active: ActiveTimeline, check: CommitCheck?,
                     rememberedDeletes: RememberedDeletesCache, parquet: Parquet.WriterOptions) async throws {
        var metadata = metadata
        let keys = (check?.keys ?? []) + (deletes == nil ? [] : [RememberedDeletes.metadataKey])
        let latest = keys.isEmpty ? [:] : try await active.latestExtraMetadataValues(keys)
        if let check {
            do {
                metadata.extraMetadata.merge(try check.body(latest)) { $1 }
            } catch {
                throw CommitCheckRejected(error: error)
            }
        }
        if let deletes {
            // Another writer's commit changed the remembered deletes since this write read them:
            // a new memory is rebased onto the latest; otherwise the latest is carried on.
            let current = latest[RememberedDeletes.metadataKey] ?? ""
            if deletes.wroteNew {
                if current != deletes.basedOn {
                    try await deletes.rebase(onto: current, instant: instant, store: store, cache: rememberedDeletes, options: parquet)
                }
            } else {
                metadata.extraMetadata[RememberedDeletes.metadataKey] = current
            }
        }
        do {
            try await store.putIfAbsent(timeline.key(of: completed), metadata.jsonData())
        } catch ObjectStoreError.alreadyExists {
            throw HudiError(.commitConflict, "instant \(instant) was completed by another writer")
        }
    }

    /// The listing after the commit (our slices added) and the timeline as the next load
    /// will show it (ours deduplicated to its completed state).
    var viewAfterCommit: (listing: FileSystemView.Listing, timeline: Set<String>) {
        var newListing = listing
        for o in outputs {
            let id = FileGroupID(partitionPath: o.slice.partitionPath, fileId: o.slice.fileId)
            var g = newListing[id] ?? FileGroup(id: id)
            g.slices[o.slice.instant] = o.slice
            newListing[id] = g
        }
        for o in logOutputs {
            newListing[o.groupID]?.logFiles.append(o.logFile)
            newListing[o.groupID]?.slices[o.logFile.name.baseInstant]?.logFiles.append(o.logFile)
        }
        return (newListing, timelineNames.union([completed.fileName]))
    }

    func result(started: Date) -> CommitResult {
        let rewritten = outputs.filter { $0.stat.prevCommit != "null" }
        return CommitResult(
            instant: instant, metadata: metadata, summary: summary, filesWritten: outputs.count,
            bytesWritten: outputs.reduce(0) { $0 + $1.stat.totalWriteBytes } + logOutputs.reduce(0) { $0 + $1.stat.totalWriteBytes },
            logFilesWritten: logOutputs.count, filesRewritten: rewritten.count,
            bytesRewritten: rewritten.reduce(0) { $0 + $1.stat.totalWriteBytes }, indexLookupSeconds: indexSeconds,
            writeSeconds: writeSeconds, totalSeconds: Date().timeIntervalSince(started))
    }
}
