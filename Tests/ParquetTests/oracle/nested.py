#!/usr/bin/env python3
"""Oracle for the nested-column tests, one process for many files.

  nested.py compare MANIFEST.json
      MANIFEST: [{"file": F, "expected": JSONL, "schema": SIG or null}, ...]. Reads every F
      with pyarrow, compares its canonical rows (compare.py) with EXPECTED and, when given,
      the Arrow schema signature with SIG. Prints one JSON line per file:
      {"file", "ok", "rows", "schema", "problems"}.
  nested.py write OUTDIR SEED COUNT
      Writes COUNT random nested tables with pyarrow (structs, lists, maps 3-4 deep; nulls
      at every level, empty lists; random codec, dictionary, page version and size, row
      groups) and prints the file names.

Schema signature: `name:type` (+ `!` when not nullable), struct<f,...>, list<f>, map<k,v>,
primitive types by their Arrow name.
"""
import json, os, random, sys, datetime, decimal
import pyarrow as pa
import pyarrow.parquet as pq
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import pyarrow_rows, same  # noqa: E402


def field_sig(f):
    return "%s:%s%s" % (f.name, type_sig(f.type), "" if f.nullable else "!")


def type_sig(t):
    if pa.types.is_struct(t):
        return "struct<%s>" % ",".join(field_sig(t.field(i)) for i in range(t.num_fields))
    if pa.types.is_map(t):
        return "map<%s,%s>" % (field_sig(t.key_field), field_sig(t.item_field))
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return "list<%s>" % field_sig(t.value_field)
    return str(t)


def compare(manifest):
    for entry in json.load(open(manifest)):
        result = {"file": entry["file"], "ok": False, "rows": -1, "schema": None, "problems": ""}
        try:
            rows, _ = pyarrow_rows(entry["file"], None)
            schema = pq.read_schema(entry["file"])
            sig = ",".join(field_sig(f) for f in schema)
            with open(entry["expected"]) as f:
                expected = [json.loads(line) for line in f if line.strip()]
            problems = []
            if entry.get("schema") is not None and entry["schema"] != sig:
                problems.append("schema: pyarrow %s\n  expected %s" % (sig, entry["schema"]))
            if len(rows) != len(expected):
                problems.append("row count: pyarrow %d, expected %d" % (len(rows), len(expected)))
            for i, (got, want) in enumerate(zip(rows, expected)):
                if not same(got, want):
                    problems.append("row %d:\n  pyarrow:  %s\n  expected: %s" % (i, json.dumps(got)[:1500], json.dumps(want)[:1500]))
                    if len(problems) > 3:
                        break
            result.update(ok=not problems, rows=len(rows), schema=sig, problems="\n".join(problems))
        except Exception as e:  # a file pyarrow cannot read is a failed comparison, not a crash
            result["problems"] = "%s: %s" % (type(e).__name__, e)
        print(json.dumps(result), flush=True)


# ---- random nested tables written by pyarrow ----

PRIMITIVES = [pa.bool_(), pa.int8(), pa.int16(), pa.int32(), pa.int64(), pa.uint8(), pa.uint32(), pa.uint64(),
              pa.float16(), pa.float32(), pa.float64(), pa.string(), pa.large_string(), pa.binary(), pa.binary(5),
              pa.date32(), pa.timestamp("ms"), pa.timestamp("us", tz="UTC"), pa.timestamp("ns"),
              pa.decimal128(9, 2), pa.decimal128(18, 4), pa.decimal128(30, 7)]


def random_type(r, depth):
    if depth >= 4 or r.random() < 0.35:
        return r.choice(PRIMITIVES)
    kind = r.choice(["struct", "list", "map"])
    if kind == "struct":
        return pa.struct([pa.field("f%d" % i, random_type(r, depth + 1), nullable=r.random() < 0.8)
                          for i in range(r.randint(1, 4))])
    if kind == "list":
        return pa.list_(pa.field("element", random_type(r, depth + 1), nullable=r.random() < 0.8))
    return pa.map_(r.choice([pa.string(), pa.int32(), pa.int64()]), random_type(r, depth + 1))


