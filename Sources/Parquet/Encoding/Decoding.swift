import TributaryCore

/// Value decoders for every encoding the reader supports. Each appends `count` values to
/// a `ValueBuffer` and checks every size against the bytes that are actually there.
enum ValueDecoding {
    static func plain(_ c: inout ByteCursor, count: Int, into buf: inout ValueBuffer) throws {
        switch buf.type {
        case .boolean:
            let raw = try c.take((count + 7) / 8, "PLAIN booleans")
            buf.bools.reserveCapacity(buf.bools.count + count)
            for i in 0..<count { buf.bools.append(raw[i >> 3] >> UInt8(i & 7) & 1 == 1) }
        case .int32: buf.i32.appendRaw(try c.take(count * 4, "PLAIN INT32 values"), count: count)
        case .int64: buf.i64.appendRaw(try c.take(count * 8, "PLAIN INT64 values"), count: count)
        case .float: buf.f32.appendRaw(try c.take(count * 4, "PLAIN FLOAT values"), count: count)
        case .double: buf.f64.appendRaw(try c.take(count * 8, "PLAIN DOUBLE values"), count: count)
        case .int96:
            let raw = try c.take(count * 12, "PLAIN INT96 values")
            buf.i96.reserveCapacity(buf.i96.count + count)
            for i in 0..<count {
                buf.i96.append(Int96(nanosOfDay: raw.loadUnaligned(fromByteOffset: i * 12, as: UInt64.self).littleEndian,
                                     julianDay: raw.loadUnaligned(fromByteOffset: i * 12 + 8, as: UInt32.self).littleEndian))
            }
        case .fixedLenByteArray:
            let w = buf.fixedWidth
            let raw = try c.take(count * w, "PLAIN FIXED_LEN_BYTE_ARRAY values")
            buf.bytes.data.append(contentsOf: raw)
            var off = Int(buf.bytes.offsets[buf.bytes.offsets.count - 1])
            buf.bytes.offsets.reserveCapacity(buf.bytes.offsets.count + count)
            for _ in 0..<count { off += w; buf.bytes.offsets.append(Int32(truncatingIfNeeded: off)) }
        case .byteArray:
            // Values are [u32 length][bytes]; copy in one pass without per-value allocation.
            // Every value needs a 4-byte length: never reserve more than the bytes allow.
            buf.bytes.offsets.reserveCapacity(buf.bytes.offsets.count + min(count, c.remaining / 4))
            let start = c.position
            var p = start
            let base = c.base
            var total = 0
            for _ in 0..<count {
                guard c.end - p >= 4 else { throw ParquetError(.corrupt, "PLAIN BYTE_ARRAY: truncated length") }
                let n = Int(base.loadUnaligned(fromByteOffset: p, as: UInt32.self).littleEndian)
                guard n <= c.end - p - 4 else { throw ParquetError(.corrupt, "PLAIN BYTE_ARRAY: value of \(n) bytes past the end of the page") }
                p += 4 + n
                total += n
            }
            var off = buf.bytes.data.count
            guard off + total <= Int(Int32.max) else { throw ParquetError(.unsupported, "more than 2 GiB of byte arrays in one column chunk") }
            buf.bytes.data.append(contentsOf: repeatElement(0, count: total))
            p = start
            buf.bytes.data.withUnsafeMutableBytes { dst in
                guard let d = dst.baseAddress, let src = base.baseAddress else { return }
                for _ in 0..<count {
                    let n = Int(base.loadUnaligned(fromByteOffset: p, as: UInt32.self).littleEndian)
                    copyBytes(d + off, src + p + 4, n)
                    off += n
                    buf.bytes.offsets.append(Int32(truncatingIfNeeded: off))
                    p += 4 + n
                }
            }
            c.position = p
        }
    }

    /// RLE_DICTIONARY / PLAIN_DICTIONARY data: bit width byte then RLE-hybrid indices.
    static func dictionary(_ c: inout ByteCursor, count: Int, dictionary dict: ValueBuffer, into buf: inout ValueBuffer) throws {
        guard count > 0 else { return }
        let width = Int(try c.byte())
        guard width <= 32 else { throw ParquetError(.corrupt, "dictionary index bit width \(width)") }
        var dec = try RLEDecoder(UnsafeRawBufferPointer(rebasing: c.base[c.position..<c.end]), bitWidth: width)
        let idx: [UInt32] = try dec.decode(count: count)
        let n = UInt32(truncatingIfNeeded: dict.count)
        for i in idx where i >= n {
            throw ParquetError(.corrupt, "dictionary index \(i) out of range (dictionary has \(n) entries)")
        }
        try gather(idx, from: dict, into: &buf)
    }

