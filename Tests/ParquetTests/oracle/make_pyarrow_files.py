#!/usr/bin/env python3
"""Writes Parquet files with pyarrow for our reader: every codec, dictionary on/off, data
page v1 and v2, DELTA_* and BYTE_STREAM_SPLIT encodings, nested LIST/MAP/STRUCT, INT96, FLOAT16.
usage: make_pyarrow_files.py OUTDIR  (prints the file names written)"""
import datetime, decimal, os, struct, sys
import pyarrow as pa
import pyarrow.parquet as pq

out = sys.argv[1]
n = 2500
ts = pa.array([datetime.datetime(2026, 11, 26, 10, 15, 30, 123456) + datetime.timedelta(seconds=i * 37) if i % 11 else None
               for i in range(n)], pa.timestamp("us", tz="UTC"))
flat = pa.table({
    "id": pa.array(range(n), pa.int64()),
    "i32": pa.array([(i * 7919) % 100000 - 50000 if i % 13 else None for i in range(n)], pa.int32()),
    "f32": pa.array([i / 3.0 if i % 17 else float("nan") for i in range(n)], pa.float32()),
    "f64": pa.array([i * 1.5e-3 if i % 19 else None for i in range(n)], pa.float64()),
    "flag": pa.array([i % 3 == 0 if i % 23 else None for i in range(n)], pa.bool_()),
    "name": pa.array([("user-%d-ü" % (i % 50)) if i % 7 else None for i in range(n)], pa.string()),
    "blob": pa.array([bytes([i % 256, (i * 3) % 256]) * (i % 5) for i in range(n)], pa.binary()),
    "fixed": pa.array([bytes([i % 256] * 4) for i in range(n)], pa.binary(4)),
    "dec": pa.array([decimal.Decimal(i * 137 - 90000).scaleb(-2) for i in range(n)], pa.decimal128(12, 2)),
    "day": pa.array([datetime.date(2020, 1, 1) + datetime.timedelta(days=i) for i in range(n)], pa.date32()),
    "ts": ts,
    "ts_ms": pa.array([i * 1000003 for i in range(n)], pa.timestamp("ms")),
})
names = []
def write(name, table, **kw):
    pq.write_table(table, os.path.join(out, name), **kw)
    names.append(name)

for codec in ["none", "snappy", "gzip", "zstd"]:
    for dictionary in [True, False]:
        for version in ["1.0", "2.0"]:
            write("flat_%s_dict%d_v%s.parquet" % (codec, dictionary, version[0]), flat, compression=codec,
                  use_dictionary=dictionary, data_page_version=version, data_page_size=4096,
                  write_page_checksum=(codec == "snappy"))

write("delta.parquet", flat.select(["id", "i32", "name", "blob"]), use_dictionary=False,
      column_encoding={"id": "DELTA_BINARY_PACKED", "i32": "DELTA_BINARY_PACKED",
                       "name": "DELTA_LENGTH_BYTE_ARRAY", "blob": "DELTA_BYTE_ARRAY"})
write("delta_v2.parquet", flat.select(["id", "i32", "name", "fixed"]), use_dictionary=False, data_page_version="2.0",
      compression="zstd", column_encoding={"id": "DELTA_BINARY_PACKED", "i32": "DELTA_BINARY_PACKED",
                                           "name": "DELTA_BYTE_ARRAY", "fixed": "DELTA_BYTE_ARRAY"})
write("byte_stream_split.parquet", flat.select(["id", "i32", "f32", "f64", "fixed"]), use_dictionary=False,
      column_encoding={"id": "BYTE_STREAM_SPLIT", "i32": "BYTE_STREAM_SPLIT", "f32": "BYTE_STREAM_SPLIT",
                       "f64": "BYTE_STREAM_SPLIT", "fixed": "BYTE_STREAM_SPLIT"})

nested = pa.table({
    "id": pa.array(range(300), pa.int32()),
    "tags": pa.array([None if i % 10 == 0 else [] if i % 10 == 1 else ["t%d" % j if j % 4 else None for j in range(i % 5)]
                      for i in range(300)], pa.list_(pa.string())),
    "matrix": pa.array([[[i, j] for j in range(i % 3)] if i % 7 else None for i in range(300)], pa.list_(pa.list_(pa.int64()))),
    "attrs": pa.array([None if i % 9 == 0 else [("k%d" % j, j * i if j % 2 else None) for j in range(i % 4)]
                       for i in range(300)], pa.map_(pa.string(), pa.int32())),
    "person": pa.array([None if i % 8 == 0 else {"name": "p%d" % i, "age": i % 90 if i % 5 else None,
                                                  "emails": ["e%d@x" % k for k in range(i % 3)],
                                                  "address": None if i % 4 == 0 else {"city": "c%d" % (i % 6), "zip": i}}
                        for i in range(300)],
                       pa.struct([("name", pa.string()), ("age", pa.int32()), ("emails", pa.list_(pa.string())),
                                  ("address", pa.struct([("city", pa.string()), ("zip", pa.int64())]))])),
})
write("nested.parquet", nested)
write("nested_v2_zstd.parquet", nested, data_page_version="2.0", compression="zstd", data_page_size=512)
write("nested_legacy.parquet", nested, use_compliant_nested_type=False)
write("int96.parquet", pa.table({"t": pa.array([datetime.datetime(2001, 2, 3, 4, 5, 6, 789000) + datetime.timedelta(days=i * 400)
                                                for i in range(20)], pa.timestamp("ns"))}),
      use_deprecated_int96_timestamps=True)
# FLOAT16 by bit pattern (no numpy here): 0, -0, 1.5, 65504, smallest normal, smallest
# subnormal, +-inf, NaN, -2, 0.1 (rounded), and a null.
half_bits = [0x0000, 0x8000, 0x3E00, 0x7BFF, 0x0400, 0x0001, 0x7C00, 0xFC00, 0x7E00, 0xC000, 0x2E66, 0]
halves = pa.Array.from_buffers(pa.float16(), len(half_bits),
                               [pa.py_buffer(bytes([0xFF, 0x07])), pa.py_buffer(struct.pack("<%dH" % len(half_bits), *half_bits))])
write("float16_map.parquet", pa.table({
    "h": halves,
    "m": pa.array([[(5, "a"), (-1, None)], [], None, [(7, "x")]] + [[(i, "v%d" % i)] for i in range(8)], pa.map_(pa.int32(), pa.string())),
}))
write("empty.parquet", flat.slice(0, 0))
write("multi_rowgroup.parquet", flat, row_group_size=300)
print("\n".join(names))
