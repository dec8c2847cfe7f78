"""Reads a Hudi table with hudi-rs (PyPI `hudi`) and prints its snapshot rows as JSON
lines, rendered the way Tributary's `ParquetValue.json` renders values (timestamps as
ISO-8601 strings with the unit's digits, decimals and dates as strings, binary as
base64), so the Swift side can compare line by line.

usage: read_table.py TABLE_PATH [--as-of INSTANT] [--files]
       read_table.py TABLE_PATH --queries   (queries as JSON lines on stdin)
  --files: print the relative base file paths of the snapshot instead of rows.
  --queries: one read per stdin line, {"as_of": T} (time travel) or {"start": B, "end": E}
    (incremental, B exclusive and optional, E inclusive), with "read_optimized": true for
    the base files alone (merge-on-read); each answer is a line "#N"
    followed by its rows (or its sorted file paths with "files": true), all in one
    process so a test can ask about every instant cheaply.
"""
import base64
import datetime
import json
import math
import sys

import hudi
import pyarrow as pa


def fmt_ts(v, unit, utc):
    per = {"s": 1, "ms": 1000, "us": 1000000, "ns": 1000000000}[unit]
    digits = {"s": 0, "ms": 3, "us": 6, "ns": 9}[unit]
    secs, frac = divmod(v, per)
    day, sod = divmod(secs, 86400)
    d = datetime.date(1970, 1, 1) + datetime.timedelta(days=day)
    s = "%04d-%02d-%02dT%02d:%02d:%02d" % (d.year, d.month, d.day, sod // 3600, sod // 60 % 60, sod % 60)
    if digits:
        s += "." + str(frac).rjust(digits, "0")
    return s + ("Z" if utc else "")


def fmt_float(x):
    if math.isnan(x):
        return '"NaN"'
    if math.isinf(x):
        return '"Infinity"' if x > 0 else '"-Infinity"'
    return repr(float(x))


def render(sc):
    """JSON text of a pyarrow scalar."""
    t = sc.type
    if not sc.is_valid:
        return "null"
    if pa.types.is_timestamp(t):
        return json.dumps(fmt_ts(sc.value, t.unit, t.tz is not None))
    if pa.types.is_date32(t):
        return json.dumps(sc.as_py().isoformat())
    if pa.types.is_decimal(t):
        return json.dumps(str(sc.as_py()))
    if pa.types.is_boolean(t):
        return "true" if sc.as_py() else "false"
    if pa.types.is_integer(t):
        return str(sc.as_py())
    if pa.types.is_floating(t):
        return fmt_float(sc.as_py())
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return json.dumps(sc.as_py(), ensure_ascii=False)
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return json.dumps(base64.b64encode(sc.as_py()).decode())
    if pa.types.is_map(t):
        # An object, as our reader renders a MAP: keys as their text ("5" for 5), in file order.
        entries = sc.values
        parts = []
        for j in range(len(entries)):
            e = entries[j]
            key = e[0].as_py()
            if not isinstance(key, str):
                key = render(e[0])
                key = json.loads(key) if key.startswith('"') else key
            parts.append('%s:%s' % (json.dumps(key, ensure_ascii=False), render(e[1])))
        return "{" + ",".join(parts) + "}"
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        values = sc.values
        return "[" + ",".join(render(values[j]) for j in range(len(values))) + "]"
    if pa.types.is_struct(t):
        parts = ["%s:%s" % (json.dumps(t.field(k).name), render(sc[k])) for k in range(t.num_fields)]
        return "{" + ",".join(parts) + "}"
    return json.dumps(str(sc.as_py()))


def read_options(as_of):
    return hudi.HudiReadOptions().with_as_of_timestamp(as_of)


def incremental_options(start, end):
    o = hudi.HudiReadOptions().with_query_type(hudi.HudiQueryType.Incremental)
    if start:
        o = o.with_start_timestamp(start)
    if end:
        o = o.with_end_timestamp(end)
    return o


def write_rows(batches, out):
    for b in batches:
        names = b.schema.names
        cols = b.columns
        for i in range(b.num_rows):
            out.write("{" + ",".join("%s:%s" % (json.dumps(n, ensure_ascii=False), render(c[i])) for n, c in zip(names, cols)) + "}\n")


def run_queries(table, lines, out):
    for n, line in enumerate(lines):
        q = json.loads(line)
        if "as_of" in q:
            opts = read_options(q["as_of"])
        elif "start" in q or "end" in q:
            opts = incremental_options(q.get("start"), q.get("end"))
        else:
            opts = hudi.HudiReadOptions()
        if q.get("read_optimized"):
            opts = opts.with_hudi_option(hudi.HudiReadConfig.USE_READ_OPTIMIZED_MODE.value, "true")
        out.write("#%d\n" % n)
        if q.get("files"):
            for p in sorted(s.base_file_relative_path() for s in table.get_file_slices(options=opts)):
                out.write(p + "\n")
        else:
            write_rows(table.read(options=opts), out)


def main():
    path = sys.argv[1]
    as_of = None
    if "--as-of" in sys.argv:
        as_of = sys.argv[sys.argv.index("--as-of") + 1]
    table = hudi.HudiTable(path)
    if "--queries" in sys.argv:
        run_queries(table, [l for l in sys.stdin.read().split("\n") if l.strip()], sys.stdout)
        return
    if "--files" in sys.argv:
        slices = table.get_file_slices(options=read_options(as_of)) if as_of else table.get_file_slices()
        for s in slices:
            print(s.base_file_relative_path())
        return
    batches = table.read(options=read_options(as_of)) if as_of else table.read()
    write_rows(batches, sys.stdout)


if __name__ == "__main__":
    main()
