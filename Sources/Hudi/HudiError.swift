/// Why a Hudi table operation failed.
public enum HudiError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The table (or a required file of it) does not exist.
    case tableNotFound(String)
    /// A table is already there where one was to be created.
    case tableExists(String)
    /// The table uses a feature or version this module does not handle.
    case unsupported(String)
    /// A file of the table is malformed.
    case corrupt(String)
    /// The caller passed something invalid (a batch that does not match the schema, ...).
    case invalidArgument(String)
    /// Another writer completed the same instant first (put-if-absent lost).
    case commitConflict(String)
    /// Another writer holds the table's writer lease (the message names it and when the
    /// lease expires), or this writer lost its lease.
    case writerLocked(String)

    public var description: String {
        switch self {
        case .tableNotFound(let m): return "Hudi table not found: \(m)"
        case .tableExists(let m): return "Hudi table already exists: \(m)"
        case .unsupported(let m): return "unsupported Hudi feature: \(m)"
        case .corrupt(let m): return "corrupt Hudi table: \(m)"
        case .invalidArgument(let m): return "invalid argument: \(m)"
        case .commitConflict(let m): return "commit conflict: \(m)"
        case .writerLocked(let m): return "table locked by another writer: \(m)"
        }
    }
}
