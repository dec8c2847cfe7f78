"""Prints the record keys of a Hudi table's latest snapshot, one per line, read with
hudi-rs (PyPI `hudi`): the oracle of the stack's durability tests.

usage: table_keys.py TABLE_PATH KEY_FIELD
A missing table prints nothing (nothing committed yet).
"""
import os
import sys

import hudi
import pyarrow as pa


def main():
    path, field = sys.argv[1], sys.argv[2]
    if not os.path.isdir(os.path.join(path, ".hoodie")):
        return
    batches = [b for b in hudi.HudiTable(path).read() if b.num_rows]
    if not batches:
        return
    keys = pa.Table.from_batches(batches).column(field).to_pylist()
    sys.stdout.write("".join(f"{k}\n" for k in keys))


if __name__ == "__main__":
    main()
