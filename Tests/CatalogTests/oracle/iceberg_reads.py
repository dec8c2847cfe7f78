"""What the Iceberg oracles share: the table they read (from a metadata file, no catalog,
or through an Iceberg REST catalog), their queries and scans.

load_table(args), args one of:
  METADATA_JSON
  --catalog URI WAREHOUSE NAMESPACE.TABLE   (OAuth2 client credentials test:test)
  --catalog-properties JSON NAMESPACE.TABLE (pyiceberg RestCatalog properties as JSON)
(anything after these is left to the caller)
"""
import json
import sys

from pyiceberg.table import StaticTable


def load_table(args):
    if args[0] == "--catalog":
        from pyiceberg.catalog import load_catalog
        catalog = load_catalog("rest", type="rest", uri=args[1], warehouse=args[2], credential="test:test")
        return catalog.load_table(args[3])
    if args[0] == "--catalog-properties":
        from pyiceberg.catalog import load_catalog
        return load_catalog("rest", type="rest", **json.loads(args[1])).load_table(args[2])
    return StaticTable.from_metadata(args[0])


def queries():
    """The queries on stdin: one JSON object a line."""
    for line in sys.stdin:
        if line.strip():
            yield json.loads(line)


def scan(ice, q, row_filter=None):
    """The scan of query q's "snapshot_id" (null: the current snapshot), with row_filter."""
    kwargs = {}
    if q.get("snapshot_id") is not None:
        kwargs["snapshot_id"] = q["snapshot_id"]
    if row_filter is not None:
        kwargs["row_filter"] = row_filter
    return ice.scan(**kwargs)