    static func gather(_ idx: [UInt32], from dict: ValueBuffer, into buf: inout ValueBuffer) throws {
        switch buf.type {
        case .boolean: buf.bools.append(contentsOf: idx.map { dict.bools[Int($0)] })
        case .int32: dict.i32.withUnsafeBufferPointer { d in buf.i32.append(contentsOf: idx.lazy.map { d[Int($0)] }) }
        case .int64: dict.i64.withUnsafeBufferPointer { d in buf.i64.append(contentsOf: idx.lazy.map { d[Int($0)] }) }
        case .int96: buf.i96.append(contentsOf: idx.map { dict.i96[Int($0)] })
        case .float: dict.f32.withUnsafeBufferPointer { d in buf.f32.append(contentsOf: idx.lazy.map { d[Int($0)] }) }
        case .double: dict.f64.withUnsafeBufferPointer { d in buf.f64.append(contentsOf: idx.lazy.map { d[Int($0)] }) }
        case .byteArray, .fixedLenByteArray:
            var total = 0
            dict.bytes.offsets.withUnsafeBufferPointer { o in
                for i in idx { total += Int(o[Int(i) + 1] - o[Int(i)]) }
            }
            guard buf.bytes.data.count + total <= Int(Int32.max) else {
                throw ParquetError(.unsupported, "more than 2 GiB of byte arrays in one column chunk")
            }
            buf.bytes.offsets.reserveCapacity(buf.bytes.offsets.count + idx.count)
            let oldCount = buf.bytes.data.count
            buf.bytes.data.append(contentsOf: repeatElement(0, count: total))
            buf.bytes.data.withUnsafeMutableBufferPointer { out in
                dict.bytes.data.withUnsafeBufferPointer { src in
                    dict.bytes.offsets.withUnsafeBufferPointer { o in
                        var pos = oldCount
                        for i in idx {
                            let s = Int(o[Int(i)]), e = Int(o[Int(i) + 1])
                            if e > s, let ob = out.baseAddress, let sb = src.baseAddress {
                                copyBytes(UnsafeMutableRawPointer(ob + pos), UnsafeRawPointer(sb + s), e - s)
                            }
                            pos += e - s
                            buf.bytes.offsets.append(Int32(pos))
                        }
                    }
                }
            }
        }
    }

    /// RLE-encoded booleans (4-byte length prefix, bit width 1).
    static func rleBooleans(_ c: inout ByteCursor, count: Int, into buf: inout ValueBuffer) throws {
        let len = Int(try c.uint32LE())
        let data = try c.take(len, "RLE boolean data")
        var dec = try RLEDecoder(data, bitWidth: 1)
        let v: [UInt8] = try dec.decode(count: count)
        buf.bools.append(contentsOf: v.lazy.map { $0 != 0 })
    }

    /// DELTA_BINARY_PACKED: returns `count` values (the stream may hold more; extra are ignored).
    static func deltaBinaryPacked(_ c: inout ByteCursor, count: Int) throws -> [Int64] {
        let blockSize = try c.varint()
        let miniblocks = try c.varint()
        let total = try c.varint()
        var value = try c.zigzag()
        guard blockSize > 0, blockSize % 128 == 0, blockSize <= 1 << 20, miniblocks > 0, blockSize % miniblocks == 0,
              (blockSize / miniblocks) % 32 == 0 else {
            throw ParquetError(.corrupt, "DELTA_BINARY_PACKED header invalid (block \(blockSize), miniblocks \(miniblocks))")
        }
        guard total >= UInt64(count) else {
            throw ParquetError(.corrupt, "DELTA_BINARY_PACKED holds \(total) values, \(count) expected")
        }
        let totalValues = Int(total)
        var out = [Int64]()
        out.reserveCapacity(count)
        if totalValues == 0 || count == 0 { return out }
        out.append(value)
        var produced = 1
        let perMini = Int(blockSize / miniblocks)
        let nMini = Int(miniblocks)
        while produced < totalValues {
            let minDelta = try c.zigzag()
            let widths = try c.take(nMini, "DELTA_BINARY_PACKED miniblock widths")
            for m in 0..<nMini {
                guard produced < totalValues else { break }
                let w = Int(widths[m])
                guard w <= 64 else { throw ParquetError(.corrupt, "DELTA_BINARY_PACKED bit width \(w)") }
                let size = perMini * w / 8
                let data = try c.take(min(size, c.remaining), "DELTA_BINARY_PACKED miniblock")
                let n = min(perMini, totalValues - produced)
                guard data.count * 8 >= n * w else { throw ParquetError(.corrupt, "DELTA_BINARY_PACKED miniblock truncated") }
                for k in 0..<n {
                    value = value &+ minDelta &+ Int64(bitPattern: readBits(data, bit: k * w, width: w))
                    if out.count < count { out.append(value) }
                }
                produced += n
            }
        }
        return out
    }

