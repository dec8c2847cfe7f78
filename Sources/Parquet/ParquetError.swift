import TributaryCore

/// What went wrong reading or writing Parquet (the raw value prefixes the message).
public enum ParquetErrorKind: String, ModuleErrorKind {
    /// The bytes are not a valid Parquet file (truncated, corrupt, inconsistent).
    case corrupt = "corrupt parquet"
    /// Valid Parquet that uses a feature this module does not implement.
    case unsupported = "unsupported parquet feature"
    /// The caller passed something inconsistent (schema vs. columns, unknown column).
    case invalidArgument = "invalid argument"
    /// Reading or writing the underlying file failed.
    case io = "i/o error"
}

/// Everything that can go wrong reading or writing Parquet, with a message that says what.
public typealias ParquetError = ModuleError<ParquetErrorKind>
