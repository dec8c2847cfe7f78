import TributaryCore

/// What a record in a batch asks for.
public enum RecordOperation: UInt8, Sendable {
    case upsert
    case delete
}

/// A batch of records to write, column-oriented so the caller fills it without per-record
/// objects: the data columns (the table's schema, one `Column` per field) plus, per record,
/// its key, partition value, ordering (precombine) value and operation. Keys and partition
/// values are UTF-8 bytes (the decoder's columns as they are): the writer hashes, sorts and
/// copies them as bytes, never as strings.
///
/// Delete records still occupy a slot in every column; their values are ignored.
public struct RecordBatch: Sendable {
    /// Data columns, in table order (without Hudi's meta columns).
    public var fields: [Field]
    public var columns: [Column]
    /// Record key per record (`_hoodie_record_key`).
    public var recordKeys: ByteArrays
    /// Partition value per record, e.g. `2026-11-26`; the table turns it into the partition
    /// path (`event_date=2026-11-26` with hive-style partitioning). Several partition fields:
    /// values joined by `/`. Ignored for non-partitioned tables.
    public var partitionValues: ByteArrays
    /// Precombine value per record (for `timestamp`: epoch micros); the larger one wins.
    public var orderingValues: [Int64]
    public var operations: [RecordOperation]
    /// Nested (group, list, map) fields' data, by field name, shredded; their entry in
    /// `columns` is only a placeholder with one slot per record.
    public var nestedColumns: [String: NestedColumn] = [:]

    public init(fields: [Field], columns: [Column], recordKeys: ByteArrays, partitionValues: ByteArrays,
                orderingValues: [Int64], operations: [RecordOperation]? = nil) {
        self.fields = fields
        self.columns = columns
        self.recordKeys = recordKeys
        self.partitionValues = partitionValues
        self.orderingValues = orderingValues
        self.operations = operations ?? [RecordOperation](repeating: .upsert, count: recordKeys.count)
    }

    /// A batch from string keys and partition values (tests, tools).
    public init(fields: [Field], columns: [Column], recordKeys: [String], partitionValues: [String],
                orderingValues: [Int64], operations: [RecordOperation]? = nil) {
        self.init(fields: fields, columns: columns, recordKeys: ByteArrays(strings: recordKeys),
                  partitionValues: ByteArrays(strings: partitionValues), orderingValues: orderingValues, operations: operations)
    }

    public var count: Int { recordKeys.count }

    /// Throws unless every array has one entry per record and columns match fields.
    public func validate() throws {
        let n = recordKeys.count
        guard partitionValues.count == n, orderingValues.count == n, operations.count == n else {
            throw HudiError(.invalidArgument, "batch of \(n) keys has \(partitionValues.count) partition values, \(orderingValues.count) ordering values, \(operations.count) operations")
        }
        guard columns.count == fields.count else {
            throw HudiError(.invalidArgument, "batch has \(columns.count) columns for \(fields.count) fields")
        }
        for (c, f) in zip(columns, fields) {
            guard c.count == n else { throw HudiError(.invalidArgument, "column \(f.name) has \(c.count) values for \(n) records") }
            if f.type.isNested {
                if let nested = nestedColumns[f.name], nested.rowCount != n {
                    throw HudiError(.invalidArgument, "nested column \(f.name) has \(nested.rowCount) rows for \(n) records")
                }
                continue
            }
            guard c.values.physicalType == f.type.physicalType else {
                throw HudiError(.invalidArgument, "column \(f.name) holds \(c.values.physicalType) values, field type needs \(f.type.physicalType)")
            }
        }
        for r in 0..<n where recordKeys.offsets[r + 1] <= recordKeys.offsets[r] { throw HudiError(.invalidArgument, "empty record key") }
    }

    /// Throws unless `orderingValues` agree with the precombine column (when the batch has
    /// one), so merge decisions and the stored values never disagree.
    public func validateOrdering(precombineField: String?) throws {
        guard let p = precombineField, let i = fields.firstIndex(where: { $0.name == p }) else { return }
        let column = columns[i]
        let stored = BloomIndex.orderingValues(column)
        for r in 0..<count where operations[r] == .upsert && stored[r] != orderingValues[r] {
            throw HudiError(.invalidArgument, "record \(recordKeys.string(at: r)): ordering value \(orderingValues[r]) differs from its \(p) column value")
        }
    }
}
