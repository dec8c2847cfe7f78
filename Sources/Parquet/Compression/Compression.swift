import CSnappy
import CZlib
import CZstd

/// Largest decompressed page we accept; larger claims are treated as corruption so a
/// flipped size field cannot trigger a huge allocation.
let maxPageSize = 512 << 20

/// Compresses and decompresses page bodies. Holds zstd contexts, so one instance per
/// writer or reader (not shared across threads).
final class PageCodec {
    private var cctx: OpaquePointer?
    private var dctx: OpaquePointer?
    let zstdLevel: Int32
    let gzipLevel: Int32

    init(zstdLevel: Int32 = 1, gzipLevel: Int32 = 6) {
        self.zstdLevel = zstdLevel
        self.gzipLevel = gzipLevel
    }

    deinit {
        if let cctx { ZSTD_freeCCtx(cctx) }
        if let dctx { ZSTD_freeDCtx(dctx) }
    }

    func compress(_ input: [UInt8], codec: CompressionCodec) throws -> [UInt8] {
        if codec == .uncompressed { return input }
        var out = [UInt8]()
        let n = try input.withUnsafeBytes { try compress($0, codec: codec, into: &out) }
        out.removeLast(out.count - n)
        return out
    }

    /// Compresses into `out` (grown as needed, never shrunk, so it can be reused across
    /// pages) and returns the compressed length.
    func compress(_ input: UnsafeRawBufferPointer, codec: CompressionCodec, into out: inout [UInt8]) throws -> Int {
        func ensure(_ cap: Int) { if out.count < cap { out = [UInt8](repeating: 0, count: cap) } }
        switch codec {
        case .uncompressed:
            ensure(input.count)
            out.withUnsafeMutableBytes { o in
                if let b = o.baseAddress, let i = input.baseAddress { b.copyMemory(from: i, byteCount: input.count) }
            }
            return input.count
        case .snappy:
            let cap = snappy_max_compressed_length(input.count)
            ensure(cap)
            var len = cap
            let st = out.withUnsafeMutableBytes { o in
                snappy_compress(input.baseAddress?.assumingMemoryBound(to: CChar.self), input.count,
                                o.baseAddress?.assumingMemoryBound(to: CChar.self), &len)
            }
            guard st == SNAPPY_OK else { throw ParquetError(.io, "snappy compression failed") }
            return len
        case .zstd:
            if cctx == nil { cctx = ZSTD_createCCtx() }
            let cap = ZSTD_compressBound(input.count)
            ensure(cap)
            let r = out.withUnsafeMutableBytes { o in
                ZSTD_compressCCtx(cctx, o.baseAddress, cap, input.baseAddress, input.count, zstdLevel)
            }
            guard ZSTD_isError(r) == 0 else { throw ParquetError(.io, "zstd compression failed") }
            return r
        case .gzip:
            let c = try gzipCompress(Array(input))
            ensure(c.count)
            out.withUnsafeMutableBytes { o in c.withUnsafeBytes { if let b = o.baseAddress, let s = $0.baseAddress { b.copyMemory(from: s, byteCount: c.count) } } }
            return c.count
        default:
            throw ParquetError(.unsupported, "writing codec \(codec)")
        }
    }

