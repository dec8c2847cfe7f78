/// Errors of the Catalog module.
public enum CatalogError: Error, Equatable, CustomStringConvertible {
    /// The Hudi table or its schema cannot be expressed in Iceberg (yet).
    case unsupported(String)
    /// The Hudi table holds something we did not expect (no schema, bad partition path).
    case invalidTable(String)
    /// A caller passed a bad argument.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .unsupported(let m): return "unsupported for Iceberg: \(m)"
        case .invalidTable(let m): return "cannot translate the Hudi table: \(m)"
        case .invalidArgument(let m): return "invalid argument: \(m)"
        }
    }
}
