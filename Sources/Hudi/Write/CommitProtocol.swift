import Foundation
import ObjectStore
import Parquet

/// What a commit did.
public struct CommitResult: Sendable {
    /// The instant time of the commit (`nil` when the batch changed nothing and no commit
    /// was made... never: every write makes a commit so the checkpoint advances).
    public var instant: String
    public var metadata: CommitMetadata
    public var summary: WritePlanSummary
    /// Base files written, their total bytes, and how many of them rewrote an existing group.
    public var filesWritten: Int
    public var bytesWritten: Int64
    public var filesRewritten: Int
    public var bytesRewritten: Int64
    /// Seconds spent in the index lookup, writing files, and in total.
    public var indexLookupSeconds: Double
    public var writeSeconds: Double
    public var totalSeconds: Double
}

extension HudiTable {
    /// Writes `batch` as one commit: `<t>.commit.requested` → `<t>.inflight` → base files →
    /// `<t>.commit` created with put-if-absent (the commit point: before it readers see
    /// nothing of the write, after it all of it).
    ///
    /// - `operation`: `.upsert` (and `.insert`, which keeps keys unique the same way) apply
    ///   each record's own operation (upsert or delete); `.delete` deletes every record's key.
    /// - `extraMetadata`: stored in the commit's `extraMetadata` next to `schema` (the
    ///   processor's Kafka checkpoint goes here).
    /// - `instant`: the instant time to commit under, from ``nextInstantTime()``, when the
    ///   caller needs it before writing (e.g. for a `_batch_id` column); it must still be
    ///   newer than every instant on the timeline. Default: generated here.
    @discardableResult
    public func write(_ batch: RecordBatch, operation: WriteOperation = .upsert, extraMetadata: [String: String] = [:],
                      instant: String? = nil, check: CommitCheck? = nil) async throws -> CommitResult {
        // Actors are reentrant across awaits: queue writes so commits never interleave.
        await acquireWriteTurn()
        defer { releaseWriteTurn() }
        let result = try await performWrite(batch, operation: operation, extraMetadata: extraMetadata, instant: instant, check: check)
        if options.autoClean {
            // The commit stands even if cleaning fails; a half-done clean is finished by the next write.
            do { _ = try await cleanAfterCommit() } catch { logger.warning("hudi clean failed", metadata: ["error": "\(error)"]) }
        }
        return result
    }

    private func performWrite(_ batch: RecordBatch, operation: WriteOperation, extraMetadata: [String: String],
                              instant requestedInstant: String?, check: CommitCheck?) async throws -> CommitResult {
        let started = Date()
        try batch.validate()
        try batch.validateOrdering(precombineField: config.precombineField)
        guard config.tableVersion == 6, (config.timelineLayoutVersion ?? 1) == 1 else {
            throw HudiError.unsupported("writing table version \(config.tableVersion) (only 6)")
        }
        guard config.populateMetaFields else { throw HudiError.unsupported("writing a table without meta fields") }
        guard [.insert, .upsert, .delete].contains(operation) else { throw HudiError.unsupported("write operation \(operation.rawValue)") }
        var batch = batch
        if operation == .delete { batch.operations = [RecordOperation](repeating: .delete, count: batch.count) }

        // Single writer: the lease first (throws naming the holder); then failed writes are
        // rolled back before anything is written.
        try await holdWriterLease()
        let tl = try await recoverFailedWrites(try await timeline())
        batch = try await evolveSchema(batch, tl)
        let schema = AvroSchema.json(tableName: config.tableName, fields: batch.fields)

        // Optimistic writers beat a heartbeat for their instant from before its requested
        // file exists until it ends, so others can tell a live write from a crashed one.
        let optimistic = options.concurrency == .optimistic
        var instant = ""
        var heartbeat: InstantHeartbeat?
        for attempt in 0..<5 {
            if let requestedInstant {
                guard Instant.isTimestamp(requestedInstant), requestedInstant.count == 17 else {
                    throw HudiError.invalidArgument("instant '\(requestedInstant)' is not yyyyMMddHHmmssSSS")
                }
                // Newer than every data commit (so commit order is time order); a rollback or
                // clean made since the time was reserved (by this write's own recovery, say)
                // may be newer, as in Hudi's multi-writer timelines.
                if let latest = tl.latestDataTimestamp, requestedInstant <= latest {
                    throw HudiError.commitConflict("instant \(requestedInstant) is not newer than the timeline's latest commit \(latest)")
                }
                if tl.instants.contains(where: { $0.timestamp == requestedInstant }) {
                    throw HudiError.commitConflict("instant \(requestedInstant) is already on the timeline")
                }
                instant = requestedInstant
                _ = instantTimes.next(after: requestedInstant)  // later generated instants stay above it
            } else {
                instant = instantTimes.next(after: tl.latestTimestamp)
            }
            if optimistic {
                heartbeat = try await InstantHeartbeat.start(store: store, instant: instant, interval: options.heartbeatInterval ?? options.leaseDuration / 3)
            }
            let requested = Instant(timestamp: instant, action: "commit", state: .requested)
            do {
                try await store.putIfAbsent(tl.key(of: requested), Data())
                break
            } catch ObjectStoreError.alreadyExists {
                // Another writer generated the same time: take the next one (unless given).
                await heartbeat?.stop()
                heartbeat = nil
                if requestedInstant != nil || attempt == 4 {
                    throw HudiError.commitConflict("instant \(instant) already requested by another writer")
                }
            } catch {
                await heartbeat?.stop()
                throw error
            }
        }
        do {
            let result = try await writeRequested(batch, operation: operation, extraMetadata: extraMetadata, schema: schema,
                                                  instant: instant, timeline: tl, started: started, check: check)
            await heartbeat?.stop()
            return result
        } catch {
            if optimistic, case HudiError.commitConflict = error { await rollBackOwn(instant, in: tl) }
            if let rejected = error as? CommitCheckRejected {
                // Refused before the commit point: nothing of this write may stay.
                if optimistic { await rollBackOwn(instant, in: tl) }
                await heartbeat?.stop()
                throw rejected.error
            }
            await heartbeat?.stop()
            throw error
        }
    }

