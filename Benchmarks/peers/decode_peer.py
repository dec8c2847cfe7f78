"""Python peer of the decode benchmark: the peer pipeline's per-record work.

For each line of FILE (one JSON message): json.loads, the required fields present,
the record's timestamp parsed and its date computed (what pipeline_peer.py does per record).

decode_peer.py FILE -> {"seconds": s, "count": n, "valid": v}
"""
import datetime
import json
import sys
import time


def parse_ts(v):
    if isinstance(v, (int, float)):
        return int(v) * 1000
    d = datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
    return int(d.timestamp() * 1_000_000)


def main():
    lines = open(sys.argv[1], "rb").read().splitlines()
    best = float("inf")
    valid = 0
    for _ in range(3):
        start = time.perf_counter()
        valid = 0
        for line in lines:
            try:
                r = json.loads(line)
                if not isinstance(r, dict) or "timestamp" not in r:
                    continue
                ts = parse_ts(r["timestamp"])
                datetime.datetime.fromtimestamp(ts / 1e6, datetime.timezone.utc).strftime("%Y-%m-%d")
                valid += 1
            except Exception:
                pass
        best = min(best, time.perf_counter() - start)
    print(json.dumps({"seconds": best, "count": len(lines), "valid": valid}))


if __name__ == "__main__":
    main()
