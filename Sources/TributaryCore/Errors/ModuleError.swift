/// The kinds of one module's errors. A kind's raw value is the prefix its messages get:
/// `corrupt = "corrupt parquet"` reads "corrupt parquet: <message>".
public protocol ModuleErrorKind: RawRepresentable<String>, Hashable, Sendable {}

/// A module's error: the kind of failure and a message that says what. Each module's error
/// type (`HudiError`, `ParquetError`, ...) is this with its own kinds, so every module
/// formats and compares its errors the same way.
public struct ModuleError<Kind: ModuleErrorKind>: Error, Hashable, Sendable, CustomStringConvertible {
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        (self.kind, self.message) = (kind, message)
    }

    public var description: String { "\(kind.rawValue): \(message)" }
}
