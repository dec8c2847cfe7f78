"""hudi-rs's reading of a Hudi table, as JSON lines of chosen columns, for comparison
with Tributary's DuckDB views.

usage: hudi_rows.py TABLE_PATH COLUMNS [--as-of I] [--since A [--until B]] [--files]
  COLUMNS: comma-separated; timestamps are printed as integer epoch microseconds, dates
  as ISO strings, other values as JSON.
  --files: print the base files (relative paths) the read uses instead of rows.
"""
import datetime
import json
import sys

import hudi
import pyarrow as pa


def arg(name):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else None


def value(col, i):
    sc = col[i]
    if not sc.is_valid:
        return None
    t = col.type
    if pa.types.is_timestamp(t):
        per = {"s": 1000000, "ms": 1000, "us": 1, "ns": 0.001}[t.unit]
        return int(sc.value * per)
    if pa.types.is_date32(t):
        return sc.as_py().isoformat()
    return sc.as_py()


def main():
    path, columns = sys.argv[1], sys.argv[2].split(",")
    as_of, since, until = arg("--as-of"), arg("--since"), arg("--until")
    table = hudi.HudiTable(path)
    options = hudi.HudiReadOptions()
    if since is not None:
        options = options.with_query_type(hudi.HudiQueryType.Incremental).with_start_timestamp(since)
        if until is not None:
            options = options.with_end_timestamp(until)
    elif as_of is not None:
        options = options.with_as_of_timestamp(as_of)
    if "--files" in sys.argv:
        for s in table.get_file_slices(options=options):
            print(s.base_file_relative_path())
        return
    for b in table.read(options=options):
        cols = [b.column(b.schema.get_field_index(c)) for c in columns]
        for i in range(b.num_rows):
            print(json.dumps({c: value(col, i) for c, col in zip(columns, cols)}, ensure_ascii=False, separators=(",", ":")))


if __name__ == "__main__":
    main()
