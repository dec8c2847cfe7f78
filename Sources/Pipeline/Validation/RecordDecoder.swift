import Foundation
import TributaryCore

/// Valid records of one topic, column by column, ready for the table writer.
public struct DecodedBatch: Sendable {
    public var schema: TopicSchema
    /// One column per `schema.storedFields` entry.
    public var columns: [Column]
    public var recordKeys = ByteArrays()
    /// The partition of each record (`2026-11-26` for days; empty when not partitioned).
    public var partitionValues = ByteArrays()
    /// The ordering value (timestamps in microseconds, dates in days; 0 without one).
    public var precombine: [Int64] = []
    public var operations: [RecordOperation] = []
    public var kafkaPartitions: [Int32] = []
    public var kafkaOffsets: [Int64] = []
    /// Nested (group, list) columns by their index in `schema.storedFields`; `columns` holds
    /// a placeholder there.
    public var nested: [Int: NestedColumn] = [:]
    /// Why the nested columns could not be built (an internal error; nothing is written).
    public var nestedFailure: String?
    /// Debezium tombstones (empty values) skipped: neither rows nor dead letters.
    public var tombstones = 0

    public var count: Int { precombine.count }
}

/// Parses, validates and applies the data-quality rules to JSON messages of one topic,
/// appending valid records to column builders (no per-field allocation: values are
/// copied from the message bytes straight into column buffers).
public struct RecordDecoder: Sendable {
    public let schema: TopicSchema
    /// "Now" in epoch microseconds, for the future-timestamp rule.
    public var nowMicros: Int64

    let fieldNames: [[UInt8]]
    var nextFieldHint = 0
    /// `oneOf` values per field, as bytes (compared without building strings).
    let allowedValues: [[[UInt8]]?]
    /// The partition value of the last record's period (records of a batch share a few).
    var lastPeriod = Int64.min
    var lastPartition: [UInt8] = []
    let keyIndices: [Int]
    /// `name:` of each key field (several key fields only), for Hudi's complex key.
    let keyPrefixes: [[UInt8]]
    var keyBuffer: [UInt8] = []
    let precombineIndex: Int?
    let partitionIndex: Int?
    /// Fields a delete needs: key, ordering and partition fields (debezium: key and ordering
    /// fields, as a `before` image may hold only the primary key).
    let deleteNeeds: Set<Int>
    /// Messages are Debezium change events (`schema.format == .debezium`).
    let readsChangeEvents: Bool
    var builders: [ColumnBuilder]
    var extra = ColumnBuilder(kind: .json)
    var batch: DecodedBatch
    var dependent: [(field: Int, on: Int, rule: DependentRange)]
    /// Compiled `pattern`s per field (schema rules, then quality rules).
    let patterns: [String: TextPattern]

    // Per-record scratch, reused.
    var slots: [JSONObjectScanner.Member?]
    var parsed: [ParsedValue]
    var extraRanges: [Range<Int>] = []
    var scratch: [UInt8] = []

    public init(schema: TopicSchema, nowMicros: Int64) {
        self.schema = schema
        self.nowMicros = nowMicros
        fieldNames = schema.fields.map { Array($0.name.utf8) }
        patterns = Self.compilePatterns(schema.fields)
        allowedValues = schema.fields.map { field in
            for rule in field.rules { if case .oneOf(let values, _) = rule { return values.map { Array($0.utf8) } } }
            return nil
        }
        keyIndices = schema.recordKeyFields.compactMap { k in schema.fields.firstIndex { $0.name == k } }
        keyPrefixes = keyIndices.count > 1 ? keyIndices.map { Array((schema.fields[$0].name + ":").utf8) } : []
        precombineIndex = schema.precombineField.flatMap { p in schema.fields.firstIndex { $0.name == p } }
        partitionIndex = schema.partition.field.flatMap { p in schema.fields.firstIndex { $0.name == p } }
        readsChangeEvents = schema.format == .debezium
        deleteNeeds = Set(keyIndices + [precombineIndex, readsChangeEvents ? nil : partitionIndex].compactMap { $0 })
        builders = schema.fields.map { ColumnBuilder($0) }
        batch = DecodedBatch(schema: schema, columns: [])
        slots = Array(repeating: nil, count: schema.fields.count)
        parsed = Array(repeating: .none, count: schema.fields.count)
        dependent = schema.dependentRanges.compactMap { rule in
            guard let f = schema.fields.firstIndex(where: { $0.name == rule.field }),
                  let on = schema.fields.firstIndex(where: { $0.name == rule.dependsOn }) else { return nil }
            return (f, on, rule)
        }
    }

    public var count: Int { batch.count }
    /// Tombstones skipped so far (debezium streams).
    public var tombstones: Int { batch.tombstones }

    /// Validates one message; appends it when valid, else returns why not (nothing appended).
    /// A debezium stream's message is a change event (see `appendChangeEvent`).
    public mutating func append(_ message: UnsafeRawBufferPointer, partition: Int32, offset: Int64) -> Rejection? {
        if readsChangeEvents { return appendChangeEvent(message, partition: partition, offset: offset) }
        return appendRecord(message, partition: partition, offset: offset, change: nil)
    }

    /// What a change event says about its row: the operation, and the ordering value when
    /// the stream is ordered by the events (not by a field).
    struct Change {
        var operation: RecordOperation
        var position: Int64?
    }

