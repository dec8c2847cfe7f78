"""Reads Iceberg metadata with pyiceberg (no catalog: StaticTable.from_metadata) and prints
what a scan sees, for tests that compare with their own model (nested values included).

usage: read_iceberg.py METADATA_JSON   (queries as JSON lines on stdin)
       read_iceberg.py --catalog-properties JSON NAMESPACE.TABLE
  (the second loads the table through an Iceberg REST catalog: iceberg_reads.py)
  each query: {"snapshot_id": S} (S: Iceberg snapshot id, null: the current snapshot),
  optionally "filter": [NAME, VALUE] to plan with EqualTo(NAME, VALUE) (a dotted NAME for a
  struct member) and print only the files planned.
prints one JSON line per query: {"files": data files planned, "schema_id": the scan's
  schema, "ids": its field ids by dotted name (lists' elements as NAME.element), "rows":
  the rows as canonical JSON strings (sorted keys; decimals as text), sorted}.
"""
import json
import sys

from iceberg_reads import load_table, queries, scan
from pyiceberg.expressions import EqualTo
from pyiceberg.schema import index_by_name


def plain(v):
    """A scanned value as JSON: dates and times as ISO text, nested values recursively."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v.isoformat() if hasattr(v, "isoformat") else v


def main():
    ice = load_table(sys.argv[1:])
    for q in queries():
        flt = q.get("filter")
        s = scan(ice, q, EqualTo(flt[0], flt[1]) if flt is not None else None)
        out = {"files": len(list(s.plan_files()))}
        if flt is None:
            schema = s.projection()
            out["schema_id"] = schema.schema_id
            out["ids"] = index_by_name(schema)
            out["rows"] = sorted(json.dumps(plain(r), sort_keys=True, default=str) for r in s.to_arrow().to_pylist())
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
