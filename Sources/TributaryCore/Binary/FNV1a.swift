/// FNV-1a, 64 bits: a stable, fast hash of bytes (seeds drawn from names, file names
/// derived from what a file holds, UUIDs derived from a location). Not for security.
public enum FNV1a {
    public static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325

    /// The hash of `text`'s UTF-8 bytes, starting from `basis` (another start: another hash).
    public static func hash(_ text: String, basis: UInt64 = offsetBasis) -> UInt64 {
        text.utf8.reduce(basis) { ($0 ^ UInt64($1)) &* 0x100_0000_01b3 }
    }
}
