"""Python confluent-kafka peer of the Kafka benchmark (same broker, same settings).

kafka_peer.py produce BOOTSTRAP TOPIC N SIZE   -> {"seconds": s, "count": n}
kafka_peer.py consume BOOTSTRAP TOPIC N        -> {"seconds": s, "count": n, "bytes": b}
"""
import json
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition

PRODUCER = {"enable.idempotence": True, "compression.type": "snappy", "batch.size": 16384, "linger.ms": 10}


def produce(bootstrap, topic, n, size):
    p = Producer({"bootstrap.servers": bootstrap, **PRODUCER})
    value = b"x" * size
    start = time.perf_counter()
    for _ in range(n):
        while True:
            try:
                p.produce(topic, value, partition=0)
                break
            except BufferError:
                p.poll(0.001)
    left = p.flush(60)
    seconds = time.perf_counter() - start
    if left:
        sys.exit(f"{left} messages not delivered")
    print(json.dumps({"seconds": seconds, "count": n}))


def consume(bootstrap, topic, n):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-peer", "enable.auto.commit": False,
                  "auto.offset.reset": "earliest"})
    c.assign([TopicPartition(topic, 0, 0)])
    got = 0
    total = 0
    start = time.perf_counter()
    while got < n:
        for m in c.consume(num_messages=10000, timeout=1.0):
            if m.error() is None:
                got += 1
                total += len(m.value())
    seconds = time.perf_counter() - start
    c.close()
    print(json.dumps({"seconds": seconds, "count": got, "bytes": total}))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "produce":
        produce(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        consume(sys.argv[2], sys.argv[3], int(sys.argv[4]))
