/// Everything that can go wrong reading or writing Parquet, with a message that says what.
public enum ParquetError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The bytes are not a valid Parquet file (truncated, corrupt, inconsistent).
    case corrupt(String)
    /// Valid Parquet that uses a feature this module does not implement.
    case unsupported(String)
    /// The caller passed something inconsistent (schema vs. columns, unknown column).
    case invalidArgument(String)
    /// Reading or writing the underlying file failed.
    case io(String)

    public var description: String {
        switch self {
        case .corrupt(let m): return "corrupt parquet: \(m)"
        case .unsupported(let m): return "unsupported parquet feature: \(m)"
        case .invalidArgument(let m): return "invalid argument: \(m)"
        case .io(let m): return "i/o error: \(m)"
        }
    }
}
