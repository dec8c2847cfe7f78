/// One field of an Avro record schema as people read it: `long`, `timestamp-micros`,
/// `decimal(10,2)`, `array<string>`, `map<long>`; a union with null is the other member,
/// nullable.
public struct AvroColumn: Sendable, Equatable {
    public var name: String
    public var type: String
    public var nullable: Bool

    /// The fields of an Avro record schema given as JSON text (none when it is not one).
    public static func columns(ofSchema text: String) -> [AvroColumn] {
        guard let fields = (try? JSONValue.parse(text))?["fields"]?.arrayValues else { return [] }
        return fields.compactMap { field in
            guard let name = field["name"]?.string else { return nil }
            let type = field["type"] ?? .null
            guard let members = type.arrayValues else { return AvroColumn(name: name, type: typeName(type), nullable: false) }
            let nonNull = members.filter { $0.string != "null" }
            let shown = nonNull.count == 1 ? typeName(nonNull[0]) : nonNull.map(typeName).joined(separator: " | ")
            return AvroColumn(name: name, type: shown, nullable: nonNull.count < members.count)
        }
    }

    /// A type as text: its logical type, a container with its element type, or its name.
    public static func typeName(_ type: JSONValue) -> String {
        if let name = type.string { return name }
        if let members = type.arrayValues { return members.map(typeName).joined(separator: " | ") }
        if let logical = type["logicalType"]?.string {
            if logical == "decimal", let p = type["precision"]?.int, let s = type["scale"]?.int { return "decimal(\(p),\(s))" }
            return logical
        }
        switch type["type"]?.string {
        case "array": return "array<\(typeName(type["items"] ?? .null))>"
        case "map": return "map<\(typeName(type["values"] ?? .null))>"
        case .some(let name): return name
        case nil: return type["type"].map(typeName) ?? "?"
        }
    }
}
