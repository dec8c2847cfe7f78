import Foundation

/// A base file name `<fileId>_<writeToken>_<instant>.<ext>`, parsed like hudi-rs does
/// (split the stem on `_`).
public struct BaseFileName: Sendable, Hashable {
    public var fileId: String
    public var writeToken: String
    /// Requested time of the commit that wrote the file.
    public var instant: String
    public var fileExtension: String

    public init(fileId: String, writeToken: String = "0-0-0", instant: String, fileExtension: String = "parquet") {
        self.fileId = fileId
        self.writeToken = writeToken
        self.instant = instant
        self.fileExtension = fileExtension
    }

    public var name: String { "\(fileId)_\(writeToken)_\(instant).\(fileExtension)" }

    /// Nil for names that are not base files.
    public init?(parsing name: String) {
        guard let dot = name.lastIndex(of: "."), !name.hasPrefix(".") else { return nil }
        let stem = name[..<dot]
        let ext = String(name[name.index(after: dot)...])
        guard ext == "parquet" || ext == "orc" || ext == "hfile" else { return nil }
        let parts = stem.split(separator: "_", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, Instant.isTimestamp(String(parts[2])) else { return nil }
        fileId = String(parts[0])
        writeToken = String(parts[1])
        instant = String(parts[2])
        fileExtension = ext
    }

    /// A new file group id: a random UUID plus `-0`, as Spark names them (never contains `_`).
    public static func newFileId() -> String { UUID().uuidString.lowercased() + "-0" }
}

/// A log file name `.<fileId>_<baseInstant>.log.<version>_<writeToken>[.cdc]`, parsed as
/// hudi-rs does: the file group, the base instant of the slice it belongs to, and its
/// place among the slice's logs (version, then write token).
public struct LogFileName: Sendable, Hashable, Comparable {
    public var fileId: String
    /// Requested time of the slice's base file.
    public var baseInstant: String
    public var version: Int
    public var writeToken: String
    /// `cdc` for change-data-capture logs, else nil.
    public var suffix: String?

    public init(fileId: String, baseInstant: String, version: Int, writeToken: String, suffix: String? = nil) {
        self.fileId = fileId
        self.baseInstant = baseInstant
        self.version = version
        self.writeToken = writeToken
        self.suffix = suffix
    }

    public var name: String { ".\(fileId)_\(baseInstant).log.\(version)_\(writeToken)" + (suffix.map { ".\($0)" } ?? "") }

    /// Nil for names that are not log files.
    public init?(parsing name: String) {
        guard name.hasPrefix("."), let logAt = name.range(of: ".log.") else { return nil }
        let head = name[name.index(after: name.startIndex)..<logAt.lowerBound]
        guard let underscore = head.lastIndex(of: "_") else { return nil }
        let fileId = String(head[..<underscore])
        let instant = String(head[head.index(after: underscore)...])
        guard !fileId.isEmpty, Instant.isTimestamp(instant) else { return nil }
        let tail = name[logAt.upperBound...].split(separator: ".", maxSplits: 1)
        guard let versionAndToken = tail.first, let cut = versionAndToken.firstIndex(of: "_"),
              let version = Int(versionAndToken[..<cut]) else { return nil }
        self.fileId = fileId
        baseInstant = instant
        self.version = version
        writeToken = String(versionAndToken[versionAndToken.index(after: cut)...])
        suffix = tail.count > 1 ? String(tail[1]) : nil
    }

    public static func < (a: LogFileName, b: LogFileName) -> Bool {
        (a.baseInstant, a.version, a.writeToken) < (b.baseInstant, b.version, b.writeToken)
    }
}
