import Foundation

/// The contents of `.hoodie/hoodie.properties`: an ordered list of entries (so a rewrite
/// keeps the file's order) with typed accessors for the keys this module uses.
public struct TableConfig: Sendable, Equatable {
    /// One `key=value` line.
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: String
        public init(_ key: String, _ value: String) { self.key = key; self.value = value }
    }

    /// Property keys (Hudi's names).
    public enum Key {
        public static let name = "hoodie.table.name"
        public static let type = "hoodie.table.type"
        public static let version = "hoodie.table.version"
        public static let initialVersion = "hoodie.table.initial.version"
        public static let timelineLayoutVersion = "hoodie.timeline.layout.version"
        public static let timelinePath = "hoodie.timeline.path"
        public static let recordKeyFields = "hoodie.table.recordkey.fields"
        public static let precombineField = "hoodie.table.precombine.field"
        public static let orderingFields = "hoodie.table.ordering.fields"
        public static let partitionFields = "hoodie.table.partition.fields"
        public static let keyGeneratorClass = "hoodie.table.keygenerator.class"
        public static let keyGeneratorType = "hoodie.table.keygenerator.type"
        public static let hiveStylePartitioning = "hoodie.datasource.write.hive_style_partitioning"
        public static let urlEncodePartitioning = "hoodie.datasource.write.partitionpath.urlencode"
        public static let dropPartitionColumns = "hoodie.datasource.write.drop.partition.columns"
        public static let archiveLogFolder = "hoodie.archivelog.folder"
        public static let databaseName = "hoodie.database.name"
        public static let createSchema = "hoodie.table.create.schema"
        public static let baseFileFormat = "hoodie.table.base.file.format"
        public static let populateMetaFields = "hoodie.populate.meta.fields"
        public static let timelineTimezone = "hoodie.table.timeline.timezone"
        public static let metadataPartitions = "hoodie.table.metadata.partitions"
        public static let checksum = "hoodie.table.checksum"
        public static let logFileFormat = "hoodie.table.log.file.format"
        public static let payloadClass = "hoodie.compaction.payload.class"
    }

    public private(set) var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    public subscript(key: String) -> String? {
        get { entries.last(where: { $0.key == key })?.value }
        set {
            if let newValue {
                if let i = entries.firstIndex(where: { $0.key == key }) {
                    entries[i].value = newValue
                } else {
                    entries.append(Entry(key, newValue))
                }
            } else {
                entries.removeAll { $0.key == key }
            }
        }
    }

    // MARK: Typed accessors

    public var tableName: String { self[Key.name] ?? "" }
    public var tableType: String { (self[Key.type] ?? "COPY_ON_WRITE").uppercased() }
    /// The table's type as a value (nil for a type this module does not know).
    public var type: TableType? { TableType(hoodieName: tableType) }
    public var isMergeOnRead: Bool { type == .mergeOnRead }
    /// The action of a data write: `deltacommit` on merge-on-read tables, else `commit`.
    public var writeAction: String { isMergeOnRead ? "deltacommit" : "commit" }
    public var tableVersion: Int { Int(self[Key.version] ?? "") ?? 0 }
    public var timelineLayoutVersion: Int? { self[Key.timelineLayoutVersion].flatMap { Int($0) } }
    public var databaseName: String? { self[Key.databaseName] }

    public var recordKeyFields: [String] { Self.list(self[Key.recordKeyFields]) }

    /// The one ordering (precombine) field, if any (v9 name first, then the deprecated one).
    public var precombineField: String? {
        let f = Self.list(self[Key.orderingFields] ?? self[Key.precombineField])
        return f.first
    }

    /// Partition fields without a CUSTOM key generator's `:type` suffix.
    public var partitionFields: [String] {
        Self.list(self[Key.partitionFields]).map { f in
            f.split(separator: ":", maxSplits: 1).first.map(String.init) ?? f
        }
    }

    public var keyGenerator: String? { self[Key.keyGeneratorClass] ?? self[Key.keyGeneratorType] }

    /// Partitioned unless there are no partition fields or the key generator says so.
    public var isPartitioned: Bool {
        guard !partitionFields.isEmpty else { return false }
        if let kg = keyGenerator, kg.hasSuffix("NonpartitionedKeyGenerator") || kg.uppercased() == "NON_PARTITION" {
            return false
        }
        return true
    }

    public var hiveStylePartitioning: Bool { Self.bool(self[Key.hiveStylePartitioning], default: false) }
    public var urlEncodePartitioning: Bool { Self.bool(self[Key.urlEncodePartitioning], default: false) }
    public var populateMetaFields: Bool { Self.bool(self[Key.populateMetaFields], default: true) }

    /// `.hoodie` for layout 1; `.hoodie/timeline` for layout 2 (v8+).
    public var timelineFolder: String {
        if (timelineLayoutVersion ?? 1) >= 2 { return ".hoodie/" + (self[Key.timelinePath] ?? "timeline") }
        return ".hoodie"
    }

    private static func list(_ s: String?) -> [String] {
        (s ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private static func bool(_ s: String?, default d: Bool) -> Bool {
        guard let s else { return d }
        return s.lowercased() == "true"
    }

    // MARK: Checksum

    /// `hoodie.table.checksum`: CRC32 of `"<database>.<table>"` (empty database when absent),
    /// as Java's `HoodieTableConfig.generateChecksum` computes it.
    public static func checksum(database: String?, table: String) -> UInt32 {
        CRC32.checksum(Array("\(database ?? "").\(table)".utf8))
    }

    /// Throws when the stored checksum disagrees with the name it guards.
    public func validateChecksum() throws {
        guard let stored = self[Key.checksum] else { return }
        let expected = Self.checksum(database: databaseName, table: tableName)
        guard UInt64(stored) == UInt64(expected) else {
            throw HudiError(.corrupt, "hoodie.properties checksum \(stored) does not match \(expected) for table \(tableName)")
        }
    }

    // MARK: Reading and writing

    /// Parses `hoodie.properties` text and validates the checksum.
    public static func parse(_ data: Data) throws -> TableConfig {
        let text = String(decoding: data, as: UTF8.self)
        let config = TableConfig(entries: JavaProperties.parse(text).map { Entry($0.key, $0.value) })
        try config.validateChecksum()
        return config
    }

    /// The file text, the checksum recomputed and written last (as Java does).
    public func serialized(date: Date = Date()) -> Data {
        var copy = self
        copy[Key.checksum] = nil
        let sum = Self.checksum(database: databaseName, table: tableName)
        let lines = copy.entries.map { (key: $0.key, value: $0.value) } + [(key: Key.checksum, value: String(sum))]
        return Data(JavaProperties.render(lines, comments: ["Updated at \(ISO8601DateFormatter().string(from: date))"], date: date).utf8)
    }

    /// The properties of a new version-6 copy-on-write table (timeline layout 1, no metadata
    /// table, hive-style partitions when `hiveStyle`).
    public static func newTable(
        name: String, recordKeyFields: [String], precombineField: String?, partitionFields: [String],
        hiveStyle: Bool = true, createSchema: String?, databaseName: String = "default", tableType: TableType = .copyOnWrite
    ) -> TableConfig {
        var c = TableConfig(entries: [])
        c[Key.name] = name
        c[Key.type] = tableType.hoodieName
        c[Key.version] = "6"
        c[Key.timelineLayoutVersion] = "1"
        c[Key.recordKeyFields] = recordKeyFields.joined(separator: ",")
        if let precombineField { c[Key.precombineField] = precombineField }
        if !partitionFields.isEmpty { c[Key.partitionFields] = partitionFields.joined(separator: ",") }
        let keyGen: String
        if partitionFields.isEmpty {
            keyGen = "org.apache.hudi.keygen.NonpartitionedKeyGenerator"
        } else if recordKeyFields.count == 1 && partitionFields.count == 1 {
            keyGen = "org.apache.hudi.keygen.SimpleKeyGenerator"
        } else {
            keyGen = "org.apache.hudi.keygen.ComplexKeyGenerator"
        }
        c[Key.keyGeneratorClass] = keyGen
        c[Key.hiveStylePartitioning] = hiveStyle ? "true" : "false"
        c[Key.urlEncodePartitioning] = "false"
        c[Key.dropPartitionColumns] = "false"
        c[Key.archiveLogFolder] = "archived"
        c[Key.baseFileFormat] = "PARQUET"
        c[Key.populateMetaFields] = "true"
        c[Key.timelineTimezone] = "UTC"
        c[Key.databaseName] = databaseName
        if let createSchema { c[Key.createSchema] = createSchema }
        if tableType == .mergeOnRead {
            // What Spark's 0.14 writer records for a MOR table: log files in Hudi's log format,
            // merged by the ordering field (the latest by it wins, deletes included).
            c[Key.logFileFormat] = "HOODIE_LOG"
            c[Key.payloadClass] = "org.apache.hudi.common.model.DefaultHoodieRecordPayload"
        }
        return c
    }
}

/// Copy-on-write (updates rewrite base files) or merge-on-read (updates and deletes are
/// appended as log blocks and merged by readers until compaction folds them in). A table
/// keeps the type it was created with.
public enum TableType: String, Sendable, CaseIterable {
    case copyOnWrite = "copy_on_write"
    case mergeOnRead = "merge_on_read"

    /// `hoodie.table.type`'s value.
    public var hoodieName: String { self == .copyOnWrite ? "COPY_ON_WRITE" : "MERGE_ON_READ" }

    public init?(hoodieName: String) {
        switch hoodieName.uppercased() {
        case "COPY_ON_WRITE": self = .copyOnWrite
        case "MERGE_ON_READ": self = .mergeOnRead
        default: return nil
        }
    }
}

/// CRC-32 (IEEE, as `java.util.zip.CRC32`).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