    /// Validates one record (a JSON message, or a change event's row); appends it when valid.
    /// Without `change` the record's own `_op` member says whether it is a delete.
    mutating func appendRecord(_ message: UnsafeRawBufferPointer, partition: Int32, offset: Int64, change: Change?) -> Rejection? {
        for i in slots.indices { slots[i] = nil; parsed[i] = .none }
        extraRanges.removeAll(keepingCapacity: true)
        scratch.removeAll(keepingCapacity: true)
        var operation = change?.operation ?? .upsert
        var scanner = JSONObjectScanner(message)
        var duplicate: String?
        var badOp: String?
        var unknown: String?
        do {
            try scanner.scanObject { member in
                let key = UnsafeRawBufferPointer(rebasing: message[member.key])
                if let index = fieldIndex(key), !member.keyHasEscapes {
                    if slots[index] != nil { duplicate = schema.fields[index].name }
                    slots[index] = member
                } else if change == nil && key.elementsEqual("_op".utf8) {
                    let value = UnsafeRawBufferPointer(rebasing: message[member.value])
                    if case .string = member.kind, value.elementsEqual("delete".utf8) {
                        operation = .delete
                    } else if case .string = member.kind, value.elementsEqual("upsert".utf8) {
                        operation = .upsert
                    } else {
                        badOp = String(decoding: UnsafeRawBufferPointer(rebasing: message[member.raw]).prefix(40), as: UTF8.self)
                    }
                } else if schema.closed {
                    if unknown == nil { unknown = String(decoding: key.prefix(60), as: UTF8.self) }
                } else {
                    extraRanges.append(member.key.lowerBound - 1..<member.raw.upperBound)
                }
            }
        } catch let error as JSONObjectScanner.SyntaxError {
            return Rejection(.parse, "invalid JSON at byte \(error.offset): \(error.message)")
        } catch {
            return Rejection(.parse, "invalid JSON")
        }
        if let duplicate { return Rejection(.schema, "field '\(duplicate)' appears more than once") }
        if let unknown { return Rejection(.schema, "unknown field '\(unknown)' (the schema allows no additional properties)") }
        if let badOp { return Rejection(.schema, "field '_op' must be \"upsert\" or \"delete\", got \(badOp)") }

        // Types and rules, field by field; deletes need only the key, ordering and partition fields.
        for (i, field) in schema.fields.enumerated() {
            let needed = operation == .upsert ? field.required : deleteNeeds.contains(i)
            guard let member = slots[i], member.kind != .null else {
                if needed { return Rejection(.schema, "required field '\(field.name)' is missing") }
                continue
            }
            if let rejection = parse(field, index: i, member: member, message: message) { return rejection }
        }
        for rule in dependent {
            guard case .double(let value) = parsed[rule.field], case .string(let range) = parsed[rule.on] else { continue }
            let category = String(decoding: bytes(range, message), as: UTF8.self)
            if let allowed = rule.rule.ranges[category], !allowed.contains(value) {
                let unit = rule.rule.unit[category].map { " \($0)" } ?? ""
                let name = schema.fields[rule.field].name, on = schema.fields[rule.on].name
                return Rejection(.quality, "field '\(name)' = \(value) is outside \(allowed.lowerBound)…\(allowed.upperBound)\(unit) for \(on) '\(category)'")
            }
        }

        // Valid: append every column and the record's write attributes.
        for i in schema.fields.indices { builders[i].append(parsed[i], message: message, scratch: scratch) }
        if extraRanges.isEmpty {
            extra.appendNull()
        } else {
            extra.appendExtra(extraRanges, message: message)
        }
        appendWriteAttributes(message, position: change?.position)
        batch.operations.append(operation)
        batch.kafkaPartitions.append(partition)
        batch.kafkaOffsets.append(offset)
        return nil
    }

    /// The valid records so far, with the processing metadata filled in; resets the decoder.
    public mutating func finish(batchID: String, ingestedAtMicros: Int64) -> DecodedBatch {
        var result = batch
        let n = result.count
        result.columns = builders.map { $0.column() }
        for (i, builder) in builders.enumerated() where builder.kind == .nested {
            do { result.nested[i] = try builder.nestedColumn() } catch { result.nestedFailure = "\(error)" }
        }
        if schema.partition.isDerived { result.columns.append(Column(.byteArray(result.partitionValues))) }
        if schema.ordersByChangeEvent { result.columns.append(Column(.int64(result.precombine))) }
        result.columns.append(Column(.int64(Array(repeating: ingestedAtMicros, count: n))))
        result.columns.append(Column(.int32(result.kafkaPartitions)))
        result.columns.append(Column(.int64(result.kafkaOffsets)))
        var ids = ByteArrays()
        ids.reserve(values: n, bytes: n * batchID.utf8.count)
        for _ in 0..<n { ids.append(batchID) }
        result.columns.append(Column(.byteArray(ids)))
        result.columns.append(extra.column())
        builders = schema.fields.map { ColumnBuilder($0) }
        extra = ColumnBuilder(kind: .json)
        batch = DecodedBatch(schema: schema, columns: [])
        return result
    }

    func bytes(_ range: ParsedRange, _ message: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        switch range {
        case .message(let r): UnsafeRawBufferPointer(rebasing: message[r])
        case .scratch(let r): scratch.withUnsafeBytes { UnsafeRawBufferPointer(rebasing: $0[r]) }
        }
    }

    /// The schema field named `key`; members usually come in schema order, so the field
    /// after the previous match is tried first.
    private mutating func fieldIndex(_ key: UnsafeRawBufferPointer) -> Int? {
        let n = fieldNames.count
        guard n > 0 else { return nil }
        for step in 0..<n {
            let i = (nextFieldHint + step) % n
            if Self.equal(fieldNames[i], key) {
                nextFieldHint = i + 1
                return i
            }
        }
        return nil
    }

    static func equal(_ bytes: [UInt8], _ key: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count == key.count else { return false }
        guard let b = key.baseAddress, !bytes.isEmpty else { return bytes.isEmpty }
        return bytes.withUnsafeBytes { own in own.baseAddress.map { memcmp($0, b, key.count) == 0 } ?? false }
    }
}
