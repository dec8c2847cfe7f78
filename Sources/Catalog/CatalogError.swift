import TributaryCore

/// The kinds of errors of the Catalog module (the raw value prefixes the message).
public enum CatalogErrorKind: String, ModuleErrorKind {
    /// The Hudi table or its schema cannot be expressed in Iceberg (yet).
    case unsupported = "unsupported for Iceberg"
    /// The Hudi table holds something we did not expect (no schema, bad partition path).
    case invalidTable = "cannot translate the Hudi table"
    /// A caller passed a bad argument.
    case invalidArgument = "invalid argument"
}

/// Errors of the Catalog module.
public typealias CatalogError = ModuleError<CatalogErrorKind>
