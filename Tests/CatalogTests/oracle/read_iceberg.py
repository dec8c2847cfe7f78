"""Reads Iceberg metadata with pyiceberg (no catalog: StaticTable.from_metadata) and prints
what a scan sees, for tests that compare with their own model (nested values included).

usage: read_iceberg.py METADATA_JSON   (queries as JSON lines on stdin)
       read_iceberg.py --catalog-properties JSON NAMESPACE.TABLE
  (the second loads the table through an Iceberg REST catalog: pyiceberg RestCatalog
  properties given as JSON, as compare_iceberg.py takes them)
  each query: {"snapshot_id": S} (S: Iceberg snapshot id, null: the current snapshot),
  optionally "filter": [NAME, VALUE] to plan with EqualTo(NAME, VALUE) (a dotted NAME for a
  struct member) and print only the files planned.
prints one JSON line per query: {"files": data files planned, "schema_id": the scan's
  schema, "ids": its field ids by dotted name (lists' elements as NAME.element), "rows":
  the rows as canonical JSON strings (sorted keys), sorted}.
"""
import json
import sys

from pyiceberg.expressions import EqualTo
from pyiceberg.schema import index_by_name
from pyiceberg.table import StaticTable


def plain(v):
    """A scanned value as JSON: dates and times as ISO text, nested values recursively."""
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v.isoformat() if hasattr(v, "isoformat") else v


def main():
    if sys.argv[1] == "--catalog-properties":
        from pyiceberg.catalog import load_catalog
        ice = load_catalog("rest", type="rest", **json.loads(sys.argv[2])).load_table(sys.argv[3])
    else:
        ice = StaticTable.from_metadata(sys.argv[1])
    for line in sys.stdin:
        if not line.strip():
            continue
        q = json.loads(line)
        kwargs = {}
        if q.get("snapshot_id") is not None:
            kwargs["snapshot_id"] = q["snapshot_id"]
        if q.get("filter") is not None:
            kwargs["row_filter"] = EqualTo(q["filter"][0], q["filter"][1])
        scan = ice.scan(**kwargs)
        out = {"files": len(list(scan.plan_files()))}
        if q.get("filter") is None:
            schema = scan.projection()
            out["schema_id"] = schema.schema_id
            out["ids"] = index_by_name(schema)
            out["rows"] = sorted(json.dumps(plain(r), sort_keys=True) for r in scan.to_arrow().to_pylist())
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
