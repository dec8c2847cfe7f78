import Foundation

/// One block of a Hudi log file (`HoodieLogFormat` version 1), the unit merge-on-read
/// writers append: data (records), deletes (keys), or a command (rollback of an instant).
///
/// Layout, all integers big-endian: `#HUDI#`, the block length (8 bytes, everything after
/// this field), the format version (4, = 1), the block type (4), the header (4-byte entry
/// count, then per entry a 4-byte key ordinal, a 4-byte length and the UTF-8 value), the
/// content length (8) and content, the footer (same shape as the header), and the block's
/// total length from its magic on (8, a reverse pointer for backwards scans).
public struct LogBlock: Sendable, Equatable {
    /// `HoodieLogBlockType` ordinals.
    public enum BlockType: UInt32, Sendable {
        case command = 0, delete = 1, corrupted = 2, avroData = 3, hfileData = 4, parquetData = 5, cdcData = 6
    }

    /// `HeaderMetadataType` ordinals.
    public enum HeaderKey: UInt32, Sendable, Comparable {
        case instantTime = 0, targetInstantTime = 1, schema = 2, commandBlockType = 3, compactedBlockTimes = 4,
             recordPositions = 5, blockIdentifier = 6, isPartial = 7, baseFileInstantTimeOfRecordPositions = 8
        public static func < (a: HeaderKey, b: HeaderKey) -> Bool { a.rawValue < b.rawValue }
    }

    static let magic: [UInt8] = Array("#HUDI#".utf8)
    static let formatVersion: UInt32 = 1
    /// The version data and delete block contents start with (`HoodieLogBlock.version`).
    static let contentVersion: UInt32 = 3

    public var type: BlockType
    public var header: [HeaderKey: String]
    public var content: Data
    public var footer: [HeaderKey: String] = [:]

    public init(type: BlockType, header: [HeaderKey: String], content: Data, footer: [HeaderKey: String] = [:]) {
        self.type = type
        self.header = header
        self.content = content
        self.footer = footer
    }

    /// The instant that wrote the block.
    public var instantTime: String? { header[.instantTime] }

    /// A Parquet data block: the records as a Parquet file (meta columns first), their Avro
    /// schema in the header.
    static func parquetData(instant: String, schema: String, parquet: Data) -> LogBlock {
        LogBlock(type: .parquetData, header: [.instantTime: instant, .schema: schema], content: parquet)
    }

    /// A delete block for `records` (Avro `HoodieDeleteRecordList`, content version 3).
    static func delete(instant: String, records: [DeleteRecord]) -> LogBlock {
        let list = DeleteRecord.encodeList(records)
        var content = Data()
        content.appendBigEndian(contentVersion)
        content.appendBigEndian(UInt32(list.count))
        content.append(contentsOf: list)
        return LogBlock(type: .delete, header: [.instantTime: instant], content: content)
    }

    /// A rollback command block: readers drop every block of `target` (`HoodieCommandBlock`,
    /// type 0 = rollback, no content).
    static func rollback(instant: String, target: String) -> LogBlock {
        LogBlock(type: .command, header: [.instantTime: instant, .targetInstantTime: target, .commandBlockType: "0"], content: Data())
    }

    /// The block's bytes, magic to reverse pointer.
    func encoded() -> Data {
        let header = Self.metadata(self.header)
        let footer = Self.metadata(self.footer)
        var out = Data(Self.magic)
        let length = 4 + 4 + header.count + 8 + content.count + footer.count + 8
        out.appendBigEndian(UInt64(length))
        out.appendBigEndian(Self.formatVersion)
        out.appendBigEndian(type.rawValue)
        out.append(header)
        out.appendBigEndian(UInt64(content.count))
        out.append(content)
        out.append(footer)
        out.appendBigEndian(UInt64(out.count))
        return out
    }