    /// The table's schema from its latest commit, and the batch evolved to it (see
    /// ``SchemaEvolution``); the batch unchanged when the schemas are equal or the table has
    /// no commit yet.
    private func evolveSchema(_ batch: RecordBatch, _ tl: Timeline) async throws -> RecordBatch {
        guard let last = tl.latestCompletedCommit, let tableSchema = try await metadata(of: last, in: tl).schema,
              tableSchema != AvroSchema.json(tableName: config.tableName, fields: batch.fields) else { return batch }
        return try SchemaEvolution.evolve(batch, tableFields: try SchemaEvolution.fields(fromAvro: tableSchema))
    }

    /// Everything after the requested instant exists: plan, inflight, base files, commit point.
    private func writeRequested(_ batch: RecordBatch, operation: WriteOperation, extraMetadata: [String: String], schema: String,
                                instant: String, timeline tl: Timeline, started: Date, check: CommitCheck?) async throws -> CommitResult {
        // Plan against the latest committed snapshot.
        let timelineNames = Set(tl.instants.map(\.fileName))
        let listing: [FileGroupID: FileGroup]
        if let view = writerView, view.timeline == timelineNames {
            listing = view.listing
        } else {
            listing = try await listBaseFiles()
        }
        let snapshot = try await plan(timeline: tl, listing: listing, asOf: nil)
        cache.retain(paths: Set(snapshot.slices.map(\.path)))
        let rows = WritePlanner.deduplicate(batch)
        var summary = WritePlanSummary()
        summary.inputRecords = batch.count
        summary.deduplicated = batch.count - rows.count
        let partitionPaths = PartitionPathFormatter(config: config).paths(forValues: batch.partitionValues)
        let indexStart = Date()
        let index = BloomIndex(store: store, cache: cache, precombineField: config.precombineField)
        let (existing, _) = try await index.lookup(keys: rows.map { batch.recordKeys[$0] }, slices: snapshot.slices)
        let indexSeconds = Date().timeIntervalSince(indexStart)
        let work = WritePlanner.plan(.init(
            batch: batch, rows: rows, partitionPaths: partitionPaths, existing: existing,
            // Optimistic writers put inserts into new file groups only, so concurrent
            // inserters never touch the same group (no small-file packing).
            slicesByPartition: options.concurrency == .optimistic ? [:] : Dictionary(grouping: snapshot.slices, by: \.partitionPath),
            averageRecordSize: try await averageRecordSize(tl), options: options), summary: &summary)

        // Inflight: the workload profile, as Hudi writes it before any data file.
        let inflight = Instant(timestamp: instant, action: "commit", state: .inflight)
        try await store.put(tl.key(of: inflight), Self.workloadProfile(work, operation: operation).jsonData())

        // Partition markers for partitions new to the table.
        let knownPartitions = Set(listing.keys.map(\.partitionPath))
        for partition in Set(work.map(\.id.partitionPath)) where !knownPartitions.contains(partition) {
            let key = partition.isEmpty ? PartitionMetadata.fileName : "\(partition)/\(PartitionMetadata.fileName)"
            let depth = partition.isEmpty ? 0 : partition.split(separator: "/").count
            if try await !store.exists(key) {
                try await store.put(key, PartitionMetadata.contents(commitTime: instant, depth: depth))
            }
        }

        let writeStart = Date()
        let writer = FileGroupWriter(store: store, tableName: config.tableName, instant: instant, fields: batch.fields,
                                     precombineField: config.precombineField, options: options)
        let outputs = try await withThrowingTaskGroup(of: (Int, FileGroupWriter.Output).self) { group in
            var results = [FileGroupWriter.Output?](repeating: nil, count: work.count)
            var next = 0
            let sharedBatch = batch
            func launch() {
                let i = next
                let item = work[i]
                group.addTask { (i, try await writer.write(item, batch: sharedBatch, taskIndex: i)) }
                next += 1
            }
            while next < work.count && next < max(1, options.parallelism) { launch() }
            while let (i, out) = try await group.next() {
                results[i] = out
                if next < work.count { launch() }
            }
            return results.compactMap { $0 }
        }
        let writeSeconds = Date().timeIntervalSince(writeStart)

        var byPartition: [String: [WriteStat]] = [:]
        var partitionOrder: [String] = []
        for o in outputs {
            if byPartition[o.stat.partitionPath] == nil { partitionOrder.append(o.stat.partitionPath) }
            byPartition[o.stat.partitionPath, default: []].append(o.stat)
            cache.setFooter(o.slice.path, o.footer)
            cache.setKeyMap(o.slice.path, o.keyMap)
        }
        var extra = extraMetadata
        extra["schema"] = schema
        let metadata = CommitMetadata(
            partitionToWriteStats: partitionOrder.map { ($0, byPartition[$0] ?? []) },
            extraMetadata: extra, operationType: operation.rawValue)
        let completed = Instant(timestamp: instant, action: "commit", state: .completed)
        let commitPoint = { [store] in
            var metadata = metadata
            if let check {
                let latest = try await self.latestExtraMetadataValues(check.keys)
                do {
                    metadata.extraMetadata.merge(try check.body(latest)) { $1 }
                } catch {
                    throw CommitCheckRejected(error: error)
                }
            }
            do {
                try await store.putIfAbsent(tl.key(of: completed), metadata.jsonData())
            } catch ObjectStoreError.alreadyExists {
                throw HudiError.commitConflict("instant \(instant) was completed by another writer")
            }
        }
        switch options.concurrency {
        case .singleWriter:
            try await confirmWriterLease()
            try await commitPoint()
        case .optimistic:
            try await commitOptimistically(instant: instant, start: tl, groups: Set(work.map(\.id)), commit: commitPoint)
        }
        // Keep the writer's view current: our slices added, our instant completed.
        var newListing = listing
        for o in outputs {
            let id = FileGroupID(partitionPath: o.slice.partitionPath, fileId: o.slice.fileId)
            var g = newListing[id] ?? FileGroup(id: id)
            g.slices[o.slice.instant] = o.slice
            newListing[id] = g
        }
        // The timeline as the next load will show it: ours deduplicated to its completed state.
        writerView = (timelineNames.union([completed.fileName]), newListing)
        let rewritten = outputs.filter { $0.stat.prevCommit != "null" }
        let result = CommitResult(
            instant: instant, metadata: metadata, summary: summary, filesWritten: outputs.count,
            bytesWritten: outputs.reduce(0) { $0 + $1.stat.totalWriteBytes }, filesRewritten: rewritten.count,
            bytesRewritten: rewritten.reduce(0) { $0 + $1.stat.totalWriteBytes }, indexLookupSeconds: indexSeconds,
            writeSeconds: writeSeconds, totalSeconds: Date().timeIntervalSince(started))
        logger.debug("hudi commit", metadata: [
            "table": "\(config.tableName)", "instant": "\(instant)", "files": "\(outputs.count)",
            "inserts": "\(summary.inserts)", "updates": "\(summary.updates)", "deletes": "\(summary.deletes)",
        ])
        return result
    }

    /// Bytes per record from the newest commit that wrote at least `smallFileLimit` bytes
    /// (Hudi's `averageBytesPerRecord`), else the configured estimate.
    func averageRecordSize(_ tl: Timeline) async throws -> Int {
        for instant in tl.completedDataCommits.reversed().prefix(10) {
            let stats = try await metadata(of: instant, in: tl).writeStats
            let bytes = stats.reduce(Int64(0)) { $0 + $1.totalWriteBytes }
            let records = stats.reduce(Int64(0)) { $0 + $1.numWrites }
            if records > 0, Double(bytes) > options.recordSizeEstimationThreshold * Double(options.smallFileLimit) {
                return max(1, Int(bytes / records))
            }
        }
        return options.recordSizeEstimate
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
                              numWrites: 0, numDeletes: 0, numUpdateWrites: Int64(w.updates.count),
                              numInserts: Int64(w.inserts.count), totalWriteBytes: 0, partitionPath: p, fileSizeInBytes: 0)
            s.numDeletes = Int64(w.deletes.count)
            byPartition[p, default: []].append(s)
        }
        return CommitMetadata(partitionToWriteStats: order.map { ($0, byPartition[$0] ?? []) }, extraMetadata: [:], operationType: operation.rawValue)
    }
}
