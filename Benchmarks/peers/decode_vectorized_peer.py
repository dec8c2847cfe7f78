"""Vectorized peer of the decode benchmark: the whole FILE (one JSON message per line)
parsed by Arrow's C++ JSON reader into columns (types inferred, nested objects as structs,
arrays as lists), as ../shared/peers/vectorized_pipeline_peer.py parses a batch.

decode_vectorized_peer.py FILE -> {"seconds": s, "count": n}   (best of 3)
"""
import io
import json
import sys
import time

import pyarrow.json as pj


def main():
    data = open(sys.argv[1], "rb").read()
    best, count = float("inf"), 0
    for _ in range(3):
        start = time.perf_counter()
        count = pj.read_json(io.BytesIO(data)).num_rows
        best = min(best, time.perf_counter() - start)
    print(json.dumps({"seconds": best, "count": count}))


if __name__ == "__main__":
    main()
