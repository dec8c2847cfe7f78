import Foundation
import ObjectStore

extension TableWriter {
    /// Writes `batch` as one commit: `<t>.commit.requested` → `<t>.inflight` → base files →
    /// `<t>.commit` created with put-if-absent (see ``HudiTable/write(_:operation:extraMetadata:instant:check:)``),
    /// then, with `autoClean`, the cleaner.
    func write(_ batch: RecordBatch, operation: WriteOperation, extraMetadata: [String: String],
               instant: String?, check: CommitCheck?) async throws -> CommitResult {
        await acquireWriteTurn()
        defer { releaseWriteTurn() }
        let result = try await performWrite(batch, operation: operation, extraMetadata: extraMetadata, instant: instant, check: check)
        if table.config.isMergeOnRead, let tl = try? await table.timeline.load() { await compactIfDue(tl) }
        if table.options.autoClean {
            // The commit stands even if cleaning fails; a half-done clean is finished by the next write.
            do {
                _ = try await cleaner.run(retained: table.options.cleanerCommitsRetained)
            } catch {
                table.logger.warning("hudi clean failed", metadata: ["error": "\(error)"])
            }
        }
        return result
    }

    private func performWrite(_ batch: RecordBatch, operation: WriteOperation, extraMetadata: [String: String],
                              instant requestedInstant: String?, check: CommitCheck?) async throws -> CommitResult {
        let started = Date()
        try batch.validate()
        try batch.validateOrdering(precombineField: table.config.precombineField)
        guard table.config.tableVersion == 6, (table.config.timelineLayoutVersion ?? 1) == 1 else {
            throw HudiError(.unsupported, "writing table version \(table.config.tableVersion) (only 6)")
        }
        guard table.config.populateMetaFields else { throw HudiError(.unsupported, "writing a table without meta fields") }
        guard [.insert, .upsert, .delete].contains(operation) else { throw HudiError(.unsupported, "write operation \(operation.rawValue)") }
        var batch = batch
        if operation == .delete { batch.operations = [RecordOperation](repeating: .delete, count: batch.count) }

        // Single writer: the lease first (throws naming the holder); then failed writes are
        // rolled back before anything is written.
        try await holdWriterLease()
        let tl = try await recovery.recover(try await table.timeline.load())
        batch = try await evolveSchema(batch, tl)
        let schema = AvroSchema.json(tableName: table.config.tableName, fields: batch.fields)
        let reservation = try await InstantReservation.reserve(requestedInstant, action: table.config.writeAction, timeline: tl, store: table.store,
                                                               instantTimes: table.instantTimes, options: table.options)
        let instant = reservation.instant
        let optimistic = table.options.concurrency == .optimistic
        do {
            let transaction = CommitTransaction(table: table, footers: footers, rememberedDeletes: rememberedDeletes)
            let prepared = try await transaction.prepare(batch, operation: operation, extraMetadata: extraMetadata, schema: schema,
                                                         instant: instant, timeline: tl)
            // A compaction that completed after this write started and folded a group this
            // write appended a log to conflicts like any commit touching that group (its
            // write stats name the group; see ``OptimisticCommit``), so the write is retried
            // against the new slice. A single writer completes compactions under its write turn.
            let commitPoint = { [table, rememberedDeletes] in
                try await prepared.commitPoint(store: table.store, timeline: table.timeline, check: check,
                                               rememberedDeletes: rememberedDeletes, parquet: table.options.parquet)
            }
            switch table.options.concurrency {
            case .singleWriter:
                try await confirmWriterLease()
                try await commitPoint()
            case .optimistic:
                let occ = OptimisticCommit(store: table.store, options: table.options, timeline: table.timeline, recovery: recovery)
                try await occ.run(instant: instant, start: tl, groups: Set(prepared.work.map(\.id)), commitPoint: commitPoint)
            }
            // Keep the writer's view current: our slices added, our instant completed.
            let view = prepared.viewAfterCommit
            table.fileSystemView.remember(view.listing, asOf: view.timeline)
            let result = prepared.result(started: started)
            table.logger.debug("hudi commit", metadata: [
                "table": "\(table.config.tableName)", "instant": "\(instant)", "files": "\(prepared.outputs.count)",
                "inserts": "\(prepared.summary.inserts)", "updates": "\(prepared.summary.updates)", "deletes": "\(prepared.summary.deletes)",
            ])
            await reservation.heartbeat?.stop()
            if let deletes = prepared.deletes, deletes.wroteNew { await RememberedDeletesCache.removeOlder(than: deletes.basedOn, store: table.store) }
            return result
        } catch {
            if optimistic, (error as? HudiError)?.kind == .commitConflict { await recovery.rollBackOwn(instant, in: tl) }
            if let rejected = error as? CommitCheckRejected {
                // Refused before the commit point: nothing of this write may stay.
                if optimistic { await recovery.rollBackOwn(instant, in: tl) }
                await reservation.heartbeat?.stop()
                throw rejected.error
            }
            await reservation.heartbeat?.stop()
            throw error
        }
    }

    /// The table's schema from its latest commit, and the batch evolved to it (see
    /// ``SchemaEvolution``); the batch unchanged when the schemas are equal or the table has
    /// no commit yet.
    private func evolveSchema(_ batch: RecordBatch, _ tl: Timeline) async throws -> RecordBatch {
        guard let last = tl.latestCompletedCommit, let tableSchema = try await table.timeline.metadata(of: last, in: tl).schema,
              tableSchema != AvroSchema.json(tableName: table.config.tableName, fields: batch.fields) else { return batch }
        return try SchemaEvolution.evolve(batch, tableFields: try SchemaEvolution.fields(fromAvro: tableSchema))
    }
}
