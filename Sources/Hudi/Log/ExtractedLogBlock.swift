import Foundation
import ObjectStore
import Parquet
import TributaryCore

/// One block of a log file as an engine that reads Parquet only can use it (the query
/// layer's DuckDB views merge slices themselves): a data block is its Parquet file as
/// written, a delete block becomes a Parquet file of `_hoodie_record_key` and `ordering`,
/// a rollback command block names the instant it drops.
public struct ExtractedLogBlock: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        case data(Data)
        case deletes(Data)
        case rollback(target: String)
        /// Blocks readers skip (corrupted blocks, other commands).
        case ignored
    }

    public var instant: String?
    public var content: Content

    /// The columns of a delete block's Parquet file.
    public static let deleteKeyColumn = "_hoodie_record_key", deleteOrderingColumn = "ordering"

    /// Which blocks of a slice's log files count (`logs` oldest first, blocks in file
    /// order): those whose instant passes `isVisible` and that no rollback command block of
    /// the slice names — our merged reader's rule (``SliceLogs``). Returned as
    /// (file, block) positions, in log order.
    public static func counted(_ logs: [[(instant: String?, rollbackTarget: String?)]],
                               isVisible: (String) -> Bool) -> [(file: Int, block: Int)] {
        let rolledBack = Set(logs.joined().compactMap(\.rollbackTarget))
        var out: [(file: Int, block: Int)] = []
        for (f, blocks) in logs.enumerated() {
            for (b, block) in blocks.enumerated() {
                guard let instant = block.instant, isVisible(instant), !rolledBack.contains(instant) else { continue }
                out.append((f, b))
            }
        }
        return out
    }

    /// The instant a rollback command block drops, nil for other blocks.
    public var rollbackTarget: String? {
        if case .rollback(let target) = content { return target }
        return nil
    }
}

extension LogBlock {
    /// The instant this block drops when it is a rollback command block.
    var rollbackTarget: String? {
        type == .command && header[.commandBlockType] == "0" ? header[.targetInstantTime] : nil
    }
}

extension HudiTable {
    /// The blocks of `log` (a log file of one of this table's slices), in file order. Log
    /// files never change once written, so callers may keep the result by the file's path.
    public func extractLogBlocks(_ log: LogFile) async throws -> [ExtractedLogBlock] {
        let blocks = try LogBlock.decodeAll(try await store.get(log.path), path: log.path)
        return try blocks.map { b -> ExtractedLogBlock in
            switch b.type {
            case .parquetData:
                return ExtractedLogBlock(instant: b.instantTime, content: .data(b.content))
            case .delete:
                let records = try b.deleteRecords(path: log.path)
                let columns = [Column(.byteArray(ByteArrays(strings: records.map(\.recordKey)))), Column(.int64(records.map(\.ordering)))]
                let fields = [Field(ExtractedLogBlock.deleteKeyColumn, .string, nullable: false),
                              Field(ExtractedLogBlock.deleteOrderingColumn, .int64, nullable: false)]
                return ExtractedLogBlock(instant: b.instantTime, content: .deletes(Data(try ParquetWriter.write(fields: fields, columns: columns))))
            case .command:
                return ExtractedLogBlock(instant: b.instantTime, content: b.rollbackTarget.map { .rollback(target: $0) } ?? .ignored)
            case .corrupted:
                return ExtractedLogBlock(instant: b.instantTime, content: .ignored)
            case .avroData, .hfileData, .cdcData:
                throw HudiError(.unsupported, "\(log.path): \(b.type) log blocks (readable: Parquet data, delete, rollback)")
            }
        }
    }

    /// The ordering (precombine) field as the table's latest schema declares it; nil when
    /// the table has none.
    public func orderingField() async throws -> Field? {
        guard let name = config.precombineField else { return nil }
        let fields = try SchemaEvolution.fields(fromAvro: try await writer.compactor.tableSchema(try await timeline()))
        return fields.first { $0.name == name }
    }
}
