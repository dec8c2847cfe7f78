// The Parquet module: a pure-Swift Parquet writer and reader, written from the Apache
// Parquet format specification (parquet.thrift). Codecs come from libsnappy, libzstd, zlib.
//
// Writing (flat schemas, column-oriented, memory bounded by one row group):
//
//     let sink = try FileSink(path: "part-0.parquet")          // or MemorySink()
//     let writer = try ParquetWriter(sink: sink, fields: [
//         Field("_hoodie_record_key", .string, nullable: false),
//         Field("amount", .decimal(precision: 18, scale: 2)),
//         Field("timestamp", .timestamp(.micros, isAdjustedToUTC: true), nullable: false),
//     ], options: WriterOptions())                             // snappy, dictionary, CRCs
//     try writer.write([keys, amounts, timestamps])            // [Column], any number of calls
//     writer.keyValueMetadata = [KeyValue(key: "hoodie_bloom_filter", value: bloom)]
//     try writer.close(); try sink.close()
//
// Reading (footer first, only ranged reads of the chunks needed):
//
//     let reader = try ParquetFileReader(path: "part-0.parquet")   // or source: any ParquetSource
//     reader.keyValueMetadata["hoodie_bloom_filter"]
//     let cols = try reader.readColumns(["_hoodie_record_key"])    // [String: Column], flat columns
//     let (names, rows) = try reader.readRows()                    // any schema, nested included
//     try reader.rowGroups(column: "id", overlapping: .int(10), .int(20))   // pruning by statistics
//
// Layout: Thrift/ (compact protocol), Metadata/ (footer and page headers), Schema/,
// Encoding/ (RLE hybrid, PLAIN, dictionary, DELTA_*, BYTE_STREAM_SPLIT), Compression/,
// Writer/, Reader/ (pages, record assembly, values, pruning), IO/ (sources and sinks).
