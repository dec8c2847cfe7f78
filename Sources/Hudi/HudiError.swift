import TributaryCore

/// Why a Hudi table operation failed (the raw value prefixes the message).
public enum HudiErrorKind: String, ModuleErrorKind {
    /// The table (or a required file of it) does not exist.
    case tableNotFound = "Hudi table not found"
    /// A table is already there where one was to be created.
    case tableExists = "Hudi table already exists"
    /// Another writer got there first (the retryable kinds): it completed the same instant
    /// (put-if-absent lost), or it holds the table's writer lease (the message names it and
    /// when the lease expires) or took it from this writer.
    case commitConflict = "commit conflict", writerLocked = "table locked by another writer"
    /// The table uses a feature or version this module does not handle.
    case unsupported = "unsupported Hudi feature"
    /// A file of the table is malformed.
    case corrupt = "corrupt Hudi table"
    /// The caller passed something invalid (a batch that does not match the schema, ...).
    case invalidArgument = "invalid argument"
}

/// Why a Hudi table operation failed.
public typealias HudiError = ModuleError<HudiErrorKind>
