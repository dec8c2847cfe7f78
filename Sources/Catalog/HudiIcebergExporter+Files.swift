import Foundation
import Hudi
import ObjectStore
import TributaryCore

/// The exporter's pieces: schema history, the per-snapshot Avro files, the metadata file.
extension HudiIcebergExporter {
    /// One schema per distinct commit schema (Hudi's schema evolution adds columns and
    /// nested members), field ids kept by path (starting from `fieldIDs`); returns the
    /// distinct schemas and each commit's.
    func schemaHistory(_ commits: [Instant], timeline: Timeline, fallback: String, fieldIDs: [String: Int]) async throws
        -> (schemas: [IcebergSchema], perCommit: [IcebergSchema])
    {
        var schemas: [IcebergSchema] = []
        var ids = fieldIDs
        var perCommit: [IcebergSchema] = []
        for commit in commits {
            let avro = try await table.commitMetadata(commit, in: timeline).schema ?? fallback
            var s = try IcebergSchema.fromHudiAvro(avro, schemaID: schemas.count, knownIDs: ids)
            if let last = schemas.last, last.fields == s.fields {
                s = last
            } else {
                schemas.append(s)
                ids.merge(s.idsByPath) { old, _ in old }
            }
            perCommit.append(s)
        }
        return (schemas, perCommit)
    }

    typealias Counts = (files: Int64, rows: Int64)

    /// Writes a snapshot's manifest and manifest list, unless an earlier export wrote them:
    /// Iceberg files are immutable once a snapshot may have been read or published (a kept
    /// list describes the same files; only its parent may differ when the cleaner trimmed
    /// the history).
    func writeSnapshotFiles(
        manifestKey: String, listKey: String, entries: [ManifestEntry], schema: IcebergSchema,
        partition: [ManifestAvro.PartitionField], specJSON: String,
        live: [(file: IcebergDataFile, snapshotID: Int64, sequence: Int64)],
        snapshot: (id: Int64, parent: Int64?, sequence: Int64), counts: (added: Counts, existing: Counts, deleted: Counts),
        target: IcebergMetadataTarget
    ) async throws {
        guard try await !exists(listKey, in: target.store) else { return }
        let sync = Self.syncMarker(snapshot.id)
        let manifest = try ManifestAvro.manifest(entries: entries, partition: partition, schemaJSON: schema.json.json,
                                                 schemaID: schema.schemaID, specFieldsJSON: specJSON, specID: 0, sync: sync)
        try await target.store.put(manifestKey, manifest)
        let summaries = partition.indices.map { i -> (containsNull: Bool, lower: String?, upper: String?) in
            let values = live.map { i < $0.file.partition.count ? $0.file.partition[i] : nil }
            let present = values.compactMap { $0 }
            return (present.count < values.count, present.min(), present.max())
        }
        let entry = ManifestAvro.ManifestFileEntry(
            path: "\(target.location)/\(manifestKey)", length: Int64(manifest.count), sequenceNumber: snapshot.sequence,
            minSequenceNumber: live.map(\.sequence).min() ?? snapshot.sequence, addedSnapshotID: snapshot.id,
            added: counts.added, existing: counts.existing, deleted: counts.deleted, partitions: summaries)
        try await target.store.put(listKey, try ManifestAvro.manifestList(
            [entry], snapshotID: snapshot.id, parentID: snapshot.parent, sequenceNumber: snapshot.sequence, sync: sync))
    }

    /// Writes the metadata JSON as `v<N>.metadata.json` and names it in `version-hint.text`
    /// (as Hadoop-style Iceberg readers expect): metadata files are immutable too, so N
    /// grows only when the metadata changed. Returns the key.
    func writeMetadataFile(_ metadata: IcebergTableMetadata) async throws -> String {
        let body = Data(metadata.json.pretty().utf8)
        var version = 1
        if let last = await lastMetadataFile() {
            version = last.body == body ? last.version : last.version + 1
        }
        let key = "\(Self.metadataFolder)/v\(version).metadata.json"
        if try await !exists(key) {
            try await table.store.put(key, body)
            try await table.store.put(Self.versionHintKey, Data(String(version).utf8))
        }
        return key
    }

    static let versionHintKey = "\(metadataFolder)/version-hint.text"

    /// The metadata file `version-hint.text` names (nil: none, or unreadable).
    func lastMetadataFile() async -> (version: Int, body: Data?)? {
        guard let hint = try? await table.store.get(Self.versionHintKey),
              let last = Int(String(decoding: hint, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else { return nil }
        return (last, try? await table.store.get("\(Self.metadataFolder)/v\(last).metadata.json"))
    }

    /// The field ids of every schema of the last metadata file, by path.
    func lastFieldIDs() async throws -> [String: Int] {
        guard let body = await lastMetadataFile()?.body else { return [:] }
        let metadata: JSONValue
        do {
            metadata = try JSONValue.parse(body)
        } catch {
            throw CatalogError(.invalidTable, "\(Self.metadataFolder)/version-hint.text names a metadata file that is not JSON: \(error)")
        }
        var ids: [String: Int] = [:]
        for schema in metadata["schemas"]?.arrayValues ?? [] {
            ids.merge(IcebergSchema.idsByPath(schemaJSON: schema)) { old, _ in old }
        }
        return ids
    }

    func exists(_ key: String, in store: (any ObjectStore)? = nil) async throws -> Bool {
        do {
            _ = try await (store ?? table.store).head(key)
            return true
        } catch ObjectStoreError.notFound {
            return false
        }
    }
}
