#!/usr/bin/env python3
"""A seeded model of a source database's `customers` table and the Debezium change events
(Postgres connector, Kafka Connect JSON converter) it would produce: a snapshot (`r`),
then inserts, updates (some moving a row to another region) and deletes (each followed by
its tombstone), two connector restarts that re-deliver the last events (older upserts
arriving after their row's delete among them), some events with the schema envelope and
a few malformed ones. Writes

  change_events.jsonl  one Kafka message per line: {"key": text, "value": text or null,
                       "dead": stage or absent}  (null value: a tombstone)
  final_state.jsonl    the table's rows at the end, by id

Regenerate with `python3 make_change_events.py` (same seed, same files)."""
import json
import random
from pathlib import Path

random.seed(1807)
HERE = Path(__file__).parent
REGIONS = ["eu", "us", "apac"]
NAMES = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Radia", "Niklaus"]

table = {}
messages = []
lsn = 24_000_000
clock_ms = 1_795_680_000_000  # 2026-11-26T08:00:00Z
next_id = 1


def row(cid, version):
    name = random.choice(NAMES)
    return {
        "id": cid,
        "name": f"{name} {version}",
        "email": None if random.random() < 0.2 else f"{name.lower()}{cid}@example.com",
        "region": random.choice(REGIONS),
        "balance": None if random.random() < 0.1 else round(random.uniform(0, 5000), 2),
        "updated_at": iso(clock_ms),
    }


def iso(ms):
    import datetime
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event(op, before, after, position, snapshot=False):
    source = {"version": "2.7.0.Final", "connector": "postgresql", "name": "dbserver1", "ts_ms": clock_ms,
              "snapshot": "true" if snapshot else "false", "db": "shop", "schema": "public", "table": "customers",
              "txId": position // 100, "lsn": position, "xmin": None}
    value = {"before": before, "after": after, "source": source, "op": op, "ts_ms": clock_ms + 250, "transaction": None}
    if random.random() < 0.3:  # the converter with schemas.enable=true
        value = {"schema": {"type": "struct", "optional": False, "name": "dbserver1.public.customers.Envelope", "fields": []},
                 "payload": value}
    return json.dumps(value, separators=(",", ":"))


def send(cid, value, dead=None):
    message = {"key": json.dumps({"id": cid}, separators=(",", ":")), "value": value}
    if dead:
        message["dead"] = dead
    messages.append(message)


def advance():
    global lsn, clock_ms
    lsn += random.randint(1, 60)
    clock_ms += random.randint(1, 900)


def insert(op="c", snapshot=False):
    global next_id
    cid = next_id
    next_id += 1
    table[cid] = row(cid, 0)
    if not snapshot:
        advance()
    send(cid, event(op, None, table[cid], lsn, snapshot))


def update():
    cid = random.choice(sorted(table))
    advance()
    version = int(table[cid]["name"].split()[-1]) + 1
    table[cid] = row(cid, version)
    send(cid, event("u", None, table[cid], lsn))


def delete():
    cid = random.choice(sorted(table))
    advance()
    del table[cid]
    # REPLICA IDENTITY DEFAULT: `before` holds the primary key only.
    before = {"id": cid, "name": None, "email": None, "region": None, "balance": None, "updated_at": None}
    send(cid, event("d", before, None, lsn))
    send(cid, None)  # the tombstone that lets Kafka compact the key away


def restart(window):
    """The connector restarts from an older offset: the last `window` messages again."""
    replay = [m for m in messages[-window:] if "dead" not in m]
    messages.extend(dict(m) for m in replay)


# Snapshot: every row at the snapshot's position.
for _ in range(30):
    insert("r", snapshot=True)
for step in range(260):
    choice = random.random()
    if choice < 0.35 or len(table) < 5:
        insert()
    elif choice < 0.75:
        update()
    else:
        delete()
    if step in (120, 210):
        restart(40)

# Malformed envelopes (never rows): each with the stage it is dead-lettered at.
send(9001, "not json at all", "parse")
send(9002, json.dumps({"id": 9002, "name": "no envelope", "region": "eu"}), "envelope")
send(9003, json.dumps({"op": "t", "after": None, "source": {"lsn": 1}, "ts_ms": 1}), "envelope")
send(9004, json.dumps({"op": "c", "after": None, "source": {"lsn": 1}, "ts_ms": 1}), "envelope")
send(9005, json.dumps({"op": "d", "before": None, "source": {"lsn": 1}, "ts_ms": 1}), "envelope")
send(9006, json.dumps({"op": "c", "after": {"id": 9006, "name": "x", "region": "eu"}}), "envelope")
send(9007, json.dumps({"op": "u", "after": {"id": 9007, "name": "x", "region": "mars"}, "source": {"lsn": 1}}), "schema")
send(9008, json.dumps({"op": "d", "before": {"name": "no key"}, "source": {"lsn": 1}}), "envelope")

with open(HERE / "change_events.jsonl", "w") as f:
    for m in messages:
        f.write(json.dumps(m, separators=(",", ":")) + "\n")
with open(HERE / "final_state.jsonl", "w") as f:
    for cid in sorted(table):
        f.write(json.dumps(table[cid], separators=(",", ":")) + "\n")
print(f"{len(messages)} messages, {len(table)} rows")
