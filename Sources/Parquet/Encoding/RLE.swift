/// Decoder of the RLE / bit-packing hybrid (levels, dictionary indices, RLE booleans).
struct RLEDecoder {
    private var cursor: ByteCursor
    let bitWidth: Int
    private var runLeft = 0
    private var isPacked = false
    private var runValue: UInt64 = 0
    private var packed = UnsafeRawBufferPointer(start: nil, count: 0)
    private var packedBit = 0

    init(_ data: UnsafeRawBufferPointer, bitWidth: Int) throws {
        guard bitWidth >= 0 && bitWidth <= 32 else { throw ParquetError(.corrupt, "RLE bit width \(bitWidth) out of range") }
        cursor = ByteCursor(data)
        self.bitWidth = bitWidth
    }

    var bytesConsumed: Int { cursor.position }

    private mutating func nextRun() throws {
        let header = try cursor.varint()
        if header & 1 == 0 {
            let n = header >> 1
            guard n > 0, n <= UInt64(Int32.max) else { throw ParquetError(.corrupt, "RLE run length \(n) invalid") }
            runLeft = Int(n)
            isPacked = false
            let nbytes = (bitWidth + 7) / 8
            let b = try cursor.take(nbytes, "RLE run value")
            var v: UInt64 = 0
            for i in 0..<nbytes { v |= UInt64(b[i]) << (8 * UInt64(i)) }
            runValue = v
        } else {
            let groups = header >> 1
            guard groups > 0, groups <= UInt64(Int32.max / 8) else { throw ParquetError(.corrupt, "bit-packed run of \(groups) groups invalid") }
            // Writers may truncate the last run: only what is present is available.
            let want = Int(groups) * bitWidth
            let have = min(want, cursor.remaining)
            packed = try cursor.take(have, "bit-packed run")
            packedBit = 0
            runLeft = bitWidth == 0 ? Int(groups) * 8 : min(Int(groups) * 8, have * 8 / bitWidth)
            guard runLeft > 0 else { throw ParquetError(.corrupt, "empty bit-packed run") }
            isPacked = true
        }
    }

    /// Decodes `count` values into `out`.
    mutating func decode<T: FixedWidthInteger>(into out: UnsafeMutablePointer<T>, count: Int) throws {
        var i = 0
        while i < count {
            if runLeft == 0 { try nextRun() }
            let n = min(runLeft, count - i)
            if isPacked {
                let w = bitWidth
                var bit = packedBit
                for k in 0..<n {
                    out[i + k] = T(truncatingIfNeeded: readBits(packed, bit: bit, width: w))
                    bit += w
                }
                packedBit = bit
            } else {
                (out + i).update(repeating: T(truncatingIfNeeded: runValue), count: n)
            }
            runLeft -= n
            i += n
        }
    }

    /// Decodes `count` values into a new array.
    mutating func decode<T: FixedWidthInteger>(count: Int, as: T.Type = T.self) throws -> [T] {
        try [T](unsafeUninitializedCapacity: count) { buf, initialized in
            if let base = buf.baseAddress, count > 0 {
                base.initialize(repeating: 0, count: count)
                try decode(into: base, count: count)
            }
            initialized = count
        }
    }
}

/// Encoder of the RLE / bit-packing hybrid. Runs of 8 or more equal values become RLE
/// runs; the rest are bit-packed in groups of 8.
struct RLEEncoder {
    static func encode<T: FixedWidthInteger>(_ values: UnsafeBufferPointer<T>, bitWidth: Int, into out: inout [UInt8]) {
        let n = values.count
        var literalStart = 0
        var i = 0
        func flushLiterals(_ end: Int, _ out: inout [UInt8]) {
            let count = end - literalStart
            guard count > 0 else { return }
            let groups = (count + 7) / 8
            out.appendVarint(UInt64(groups) << 1 | 1)
            var acc: UInt64 = 0
            var bits = 0
            for k in 0..<(groups * 8) {
                let v = literalStart + k < end ? UInt64(truncatingIfNeeded: values[literalStart + k]) : 0
                acc |= v << UInt64(bits)
                bits += bitWidth
                while bits >= 8 {
                    out.append(UInt8(truncatingIfNeeded: acc))
                    acc >>= 8
                    bits -= 8
                }
            }
            literalStart = end
        }
        while i < n {
            let v = values[i]
            var j = i + 1
            while j < n && values[j] == v { j += 1 }
            var run = j - i
            if run >= 8 {
                let pending = i - literalStart
                if pending % 8 != 0 {
                    let pad = min(8 - pending % 8, run)
                    i += pad
                    run -= pad
                }
                if (i - literalStart) % 8 == 0 && run >= 8 {
                    flushLiterals(i, &out)
                    out.appendVarint(UInt64(run) << 1)
                    let nbytes = (bitWidth + 7) / 8
                    let u = UInt64(truncatingIfNeeded: v)
                    for b in 0..<nbytes { out.append(UInt8(truncatingIfNeeded: u >> (8 * UInt64(b)))) }
                    i += run
                    literalStart = i
                } else {
                    i = j
                }
            } else {
                i = j
            }
        }
        flushLiterals(n, &out)
    }
}
