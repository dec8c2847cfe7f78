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
from pyiceberg.expressions import EqualTo
from pyiceberg.table import StaticTable


def rows(tbl):
    """Rows as canonical JSON strings (sorted keys, values via as_py)."""
    out = []
    for r in tbl.to_pylist():
        out.append(json.dumps({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}, sort_keys=True))
    return sorted(out)


def main():
    table_path = sys.argv[1]
    if sys.argv[2] == "--catalog":
        from pyiceberg.catalog import load_catalog
        uri, warehouse, ident = sys.argv[3], sys.argv[4], sys.argv[5]
        catalog = load_catalog("rest", type="rest", uri=uri, warehouse=warehouse, credential="test:test")
        ice = catalog.load_table(ident)
    elif sys.argv[2] == "--catalog-properties":
        from pyiceberg.catalog import load_catalog
        props = json.loads(sys.argv[3])
        catalog = load_catalog("rest", type="rest", **props)
        ice = catalog.load_table(sys.argv[4])
    else:
        ice = StaticTable.from_metadata(sys.argv[2])
    hudi_options = {}
    if "--hudi-options" in sys.argv:
        hudi_options = json.loads(sys.argv[sys.argv.index("--hudi-options") + 1])
    hudi_table = hudi.HudiTable(table_path, options=hudi_options) if hudi_options else hudi.HudiTable(table_path)
    for line in sys.stdin:
        if not line.strip():
            continue
        q = json.loads(line)
        kwargs = {}
        if q.get("snapshot_id") is not None:
            kwargs["snapshot_id"] = q["snapshot_id"]
        if q.get("key") is not None:
            kwargs["row_filter"] = EqualTo("event_id", q["key"])
        scan = ice.scan(**kwargs)
        files = len(list(scan.plan_files()))
        ice_rows = scan.to_arrow()
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
