"""Python confluent-kafka side of the interop tests.

produce BOOTSTRAP TOPIC N   -> sends N messages (key k<i>, value {"i": i}, header src=python)
consume BOOTSTRAP TOPIC N   -> reads N messages from the beginning of partition 0 and prints
                               one JSON line each: key, value, headers, offset
"""
import json
import sys

from confluent_kafka import Consumer, Producer, TopicPartition


def produce(bootstrap, topic, n):
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    for i in range(n):
        p.produce(topic, key=f"k{i}", value=json.dumps({"i": i}).encode(), partition=0,
                  headers=[("src", b"python"), ("seq", str(i).encode())])
    left = p.flush(30)
    if left:
        sys.exit(f"{left} messages not delivered")


def consume(bootstrap, topic, n):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"interop-{topic}",
                  "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    c.assign([TopicPartition(topic, 0, 0)])
    got = []
    empty = 0
    while len(got) < n and empty < 100:
        msgs = c.consume(num_messages=n - len(got), timeout=0.2)
        if not msgs:
            empty += 1
        for m in msgs:
            if m.error():
                sys.exit(str(m.error()))
            got.append({
                "key": m.key().decode() if m.key() is not None else None,
                "value": m.value().decode(),
                "headers": [[k, v.decode() if v is not None else None] for k, v in (m.headers() or [])],
                "offset": m.offset(),
            })
    c.close()
    for g in got:
        print(json.dumps(g))


if __name__ == "__main__":
    mode, bootstrap, topic, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    {"produce": produce, "consume": consume}[mode](bootstrap, topic, n)
