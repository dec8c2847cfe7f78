"""Reads Avro object container files with fastavro (an independent Avro implementation)
and prints, per file, one JSON line {"schema": <writer schema name>, "records": [...]}.
Bytes are printed as base64. Used to check the timeline files (clean, rollback) we write.

usage: read_avro.py FILE...
"""
import base64
import json
import sys

import fastavro


def plain(v):
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def main():
    for path in sys.argv[1:]:
        with open(path, "rb") as f:
            reader = fastavro.reader(f)
            name = reader.writer_schema.get("name")
            records = [plain(r) for r in reader]
        print(json.dumps({"schema": name, "records": records}, sort_keys=True))


if __name__ == "__main__":
    main()
