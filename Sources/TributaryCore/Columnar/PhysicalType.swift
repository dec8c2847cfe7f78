/// Physical (storage) types of column values — Parquet's, which the in-memory columns mirror.
public enum PhysicalType: Int32, Sendable, CustomStringConvertible {
    case boolean = 0, int32 = 1, int64 = 2, int96 = 3, float = 4, double = 5
    case byteArray = 6, fixedLenByteArray = 7

    public var description: String {
        ["BOOLEAN", "INT32", "INT64", "INT96", "FLOAT", "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"][Int(rawValue)]
    }
}

/// Time unit of TIME and TIMESTAMP logical types.
public enum TimeUnit: Sendable, Equatable, CustomStringConvertible {
    case millis, micros, nanos
    public var description: String {
        switch self { case .millis: "MILLIS"; case .micros: "MICROS"; case .nanos: "NANOS" }
    }
    /// Units per second.
    public var perSecond: Int64 {
        switch self { case .millis: 1_000; case .micros: 1_000_000; case .nanos: 1_000_000_000 }
    }
}

/// A 96-bit legacy timestamp: nanoseconds within the day, then the Julian day number.
public struct Int96: Sendable, Equatable, Hashable {
    public var nanosOfDay: UInt64
    public var julianDay: UInt32
    /// `Int96()` is the zero value null rows hold as their placeholder.
    public init(nanosOfDay: UInt64 = 0, julianDay: UInt32 = 0) {
        self.nanosOfDay = nanosOfDay
        self.julianDay = julianDay
    }
    /// Nanoseconds since the Unix epoch (Julian day 2440588), wrapping like Spark/Arrow do.
    public var epochNanos: Int64 {
        (Int64(julianDay) - 2_440_588) &* 86_400_000_000_000 &+ Int64(bitPattern: nanosOfDay)
    }
}
