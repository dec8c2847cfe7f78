import Foundation

/// Why a stream's JSON Schema (or quality schema) cannot be used: the file, the JSON pointer
/// of the offending node and what is expected. Refused at start, before any record is read.
public struct SchemaRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// RFC 6901 pointer into the document (`""` is the root).
    public var pointer: String
    public var reason: String

    public var description: String { "\(file) at \(pointer.isEmpty ? "/" : pointer): \(reason)" }
}

/// A JSON pointer being built while walking a schema.
struct SchemaPointer: Sendable, Equatable {
    private(set) var text = ""

    /// The pointer of the member `token` (escaped per RFC 6901).
    func appending(_ token: String) -> SchemaPointer {
        var copy = self
        copy.text += "/" + token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        return copy
    }

    func appending(_ index: Int) -> SchemaPointer { appending(String(index)) }
}
