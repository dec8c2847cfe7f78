#!/usr/bin/env python3
"""pyarrow peer of `tributary-bench parquet`: takes the table from the file our writer
produced (same data), then times pyarrow.parquet.write_table with the same settings
(snappy, dictionary, 1 Mi rows per row group, data page v1, 1 MiB pages, statistics) and
pyarrow.parquet.read_table on one thread. Prints JSON: best-of-N seconds and peak memory.

usage: parquet_peer.py OURS.parquet OUTDIR REPEATS"""
import json, os, sys, threading, time
import pyarrow as pa
import pyarrow.parquet as pq

ours, outdir, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
pa.set_cpu_count(1)
pa.set_io_thread_count(1)
table = pq.read_table(ours, use_threads=False)
path = os.path.join(outdir, "pyarrow.parquet")

class Sampler:
    """Peak resident set size above the RSS at start, sampled every millisecond."""
    def __init__(self):
        self.base = self.rss()
        self.peak = self.base
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()
    @staticmethod
    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGESIZE")
    def loop(self):
        while self.running:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.001)
    def stop(self):
        self.running = False
        self.thread.join()
        return self.peak - self.base

write, write_cpu = [], []
for _ in range(repeats):
    if os.path.exists(path):
        os.remove(path)  # a fresh file each time, like ours (ext4 flushes truncated files on close)
    t = time.perf_counter()
    c = time.process_time()
    pq.write_table(table, path, compression="snappy", use_dictionary=True, row_group_size=1 << 20,
                   data_page_version="1.0", data_page_size=1 << 20, write_statistics=True,
                   write_page_checksum=True)
    write_cpu.append(time.process_time() - c)
    write.append(time.perf_counter() - t)
sampler = Sampler()  # memory in a separate pass: the sampler thread would disturb the timings
pq.write_table(table, path, compression="snappy", use_dictionary=True, row_group_size=1 << 20,
               data_page_version="1.0", data_page_size=1 << 20, write_statistics=True, write_page_checksum=True)
write_peak = sampler.stop()
del table
read, read_cpu = [], []
for _ in range(repeats):
    t = time.perf_counter()
    c = time.process_time()
    back = pq.read_table(path, use_threads=False)
    read_cpu.append(time.process_time() - c)
    read.append(time.perf_counter() - t)
    del back
sampler = Sampler()
back = pq.read_table(path, use_threads=False)
read_peak = sampler.stop()
del back
read_ours, read_ours_cpu = [], []
for _ in range(repeats):
    t = time.perf_counter()
    c = time.process_time()
    back = pq.read_table(ours, use_threads=False)
    read_ours_cpu.append(time.process_time() - c)
    read_ours.append(time.perf_counter() - t)
    del back
print(json.dumps({"write": min(write), "read": min(read), "read_ours": min(read_ours),
                  "write_cpu": min(write_cpu), "read_cpu": min(read_cpu), "read_ours_cpu": min(read_ours_cpu),
                  "write_peak_extra": write_peak, "read_peak_extra": read_peak, "file_bytes": os.path.getsize(path),
                  "pyarrow": pa.__version__}))