    private static func metadata(_ entries: [HeaderKey: String]) -> Data {
        var out = Data()
        out.appendBigEndian(UInt32(entries.count))
        for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
            let bytes = Data(value.utf8)
            out.appendBigEndian(key.rawValue)
            out.appendBigEndian(UInt32(bytes.count))
            out.append(bytes)
        }
        return out
    }

    /// The blocks of a log file. A torn last block (a crash mid-write on a file system that
    /// appends) ends the list, as Hudi's reader treats it as corrupt and skips it.
    static func decodeAll(_ data: Data, path: String) throws -> [LogBlock] {
        var blocks: [LogBlock] = []
        var r = ByteReader(data: data)
        while r.remaining > 0 {
            guard r.remaining >= 14, let magic = try? r.bytes(6), magic == Self.magic else {
                if blocks.isEmpty { throw HudiError(.corrupt, "\(path): not a Hudi log file (no #HUDI# magic)") }
                break
            }
            guard let length = Int(exactly: try r.u64()), length <= r.remaining else { break }
            var b = ByteReader(data: try r.data(length))
            let version = try b.u32()
            guard version == 1 else { throw HudiError(.unsupported, "\(path): log format version \(version)") }
            guard let type = BlockType(rawValue: try b.u32()) else { throw HudiError(.corrupt, "\(path): unknown log block type") }
            let header = try Self.readMetadata(&b)
            guard let contentLength = Int(exactly: try b.u64()) else { throw HudiError(.corrupt, "\(path): log block content length") }
            let content = try b.data(contentLength)
            let footer = try Self.readMetadata(&b)
            blocks.append(LogBlock(type: type, header: header, content: content, footer: footer))
        }
        return blocks
    }

    private static func readMetadata(_ r: inout ByteReader) throws -> [HeaderKey: String] {
        var out: [HeaderKey: String] = [:]
        let count = try r.u32()
        for _ in 0..<count {
            let key = try r.u32()
            let value = String(decoding: try r.data(Int(try r.u32())), as: UTF8.self)
            if let k = HeaderKey(rawValue: key) { out[k] = value }
        }
        return out
    }

    /// What a reader takes from a block: a Parquet data block's file, a delete block's
    /// records, or nothing (rollback commands, corrupt blocks); other data formats are refused.
    enum Payload {
        case parquet(Data)
        case deletes([DeleteRecord])
        case none
    }

    func payload(path: String) throws -> Payload {
        switch type {
        case .parquetData: return .parquet(content)
        case .delete: return .deletes(try deleteRecords(path: path))
        case .command, .corrupted: return .none
        case .avroData, .hfileData, .cdcData:
            throw HudiError(.unsupported, "\(path): \(type) log blocks (readable: Parquet data, delete, rollback)")
        }
    }

    /// The delete records of a delete block.
    func deleteRecords(path: String) throws -> [DeleteRecord] {
        var r = ByteReader(data: content)
        let version = try r.u32()
        guard version == Self.contentVersion else {
            throw HudiError(.unsupported, "\(path): delete block content version \(version) (readable: 3, Avro)")
        }
        let list = try r.data(Int(try r.u32()))
        return try DeleteRecord.decodeList(list, path: path)
    }
}

/// Big-endian reads over bytes (log files).
struct ByteReader {
    let data: Data
    var position: Int

    init(data: Data) {
        self.data = data
        position = data.startIndex
    }

    var remaining: Int { data.endIndex - position }

    mutating func bytes(_ n: Int) throws -> [UInt8] { Array(try self.data(n)) }

    mutating func data(_ n: Int) throws -> Data {
        guard n >= 0, n <= remaining else { throw HudiError(.corrupt, "log block truncated") }
        defer { position += n }
        return data[position..<(position + n)]
    }

    mutating func u32() throws -> UInt32 { try bytes(4).reduce(0) { $0 << 8 | UInt32($1) } }
    mutating func u64() throws -> UInt64 { try bytes(8).reduce(0) { $0 << 8 | UInt64($1) } }
}

extension Data {
    mutating func appendBigEndian(_ v: UInt32) { Swift.withUnsafeBytes(of: v.bigEndian) { append(contentsOf: $0) } }
    mutating func appendBigEndian(_ v: UInt64) { Swift.withUnsafeBytes(of: v.bigEndian) { append(contentsOf: $0) } }
}
