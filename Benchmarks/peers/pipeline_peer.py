"""Python peer of the pipeline benchmark: the seed's job without Spark or Hudi.

A confluent-kafka consumer group reads user_events, parses each record with json,
validates the required fields and the event_type enum, adds the date partition, and
appends one Parquet file per partition per micro-batch with pyarrow (no upsert, no index:
the cheapest job that still lands every record as Parquet), committing offsets after.

pipeline_peer.py BOOTSTRAP TOPIC N OUT_DIR [BATCH]
  -> {"seconds": s, "assigned_seconds": a, "cpu_seconds": c, "count": n, "written": w, "rejected": r}
seconds: from subscribing to the last file; assigned_seconds: from the partition assignment;
cpu_seconds: this process's CPU time (all threads) over the run.
"""
import datetime
import json
import os
import resource
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq
from confluent_kafka import Consumer

EVENT_TYPES = {"page_view", "click", "signup", "login", "logout", "purchase", "add_to_cart", "search"}
COLUMNS = ["event_id", "user_id", "event_type", "page", "session_id", "device", "country", "properties", "timestamp"]


def parse_ts(v):
    if isinstance(v, (int, float)):
        return int(v) * 1000
    d = datetime.datetime.fromisoformat(v.replace("Z", "+00:00"))
    return int(d.timestamp() * 1_000_000)


def main():
    bootstrap, topic, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    batch_size = int(sys.argv[5]) if len(sys.argv) > 5 else 500_000
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-peer-pipeline", "enable.auto.commit": False,
                  "auto.offset.reset": "earliest", "session.timeout.ms": 6000, "heartbeat.interval.ms": 500,
                  # The processor's fetch settings (StreamProcessor.consumerTuning), so both read alike.
                  "max.partition.fetch.bytes": 8 << 20, "fetch.max.bytes": 16 << 20,
                  "queued.max.messages.kbytes": 16 << 10, "queued.min.messages": 1000000,
                  "fetch.queue.backoff.ms": 20})
    assigned = []

    def on_assign(consumer, partitions):
        if not assigned:
            assigned.append(time.perf_counter())

    def cpu():
        u = resource.getrusage(resource.RUSAGE_SELF)
        return u.ru_utime + u.ru_stime

    cpu_start = cpu()
    start = time.perf_counter()
    c.subscribe([topic], on_assign=on_assign)
    seen = written = rejected = files = 0
    while seen < n:
        rows = {k: [] for k in COLUMNS}
        dates = []
        polled = 0
        deadline = time.perf_counter() + 10
        while polled < batch_size and seen + polled < n and time.perf_counter() < deadline:
            for m in c.consume(num_messages=10000, timeout=0.25):
                if m.error() is not None:
                    continue
                polled += 1
                try:
                    r = json.loads(m.value())
                    if not r.get("event_id") or not r.get("user_id") or r.get("event_type") not in EVENT_TYPES:
                        raise ValueError("invalid")
                    ts = parse_ts(r["timestamp"])
                except Exception:
                    rejected += 1
                    continue
                for k in COLUMNS[:-2]:
                    rows[k].append(r.get(k))
                props = r.get("properties")
                rows["properties"].append(json.dumps(props) if props is not None else None)
                rows["timestamp"].append(ts)
                dates.append(datetime.datetime.fromtimestamp(ts / 1e6, datetime.timezone.utc).strftime("%Y-%m-%d"))
        if polled == 0:
            continue
        seen += polled
        table = pa.table({k: pa.array(v, pa.timestamp("us", tz="UTC") if k == "timestamp" else pa.string())
                          for k, v in rows.items()})
        table = table.append_column("event_date", pa.array(dates, pa.string()))
        for d in sorted(set(dates)):
            part = table.filter(pa.compute.equal(table["event_date"], d))
            folder = os.path.join(out, "event_date=" + d)
            os.makedirs(folder, exist_ok=True)
            pq.write_table(part, os.path.join(folder, "part-%05d.parquet" % files), compression="snappy")
            files += 1
        written += table.num_rows
        c.commit(asynchronous=False)
    end = time.perf_counter()
    cpu_seconds = cpu() - cpu_start
    c.close()
    print(json.dumps({"seconds": end - start, "assigned_seconds": end - (assigned[0] if assigned else start),
                      "cpu_seconds": cpu_seconds, "count": seen, "written": written, "rejected": rejected}))


if __name__ == "__main__":
    import pyarrow.compute  # noqa: F401  (pa.compute)
    main()
