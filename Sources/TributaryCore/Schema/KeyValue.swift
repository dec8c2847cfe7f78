/// A key/value pair of file or column-chunk metadata.
public struct KeyValue: Sendable, Equatable {
    public var key: String
    public var value: String?
    public init(key: String, value: String?) { self.key = key; self.value = value }
}
