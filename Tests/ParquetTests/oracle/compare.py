#!/usr/bin/env python3
"""Oracle for the Parquet tests: reads FILE with pyarrow or the DuckDB CLI, converts every
value to the canonical JSON form `tributary parquet cat` prints (timestamps ISO-8601,
decimals as strings, binary as base64, NaN/Infinity as strings, maps as objects keyed by
the key's text)
and compares it with EXPECTED (JSON lines). Prints {"rows": n, "types": {...}} and exits 0
when equal; prints the first differences and exits 1 otherwise.

usage: compare.py FILE EXPECTED.jsonl [--engine pyarrow|duckdb] [--columns a,b] [--duckdb PATH]
"""
import argparse, base64, decimal, datetime, json, math, struct, subprocess, sys
import pyarrow as pa
import pyarrow.parquet as pq


def fmt_float(x):
    if x is None:
        return None
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def fmt_date(days):
    return (datetime.date(1970, 1, 1) + datetime.timedelta(days=days)).isoformat()


def fmt_ts(v, unit, utc):
    per = {"ms": 1000, "us": 10**6, "ns": 10**9, "s": 1}[unit]
    digits = {"ms": 3, "us": 6, "ns": 9, "s": 0}[unit]
    secs, frac = divmod(v, per)
    days, sod = divmod(secs, 86400)
    s = "%sT%02d:%02d:%02d" % (fmt_date(days), sod // 3600, sod // 60 % 60, sod % 60)
    if digits:
        s += "." + str(frac).rjust(digits, "0")
    return s + ("Z" if utc else "")


def fmt_time(v, unit):
    per = {"ms": 1000, "us": 10**6, "ns": 10**9, "s": 1}[unit]
    digits = {"ms": 3, "us": 6, "ns": 9, "s": 0}[unit]
    secs, frac = divmod(v, per)
    return "%02d:%02d:%02d.%s" % (secs // 3600, secs // 60 % 60, secs % 60, str(frac).rjust(digits, "0"))


def key_text(k):
    """A canonical map key as the text `tributary parquet cat` uses as the object key."""
    if isinstance(k, str):
        return k
    if isinstance(k, bool):
        return "true" if k else "false"
    return json.dumps(k)


def canon_array(arr):
    """A pyarrow Array -> list of canonical Python values."""
    t = arr.type
    valid = arr.is_valid().to_pylist() if arr.null_count else [True] * len(arr)
    if pa.types.is_dictionary(t):
        return canon_array(arr.dictionary_decode())
    if isinstance(t, pa.ExtensionType):
        return canon_array(arr.storage)
    if pa.types.is_struct(t):
        children = [(t.field(i).name, canon_array(arr.field(i))) for i in range(t.num_fields)]
        return [({n: c[i] for n, c in children} if valid[i] else None) for i in range(len(arr))]
    if pa.types.is_map(t):
        offsets = arr.offsets.to_pylist()
        keys = canon_array(arr.keys)
        items = canon_array(arr.items)
        return [({key_text(keys[j]): items[j] for j in range(offsets[i], offsets[i + 1])} if valid[i] else None)
                for i in range(len(arr))]
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        offsets = arr.offsets.to_pylist()
        values = canon_array(arr.values)
        return [(values[offsets[i]:offsets[i + 1]] if valid[i] else None) for i in range(len(arr))]
    if pa.types.is_fixed_size_list(t):
        n = t.list_size
        values = canon_array(arr.flatten())
        return [(values[i * n:(i + 1) * n] if valid[i] else None) for i in range(len(arr))]
    if pa.types.is_timestamp(t):
        ints = arr.cast(pa.int64()).to_pylist()
        return [None if v is None else fmt_ts(v, t.unit, t.tz is not None) for v in ints]
    if pa.types.is_date32(t):
        return [None if v is None else fmt_date(v) for v in arr.cast(pa.int32()).to_pylist()]
    if pa.types.is_date64(t):
        return [None if v is None else fmt_date(v // 86400000) for v in arr.cast(pa.int64()).to_pylist()]
    if pa.types.is_time(t):
        return [None if v is None else fmt_time(v, t.unit) for v in arr.cast(pa.int64() if t.bit_width == 64 else pa.int32()).to_pylist()]
    if pa.types.is_decimal(t):
        return [None if v is None else format(v, "f") for v in arr.to_pylist()]
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t) or pa.types.is_binary_view(t):
        return [None if v is None else base64.b64encode(v).decode() for v in arr.to_pylist()]
    if pa.types.is_floating(t):
        if t == pa.float16():
            arr = arr.cast(pa.float32())
        return [fmt_float(v) for v in arr.to_pylist()]
    return arr.to_pylist()


def pyarrow_rows(path, columns):
    table = pq.read_table(path, columns=columns, page_checksum_verification=True)
    cols = [canon_array(table.column(i).combine_chunks()) for i in range(table.num_columns)]
    names = table.column_names
    rows = [{names[j]: cols[j][i] for j in range(len(names))} for i in range(table.num_rows)]
    types = {f.name: str(f.type) for f in table.schema}
    return rows, types


def duckdb_rows(path, columns, duckdb):
    def run(sql):
        out = subprocess.run([duckdb, "-no-init", "-json", "-c", sql], capture_output=True, text=True)
        if out.returncode != 0:
            raise SystemExit("duckdb failed: " + out.stderr)
        return json.loads(out.stdout) if out.stdout.strip() else []
    src = "read_parquet('%s')" % path.replace("'", "''")
    desc = run("DESCRIBE SELECT * FROM %s" % src)
    types = {d["column_name"]: d["column_type"] for d in desc}
    names = columns or [d["column_name"] for d in desc]
    arrow = pq.read_schema(path)
    exprs = []
    for n in names:
        q = '"%s"' % n.replace('"', '""')
        t = types[n]
        if t in ("VARCHAR", "JSON"):
            e = "to_base64(encode(%s::VARCHAR))" % q
        elif t == "BLOB":
            e = "to_base64(%s)" % q
        elif t in ("FLOAT", "DOUBLE") or t.startswith("DECIMAL") or t == "DATE":
            e = "%s::VARCHAR" % q
        elif t.startswith("TIMESTAMP"):
            e = ("epoch_ns(%s)" if t == "TIMESTAMP_NS" else "epoch_us(%s)") % q
        else:
            e = q
        exprs.append('%s AS "c%d"' % (e, len(exprs)))
    data = run("SELECT %s FROM %s" % (", ".join(exprs), src)) if exprs else []
    # DuckDB keeps UTC-adjusted nanosecond timestamps as TIMESTAMP WITH TIME ZONE, which
    # has microsecond precision: those columns compare within one microsecond.
    tolerant = {n for n in names if types[n] == "TIMESTAMP WITH TIME ZONE" and pa.types.is_timestamp(arrow.field(n).type)
                and arrow.field(n).type.unit == "ns"}
    rows = []
    for r in data:
        row = {}
        for j, n in enumerate(names):
            v = r["c%d" % j]
            t = types[n]
            if v is not None:
                if t in ("VARCHAR", "JSON"):
                    v = base64.b64decode(v).decode("utf-8")
                elif t == "FLOAT":
                    v = fmt_float(struct.unpack("f", struct.pack("f", float(v)))[0])
                elif t == "DOUBLE":
                    v = fmt_float(float(v))
                elif t.startswith("DECIMAL"):
                    v = format(decimal.Decimal(v), "f")  # DuckDB prints 0.5 as .5 when scale == precision
                elif t.startswith("TIMESTAMP"):
                    at = arrow.field(n).type
                    unit = at.unit if pa.types.is_timestamp(at) else "us"
                    ns = int(v) if t == "TIMESTAMP_NS" else int(v) * 1000
                    v = fmt_ts(ns // {"s": 10**9, "ms": 10**6, "us": 1000, "ns": 1}[unit], unit, at.tz is not None)
            row[n] = v
        rows.append(row)
    return rows, {n: types[n] for n in names}, tolerant


def parse_ts_ns(s):
    """ISO-8601 text as written by fmt_ts -> nanoseconds since the epoch."""
    date, _, rest = s.rstrip("Z").partition("T")
    hms, _, frac = rest.partition(".")
    h, m, sec = (int(x) for x in hms.split(":"))
    days = (datetime.date.fromisoformat(date) - datetime.date(1970, 1, 1)).days
    return ((days * 86400 + h * 3600 + m * 60 + sec) * 10**9) + int(frac.ljust(9, "0")[:9] or 0)


def same(a, b):
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and float(a) == float(b)
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a.keys()) == list(b.keys()) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) == type(b) and a == b or (a is None and b is None)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("expected")
    p.add_argument("--engine", default="pyarrow")
    p.add_argument("--columns")
    p.add_argument("--duckdb", default="duckdb")
    a = p.parse_args()
    columns = a.columns.split(",") if a.columns else None
    tolerant = set()
    if a.engine == "duckdb":
        rows, types, tolerant = duckdb_rows(a.file, columns, a.duckdb)
    else:
        rows, types = pyarrow_rows(a.file, columns)
    with open(a.expected) as f:
        expected = [json.loads(line) for line in f if line.strip()]
    problems = []
    if len(rows) != len(expected):
        problems.append("row count: %s read %d rows, expected %d" % (a.engine, len(rows), len(expected)))
    for i, (got, want) in enumerate(zip(rows, expected)):
        for n in tolerant:
            if isinstance(got.get(n), str) and isinstance(want.get(n), str) and abs(parse_ts_ns(got[n]) - parse_ts_ns(want[n])) < 1000:
                got[n] = want[n]
        if not same(got, want):
            problems.append("row %d:\n  %s: %s\n  expected: %s" % (i, a.engine, json.dumps(got)[:2000], json.dumps(want)[:2000]))
            if len(problems) > 5:
                break
    print(json.dumps({"rows": len(rows), "types": types}))
    if problems:
        print("\n".join(problems), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
