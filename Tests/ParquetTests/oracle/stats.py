#!/usr/bin/env python3
"""Prints, as JSON, what pyarrow sees in FILE's footer: per row group and column the
statistics (min, max, null_count), encodings, codec, column-chunk key/value metadata and the
file key/value metadata."""
import base64, json, sys
import pyarrow.parquet as pq

def enc(v):
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, float) and v != v:
        return "NaN"
    return v if isinstance(v, (int, float, str, bool)) or v is None else str(v)

md = pq.ParquetFile(sys.argv[1]).metadata
groups = []
for g in range(md.num_row_groups):
    rg = md.row_group(g)
    cols = {}
    for c in range(rg.num_columns):
        col = rg.column(c)
        s = col.statistics
        cols[col.path_in_schema] = {
            "min": enc(s.min) if s is not None and s.has_min_max else None,
            "max": enc(s.max) if s is not None and s.has_min_max else None,
            "null_count": s.null_count if s is not None and s.has_null_count else None,
            "encodings": list(col.encodings),
            "codec": col.compression,
            "kv": {k.decode(): v.decode() for k, v in (col.metadata or {}).items()},
        }
    groups.append({"rows": rg.num_rows, "columns": cols})
kv = {k.decode(): v.decode() for k, v in (md.metadata or {}).items()}
print(json.dumps({"row_groups": groups, "kv": kv}))