    func decompress(_ input: UnsafeRawBufferPointer, codec: CompressionCodec, uncompressedSize: Int) throws -> [UInt8] {
        guard uncompressedSize >= 0, uncompressedSize <= maxPageSize else {
            throw ParquetError(.corrupt, "page claims \(uncompressedSize) uncompressed bytes")
        }
        switch codec {
        case .uncompressed:
            guard input.count == uncompressedSize else {
                throw ParquetError(.corrupt, "uncompressed page of \(input.count) bytes, header says \(uncompressedSize)")
            }
            return Array(input)
        case .snappy:
            var claimed = 0
            let src = input.baseAddress?.assumingMemoryBound(to: CChar.self)
            guard snappy_uncompressed_length(src, input.count, &claimed) == SNAPPY_OK, claimed == uncompressedSize else {
                throw ParquetError(.corrupt, "snappy page: invalid stream or size differs from the page header")
            }
            return try [UInt8](unsafeUninitializedCapacity: max(claimed, 1)) { out, n in
                var len = claimed
                let st = out.withMemoryRebound(to: CChar.self) { o in snappy_uncompress(src, input.count, o.baseAddress, &len) }
                guard st == SNAPPY_OK, len == claimed else { throw ParquetError(.corrupt, "snappy page fails to decompress") }
                n = len
            }
        case .zstd:
            if dctx == nil { dctx = ZSTD_createDCtx() }
            let frame = ZSTD_getFrameContentSize(input.baseAddress, input.count)
            // ZSTD_CONTENTSIZE_UNKNOWN / ERROR are the two largest values.
            if frame < UInt64.max - 1, frame != UInt64(uncompressedSize) {
                throw ParquetError(.corrupt, "zstd page: frame size \(frame) differs from the page header \(uncompressedSize)")
            }
            return try [UInt8](unsafeUninitializedCapacity: max(uncompressedSize, 1)) { out, n in
                let r = ZSTD_decompressDCtx(dctx, out.baseAddress, uncompressedSize, input.baseAddress, input.count)
                guard ZSTD_isError(r) == 0, r == uncompressedSize else {
                    throw ParquetError(.corrupt, "zstd page fails to decompress to \(uncompressedSize) bytes")
                }
                n = r
            }
        case .gzip:
            // Deflate cannot expand more than ~1032:1; larger claims are corruption.
            guard uncompressedSize <= max(input.count, 64) * 1100 else {
                throw ParquetError(.corrupt, "gzip page claims an impossible \(uncompressedSize) bytes")
            }
            return try gzipDecompress(input, size: uncompressedSize)
        default:
            throw ParquetError(.unsupported, "compression codec \(codec)")
        }
    }

    private func gzipCompress(_ input: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, gzipLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetError(.io, "zlib deflateInit failed")
        }
        defer { deflateEnd(&stream) }
        let cap = Int(deflateBound(&stream, uLong(input.count))) + 32
        var output = [UInt8](repeating: 0, count: cap)
        var mutableInput = input
        let produced: Int = try mutableInput.withUnsafeMutableBufferPointer { src in
            try output.withUnsafeMutableBufferPointer { out in
                stream.next_in = src.baseAddress
                stream.avail_in = uInt(src.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                guard deflate(&stream, Z_FINISH) == Z_STREAM_END else { throw ParquetError(.io, "zlib deflate failed") }
                return out.count - Int(stream.avail_out)
            }
        }
        output.removeLast(output.count - produced)
        return output
    }

    private func gzipDecompress(_ input: UnsafeRawBufferPointer, size: Int) throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 32: accept both gzip and zlib headers.
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ParquetError(.io, "zlib inflateInit failed")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: size)
        try output.withUnsafeMutableBufferPointer { out in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: UInt8.self))
            stream.avail_in = uInt(input.count)
            stream.next_out = out.baseAddress
            stream.avail_out = uInt(out.count)
            // A page may hold several gzip members back to back (as `cat a.gz b.gz`, which
            // some writers produce): inflate continues with the next member after each end.
            while true {
                guard inflate(&stream, Z_FINISH) == Z_STREAM_END else {
                    throw ParquetError(.corrupt, "gzip page fails to decompress to \(size) bytes")
                }
                guard stream.avail_in > 0, stream.avail_out > 0 else { break }
                guard inflateReset(&stream) == Z_OK else { throw ParquetError(.corrupt, "gzip page: cannot start its next member") }
            }
            guard stream.avail_out == 0 else {
                throw ParquetError(.corrupt, "gzip page decompresses to \(size - Int(stream.avail_out)) bytes, header says \(size)")
            }
        }
        return output
    }
}

/// CRC-32 (the zlib polynomial) as Parquet page headers carry it.
func pageCRC(_ bytes: UnsafeRawBufferPointer, continuing previous: Int32 = 0) -> Int32 {
    let c = crc32(uLong(UInt32(bitPattern: previous)), bytes.baseAddress?.assumingMemoryBound(to: UInt8.self), uInt(bytes.count))
    return Int32(bitPattern: UInt32(truncatingIfNeeded: c))
}
