#!/usr/bin/env python3
"""pyarrow peer of `tributary-bench parquet`: takes the table from the file our writer
produced (same data), then times pyarrow.parquet.write_table with the same settings
(snappy, dictionary, 1 Mi rows per row group, data page v1, 1 MiB pages, statistics) and
pyarrow.parquet.read_table on one thread. Prints JSON: best-of-N seconds and peak memory.

usage: parquet_peer.py OURS.parquet OUTDIR REPEATS"""
import json, os, resource, sys, time
import pyarrow as pa
import pyarrow.parquet as pq

ours, outdir, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
pa.set_cpu_count(1)
pa.set_io_thread_count(1)
table = pq.read_table(ours, use_threads=False)
path = os.path.join(outdir, "pyarrow.parquet")

def maxrss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

base = maxrss()
write = []
for _ in range(repeats):
    t = time.perf_counter()
    pq.write_table(table, path, compression="snappy", use_dictionary=True, row_group_size=1 << 20,
                   data_page_version="1.0", data_page_size=1 << 20, write_statistics=True,
                   write_page_checksum=True)
    write.append(time.perf_counter() - t)
write_peak = maxrss() - base
del table
read = []
for _ in range(repeats):
    t = time.perf_counter()
    back = pq.read_table(path, use_threads=False)
    read.append(time.perf_counter() - t)
    del back
read_ours = []
for _ in range(repeats):
    t = time.perf_counter()
    back = pq.read_table(ours, use_threads=False)
    read_ours.append(time.perf_counter() - t)
    del back
print(json.dumps({"write": min(write), "read": min(read), "read_ours": min(read_ours),
                  "write_peak_extra": write_peak, "file_bytes": os.path.getsize(path),
                  "pyarrow": pa.__version__}))
