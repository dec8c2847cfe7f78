"""Loads Iceberg metadata written for a Hudi table with pyiceberg (no catalog:
StaticTable.from_metadata) and compares its scans with hudi-rs's reads of the Hudi table.

usage: compare_iceberg.py TABLE_PATH METADATA_JSON   (queries as JSON lines on stdin)
       compare_iceberg.py TABLE_PATH --catalog URI WAREHOUSE NAMESPACE.TABLE
       compare_iceberg.py TABLE_PATH --catalog-properties JSON NAMESPACE.TABLE
  (the second loads the table through an Iceberg REST catalog, OAuth2 client
  credentials test:test; the third with pyiceberg RestCatalog properties given as JSON:
  uri, warehouse, prefix, credential or token, s3.* ...; optionally followed by
  --hudi-options JSON: hudi-rs storage options, for a TABLE_PATH on S3)
  each query: {"snapshot_id": S, "as_of": T} (S: Iceberg snapshot id or null for the
  current snapshot; T: the Hudi instant or null for the latest), optionally "key": K to
  scan with the filter event_id == K (exercises partition and column-bound pruning).
prints one JSON line per query: {"iceberg": rows, "hudi": rows, "equal": bool,
  "files": Iceberg data files planned, "columns": compared, "same_columns": whether both
  reads have the same columns, "missing": [...], "extra": [...]} (first 3 each).
"""
import json
import sys

import hudi
import pyarrow as pa
import pyarrow.compute as pc
from iceberg_reads import load_table, queries, scan
from pyiceberg.expressions import EqualTo


def rows(tbl):
    """Rows as canonical JSON strings (sorted keys, values via as_py)."""
    out = []
    for r in tbl.to_pylist():
        out.append(json.dumps({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}, sort_keys=True))
    return sorted(out)


def main():
    table_path = sys.argv[1]
    ice = load_table(sys.argv[2:])
    hudi_options = {}
    if "--hudi-options" in sys.argv:
        hudi_options = json.loads(sys.argv[sys.argv.index("--hudi-options") + 1])
    hudi_table = hudi.HudiTable(table_path, options=hudi_options) if hudi_options else hudi.HudiTable(table_path)
    for q in queries():
        s = scan(ice, q, EqualTo("event_id", q["key"]) if q.get("key") is not None else None)
        files = len(list(s.plan_files()))
        ice_rows = s.to_arrow()
        if q.get("as_of"):
            batches = hudi_table.read(options=hudi.HudiReadOptions().with_as_of_timestamp(q["as_of"]))
        else:
            batches = hudi_table.read()
        hudi_rows = pa.Table.from_batches(batches) if batches else ice_rows.schema.empty_table()
        if q.get("key") is not None and hudi_rows.num_rows:
            hudi_rows = hudi_rows.filter(pc.equal(hudi_rows["event_id"], q["key"]))
        # Compare the columns both have, in Iceberg's order.
        names = [n for n in ice_rows.schema.names if n in hudi_rows.schema.names]
        a = rows(ice_rows.select(names))
        b = rows(hudi_rows.select(names).cast(ice_rows.select(names).schema)) if hudi_rows.num_rows else []
        sa, sb = set(a), set(b)
        print(json.dumps({
            "iceberg": len(a), "hudi": len(b), "equal": a == b, "files": files,
            "columns": names, "same_columns": sorted(ice_rows.schema.names) == sorted(hudi_rows.schema.names),
            "missing": sorted(sb - sa)[:3], "extra": sorted(sa - sb)[:3],
        }), flush=True)


if __name__ == "__main__":
    main()
