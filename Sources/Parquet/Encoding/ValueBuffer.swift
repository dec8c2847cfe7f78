import TributaryCore

extension ValueBuffer {
    /// Width in bytes of a PLAIN fixed-size value (0 for BYTE_ARRAY, booleans are bits).
    var plainWidth: Int {
        switch type {
        case .boolean: return 0
        case .int32, .float: return 4
        case .int64, .double: return 8
        case .int96: return 12
        case .byteArray: return 0
        case .fixedLenByteArray: return fixedWidth
        }
    }
}

extension Array where Element: BitwiseCopyable & ExpressibleByIntegerLiteral {
    /// Appends `count` little-endian values copied from unaligned raw bytes.
    @inline(__always)
    mutating func appendRaw(_ raw: UnsafeRawBufferPointer, count: Int) {
        guard count > 0, let src = raw.baseAddress else { return }
        let old = self.count
        append(contentsOf: repeatElement(0, count: count))
        withUnsafeMutableBytes { dst in
            if let d = dst.baseAddress {
                (d + old * MemoryLayout<Element>.stride).copyMemory(from: src, byteCount: count * MemoryLayout<Element>.stride)
            }
        }
    }
}
