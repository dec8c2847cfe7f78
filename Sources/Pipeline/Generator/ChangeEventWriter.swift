import TributaryCore

/// Writes Debezium change events of a `format = "debezium"` stream as Kafka Connect's JSON
/// converter does (what `ChangeEvent` reads): the envelope `{"before", "after", "source",
/// "op", "ts_ms", "transaction"}`, alone (`schemas.enable=false`) or as the `payload` beside
/// a Connect `schema` derived from the stream's fields (`schemas.enable=true`). The
/// generator and the web ingest form of such streams make their events here.
public struct ChangeEventWriter: Sendable {
    /// Debezium's `op`: snapshot read, create, update, delete.
    public enum Operation: String, Sendable, CaseIterable {
        case read = "r", create = "c", update = "u", delete = "d"
    }

    public let schema: TopicSchema
    /// With the Connect `schema` beside the `payload` (the converter's `schemas.enable=true`).
    public let withSchema: Bool
    /// The envelope's Connect schema text (only with `withSchema`).
    private let envelopeSchema: String
    private let keySchema: String

    public init(schema: TopicSchema, withSchema: Bool = false) {
        self.schema = schema
        self.withSchema = withSchema
        let rowName = "tributary.\(schema.name).Value"
        let row = JSONValue.object([("type", "struct"), ("fields", .array(schema.fields.map(Self.connect))), ("optional", true), ("name", .string(rowName))])
        func member(_ value: JSONValue, _ field: String) -> JSONValue {
            guard case .object(var members) = value else { return value }
            members.append(("field", .string(field)))
            return .object(members)
        }
        let source = JSONValue.object([("type", "struct"), ("optional", false), ("name", "io.debezium.connector.postgresql.Source"), ("fields", .array(
            [("version", "string"), ("connector", "string"), ("name", "string"), ("ts_ms", "int64"), ("snapshot", "string"),
             ("db", "string"), ("table", "string"), ("lsn", "int64")].map { name, type -> JSONValue in
                .object([("type", .string(type)), ("optional", .bool(name == "lsn" || name == "snapshot")), ("field", .string(name))])
            }))])
        envelopeSchema = JSONValue.object([
            ("type", "struct"), ("optional", false), ("name", .string("tributary.\(schema.name).Envelope")),
            ("fields", .array([member(row, "before"), member(row, "after"), member(source, "source"),
                               .object([("type", "string"), ("optional", false), ("field", "op")]),
                               .object([("type", "int64"), ("optional", true), ("field", "ts_ms")])])),
        ]).json
        let keyFields = schema.recordKeyFields.compactMap(schema.field).map { field -> JSONValue in
            var required = field
            required.required = true
            return Self.connect(required)
        }
        keySchema = JSONValue.object([("type", "struct"), ("fields", .array(keyFields)), ("optional", false),
                                      ("name", .string("tributary.\(schema.name).Key"))]).json
    }

    /// One change event. `row` is the JSON object of the row: `after` of `c`, `r` and `u`,
    /// `before` of `d` (the key columns suffice). `keys` is the `before` of a `u`: nil (null,
    /// as with Postgres' default replica identity) or the row's key columns. `position` is
    /// `source.lsn`; `millis` the source's commit time (`source.ts_ms`), the connector's
    /// `ts_ms` a little later.
    public func event(_ op: Operation, row: String, keys: String? = nil, position: Int64, millis: Int64) -> String {
        let snapshot = op == .read ? "\"true\"" : "\"false\""
        let source = #"{"version":"tributary","connector":"postgresql","name":\#(jsonQuoted(schema.topic)),"ts_ms":\#(millis),"snapshot":\#(snapshot),"db":"source","table":\#(jsonQuoted(schema.table)),"lsn":\#(position)}"#
        let before = op == .delete ? row : op == .update ? keys ?? "null" : "null"
        let after = op == .delete ? "null" : row
        let payload = #"{"before":\#(before),"after":\#(after),"source":\#(source),"op":"\#(op.rawValue)","ts_ms":\#(millis + 250),"transaction":null}"#
        return withSchema ? #"{"schema":\#(envelopeSchema),"payload":\#(payload)}"# : payload
    }

    /// The Kafka message key Debezium gives a row: its key columns as a JSON object (with the
    /// key's Connect schema when `withSchema`); nil when `row` lacks a key member.
    public func key(row: JSONValue) -> String? {
        var members: [(String, JSONValue)] = []
        for name in schema.recordKeyFields {
            guard let value = row[name], !value.isNull else { return nil }
            members.append((name, value))
        }
        let payload = JSONValue.object(members).json
        return withSchema ? #"{"schema":\#(keySchema),"payload":\#(payload)}"# : payload
    }

    /// A field's Connect schema (timestamps and dates as Debezium's string types).
    private static func connect(_ field: TopicField) -> JSONValue {
        var members: [(String, JSONValue)] = []
        switch field.type {
        case .string: members = [("type", "string")]
        case .integer: members = [("type", "int64")]
        case .double, .decimal: members = [("type", "double")]
        case .boolean: members = [("type", "boolean")]
        case .timestamp: members = [("type", "string"), ("name", "io.debezium.time.ZonedTimestamp")]
        case .date: members = [("type", "string"), ("name", "io.debezium.time.IsoDate")]
        case .object: members = [("type", "map"), ("keys", .object([("type", "string"), ("optional", false)])), ("values", .object([("type", "string"), ("optional", true)]))]
        case .group(let children, _): members = [("type", "struct"), ("fields", .array(children.map(connect)))]
        case .list(let element): members = [("type", "array"), ("items", connect(element))]
        }
        members.append(("optional", .bool(!field.required)))
        members.append(("field", .string(field.name)))
        return .object(members)
    }
}

/// The `source.lsn` of events made here (the generator, the web form): the event time in
/// microseconds, strictly increasing, so later events always order after earlier ones.
public struct ChangePositions: Sendable {
    public private(set) var last: Int64 = 0

    public init() {}

    public mutating func next(micros: Int64) -> Int64 {
        last = max(micros, last + 1)
        return last
    }
}