    static func deltaLengthByteArray(_ c: inout ByteCursor, count: Int, into buf: inout ValueBuffer) throws {
        let lengths = try deltaBinaryPacked(&c, count: count)
        try appendConcatenated(&c, lengths: lengths, into: &buf.bytes)
    }

    private static func appendConcatenated(_ c: inout ByteCursor, lengths: [Int64], into out: inout ByteArrays) throws {
        var total = 0
        for l in lengths {
            guard l >= 0, l <= Int64(c.remaining) else { throw ParquetError(.corrupt, "byte array length \(l) invalid") }
            total += Int(l)
            guard total <= c.remaining else { throw ParquetError(.corrupt, "byte array data past the end of the page") }
        }
        let data = try c.take(total, "byte array data")
        out.data.append(contentsOf: data)
        var off = Int(out.offsets[out.offsets.count - 1])
        guard off + total <= Int(Int32.max) else { throw ParquetError(.unsupported, "more than 2 GiB of byte arrays in one column chunk") }
        for l in lengths { off += Int(l); out.offsets.append(Int32(off)) }
    }

    static func deltaByteArray(_ c: inout ByteCursor, count: Int, into buf: inout ValueBuffer) throws {
        let prefixes = try deltaBinaryPacked(&c, count: count)
        let suffixLengths = try deltaBinaryPacked(&c, count: count)
        var suffixes = ByteArrays()
        try appendConcatenated(&c, lengths: suffixLengths, into: &suffixes)
        var previous: [UInt8] = []
        for i in 0..<count {
            let p = prefixes[i]
            guard p >= 0, p <= Int64(previous.count) else {
                throw ParquetError(.corrupt, "DELTA_BYTE_ARRAY prefix \(p) longer than the previous value")
            }
            var value = Array(previous[0..<Int(p)])
            value.append(contentsOf: suffixes[i])
            if buf.type == .fixedLenByteArray && value.count != buf.fixedWidth {
                throw ParquetError(.corrupt, "DELTA_BYTE_ARRAY value of \(value.count) bytes in a FIXED_LEN_BYTE_ARRAY(\(buf.fixedWidth)) column")
            }
            buf.bytes.append(value)
            previous = value
        }
    }

    static func byteStreamSplit(_ c: inout ByteCursor, count: Int, into buf: inout ValueBuffer) throws {
        let w: Int
        switch buf.type {
        case .int32, .float: w = 4
        case .int64, .double: w = 8
        case .fixedLenByteArray: w = buf.fixedWidth
        default: throw ParquetError(.corrupt, "BYTE_STREAM_SPLIT on \(buf.type)")
        }
        let raw = try c.take(count * w, "BYTE_STREAM_SPLIT values")
        var joined = [UInt8](repeating: 0, count: count * w)
        for k in 0..<w {
            for i in 0..<count { joined[i * w + k] = raw[k * count + i] }
        }
        var jc = ByteCursor(UnsafeRawBufferPointer(start: nil, count: 0))
        try joined.withUnsafeBytes { bytes in
            jc = ByteCursor(bytes)
            try plain(&jc, count: count, into: &buf)
        }
    }

    /// Narrows DELTA_BINARY_PACKED output to the column's type.
    static func appendIntegers(_ v: [Int64], into buf: inout ValueBuffer) throws {
        switch buf.type {
        case .int32: buf.i32.append(contentsOf: v.lazy.map { Int32(truncatingIfNeeded: $0) })
        case .int64: buf.i64.append(contentsOf: v)
        default: throw ParquetError(.corrupt, "DELTA_BINARY_PACKED on \(buf.type)")
        }
    }
}