def random_value(r, t, null_rate, nullable=True):
    if nullable and r.random() < null_rate:
        return None
    if pa.types.is_struct(t):
        return {t.field(i).name: random_value(r, t.field(i).type, null_rate, t.field(i).nullable) for i in range(t.num_fields)}
    if pa.types.is_map(t):
        n = r.choice([0, 0, 1, 2, 3, 5])
        keys = r.sample(range(1000), n)
        key = (lambda k: "k%d" % k) if pa.types.is_string(t.key_type) else (lambda k: k - 500)
        return [(key(k), random_value(r, t.item_type, null_rate, t.item_field.nullable)) for k in keys]
    if pa.types.is_list(t):
        n = r.choice([0, 0, 1, 2, 3, 4, 7, 20])
        return [random_value(r, t.value_type, null_rate, t.value_field.nullable) for _ in range(n)]
    if pa.types.is_boolean(t):
        return r.random() < 0.5
    if pa.types.is_integer(t):
        lo, hi = {8: (-128, 127), 16: (-32768, 32767), 32: (-2**31, 2**31 - 1), 64: (-2**63, 2**63 - 1)}[t.bit_width]
        if pa.types.is_unsigned_integer(t):
            lo, hi = 0, 2**t.bit_width - 1
        return r.choice([lo, hi, 0, r.randint(lo, hi)])
    if pa.types.is_floating(t):
        if t == pa.float16():
            return r.choice([0.0, -2.5, 65504.0, 0.333251953125, float("inf"), 6.1035e-05])
        return r.choice([0.0, -1.5, 1e300 if t == pa.float64() else 3.0e38, r.uniform(-1e6, 1e6), float("-inf")])
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return r.choice(["", "a", "naïve café", "日本", "emoji 🎉", "q\"b\\s", "x" * r.randint(0, 300)])
    if pa.types.is_fixed_size_binary(t):
        return bytes(r.randrange(256) for _ in range(t.byte_width))
    if pa.types.is_binary(t):
        return bytes(r.randrange(256) for _ in range(r.randint(0, 12)))
    if pa.types.is_date32(t):
        return datetime.date(1970, 1, 1) + datetime.timedelta(days=r.randint(-30000, 60000))
    if pa.types.is_timestamp(t):
        return r.randint(-2**62, 2**62) if t.unit == "ns" else r.randint(-10**12, 10**12) * (1000 if t.unit == "us" else 1)
    if pa.types.is_decimal(t):
        digits = r.randint(1, t.precision)
        return decimal.Decimal(r.randint(-10**digits + 1, 10**digits - 1)).scaleb(-t.scale)
    raise ValueError(t)


def write(outdir, seed, count):
    names = []
    for k in range(count):
        r = random.Random(seed * 1000 + k)
        fields = [pa.field("id", pa.int64(), nullable=False)]
        for i in range(r.randint(1, 4)):
            fields.append(pa.field("c%d" % i, random_type(r, 1 if i else 2), nullable=r.random() < 0.8))
        schema = pa.schema(fields)
        n = r.choice([0, 1, 17, 200, 1200])
        null_rate = r.choice([0.0, 0.15, 0.5])
        columns = [pa.array(range(n), pa.int64())]
        for f in fields[1:]:
            columns.append(pa.array([random_value(r, f.type, null_rate, f.nullable) for _ in range(n)], f.type))
        table = pa.Table.from_arrays(columns, schema=schema)
        name = "pa_nested_%d_%d.parquet" % (seed, k)
        options = dict(compression=r.choice(["none", "snappy", "gzip", "zstd"]), use_dictionary=r.random() < 0.5,
                       data_page_version=r.choice(["1.0", "2.0"]), data_page_size=r.choice([64, 1024, 1 << 20]),
                       row_group_size=r.choice([50, 500, 1 << 20]), write_page_checksum=r.random() < 0.5,
                       store_schema=r.random() < 0.5)
        path = os.path.join(outdir, name)
        pq.write_table(table, path, **options)
        try:
            pq.read_table(path)
        except pa.ArrowInvalid as e:
            # pyarrow 26 cannot read some of its own v2 files (tiny pages, a nested boolean
            # next to another column: "expected length 1 but got length 0"): use v1 pages.
            print("%s: pyarrow cannot read its own file (%s); written again with v1 pages" % (name, e), file=sys.stderr)
            options["data_page_version"] = "1.0"
            pq.write_table(table, path, **options)
        names.append(name)
    print("\n".join(names))


if __name__ == "__main__":
    if sys.argv[1] == "compare":
        compare(sys.argv[2])
    else:
        write(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
