import Foundation
import TributaryCore

/// One record of a delete block (Avro `HoodieDeleteRecord`): the key, its partition path,
/// and the ordering value the delete carries — readers apply it unless the record's
/// stored ordering value is greater (so a late, older delete does not remove a newer row).
public struct DeleteRecord: Sendable, Equatable {
    public var recordKey: String
    public var partitionPath: String
    public var ordering: Int64
    /// Position of the ordering value's type in the `orderingVal` union (Avro branch; hudi-rs
    /// refuses the null branch). Our writer uses ``longBranch``.
    public var orderingBranch: Int

    /// The `long` branch of the `orderingVal` union.
    static let longBranch = 2

    /// `HoodieDeleteRecordList` as one Avro datum (not a container file).
    static func encodeList(_ records: [DeleteRecord]) -> [UInt8] {
        var out: [UInt8] = []
        func long(_ v: Int64) { Varint.append(Varint.zigzag(v), to: &out) }
        func string(_ s: String) {
            long(Int64(s.utf8.count))
            out += Array(s.utf8)
        }
        if !records.isEmpty {
            long(Int64(records.count))
            for r in records {
                long(1); string(r.recordKey)
                long(1); string(r.partitionPath)
                long(Int64(r.orderingBranch))
                switch r.orderingBranch {
                case 3:
                    withUnsafeBytes(of: Float(r.ordering).bitPattern.littleEndian) { out += $0 }
                case 4:
                    withUnsafeBytes(of: Double(r.ordering).bitPattern.littleEndian) { out += $0 }
                default:
                    long(r.ordering)  // int, long, date, timestamps: zig-zag varints alike
                }
            }
        }
        long(0)
        return out
    }

    /// Decodes `HoodieDeleteRecordList` (any ordering branch Hudi writes; values that are
    /// not numbers order as 0).
    static func decodeList(_ data: Data, path: String) throws -> [DeleteRecord] {
        let bytes = [UInt8](data)
        var at = 0
        func long() throws -> Int64 {
            do { return Varint.unzigzag(try Varint.read(bytes, at: &at, end: bytes.count)) } catch {
                throw HudiError(.corrupt, "\(path): delete block is not a valid Avro HoodieDeleteRecordList")
            }
        }
        func raw(_ n: Int) throws -> [UInt8] {
            guard n >= 0, at + n <= bytes.count else { throw HudiError(.corrupt, "\(path): delete block truncated") }
            defer { at += n }
            return Array(bytes[at..<(at + n)])
        }
        func optionalString() throws -> String {
            guard try long() == 1 else { return "" }
            return String(decoding: try raw(Int(try long())), as: UTF8.self)
        }
        var out: [DeleteRecord] = []
        while true {
            var count = try long()
            if count == 0 { break }
            if count < 0 {
                count = -count
                _ = try long()  // block byte size
            }
            for _ in 0..<count {
                let key = try optionalString()
                let partition = try optionalString()
                let branch = Int(try long())
                var ordering: Int64 = 0
                switch branch {
                case 0: break
                case 1, 2, 8, 9, 10, 11, 12: ordering = try long()
                case 3:
                    let b = try raw(4)
                    ordering = Int64(exactly: Float(bitPattern: b.reversed().reduce(0) { $0 << 8 | UInt32($1) }).rounded(.down)) ?? 0
                case 4:
                    let b = try raw(8)
                    ordering = Int64(exactly: Double(bitPattern: b.reversed().reduce(0) { $0 << 8 | UInt64($1) }).rounded(.down)) ?? 0
                case 5, 6, 7: _ = try raw(Int(try long()))
                default: throw HudiError(.corrupt, "\(path): delete record ordering branch \(branch)")
                }
                out.append(DeleteRecord(recordKey: key, partitionPath: partition, ordering: ordering, orderingBranch: branch))
            }
        }
        return out
    }
}
