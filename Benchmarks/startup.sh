#!/usr/bin/env bash
# Start to first commit on the embedded broker, durable (the default) beside in-memory
# (kafka.embedded_storage = memory), for `tributary process` and `tributary up` (issue 19
# item 4: target <= 5 s each), for a second processor joining the group (a rebalance), and
# `tributary up` start to a serving web app (what `make run` waits for). Records are
# preloaded, so commit times are start-up + group join + the first batch; printed, never asserted.
#   Benchmarks/startup.sh [path/to/tributary]   (default: the release build)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$(realpath "${1:-$root/.build-release/release/tributary}")"
export PATH="$root/.native/bin:$PATH"
records=${STARTUP_RECORDS:-20000}
top="$(mktemp -d /tmp/tributary-startup.XXXXXX)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; [ -n "${STARTUP_KEEP:-}" ] && echo "kept $top" >&2 || rm -rf "$top"; }
trap cleanup EXIT

now() { date +%s.%N; }
commits() { ls lake/user_events/.hoodie/ 2>/dev/null | grep -cE '^[0-9]+(_[0-9]+)?\.(commit|deltacommit)$' || true; }
# Waits until the table has more than $1 completed commits; prints the seconds since $2.
wait_commit() {
  local before=$1 started=$2 deadline=$(( $(date +%s) + 120 ))
  while [ "$(commits)" -le "$before" ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "no commit within 120 s" >&2; exit 1; }
    sleep 0.05
  done
  awk "BEGIN { print $(now) - $started }"
}
preload() {  # $1: key prefix
  "$root/.venv/bin/python" - "$1" "$records" > "$1.jsonl" <<'EOF'
import json, sys
prefix, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    print(json.dumps({"event_id": f"{prefix}-{i}", "user_id": f"u{i % 997}", "event_type": "click",
                      "timestamp": "2026-11-26T10:00:00Z", "page": f"/p/{i % 50}"}))
EOF
  "$bin" produce user_events --file "$1.jsonl" > "produce-$1.log" 2>&1
}
stop() { kill -INT "$1"; wait "$1" 2>/dev/null || true; }
port=$(( 20000 + RANDOM % 20000 ))
# Waits until the web app serves /healthz; prints the seconds since $1.
wait_web() {
  local started=$1 deadline=$(( $(date +%s) + 120 ))
  until curl -fs -o /dev/null "http://127.0.0.1:$port/healthz"; do
    [ "$(date +%s)" -lt "$deadline" ] || { echo "web app not serving within 120 s" >&2; exit 1; }
    sleep 0.05
  done
  awk "BEGIN { print $(now) - $started }"
}


# One storage kind in its own folder: prints "process rebalance up_ready up_commit".
measure() {
  local kind=$1
  mkdir -p "$top/$kind" && cd "$top/$kind"
  printf '[kafka]\nembedded_storage = "%s"\n[web]\nlisten = "127.0.0.1:%d"\n[metrics]\nlisten = ""\n' "$kind" "$port" > tributary.toml
  "$bin" broker > broker.log 2>&1 & local broker=$!; pids+=("$broker")
  until [ -s .tributary/broker ]; do sleep 0.1; done
  "$bin" topics setup --partitions 2 > /dev/null
  preload a
  local started n process_first rebalance up_ready up_first=nan
  started=$(now)
  "$bin" process > process1.log 2>&1 & local p1=$!; pids+=("$p1")
  process_first=$(wait_commit 0 "$started")
  # A second processor joins: the group rebalances; time until the table commits records
  # produced after the join began (either member may commit them).
  n=$(commits); started=$(now)
  "$bin" process > process2.log 2>&1 & local p2=$!; pids+=("$p2")
  preload b
  rebalance=$(wait_commit "$n" "$started")
  stop "$p2"; stop "$p1"
  preload c
  stop "$broker"
  # `up` from a stopped stack: storage + broker, web app, topics, processor join, first
  # batch. The in-memory broker lost the preloaded records with its stop: no commit to wait for.
  n=$(commits); started=$(now)
  "$bin" up > up.log 2>&1 & local up=$!; pids+=("$up")
  up_ready=$(wait_web "$started")
  [ "$kind" = memory ] || up_first=$(wait_commit "$n" "$started")
  stop "$up"
  echo "$process_first $rebalance $up_ready $up_first"
}

measure durable > "$top/durable.txt"; read -r d_process d_rebalance d_ready d_up < "$top/durable.txt"
measure memory > "$top/memory.txt"; read -r m_process m_rebalance m_ready m_up < "$top/memory.txt"
printf 'startup: %d preloaded user_events per step, embedded broker: durable (Tansu on SeaweedFS) vs in-memory\n' "$records"
printf '  %-52s %9s %9s\n' "" durable memory
printf '  %-52s %8.2fs %8.2fs\n' "tributary process: start -> first commit" "$d_process" "$m_process"
printf '  %-52s %8.2fs %8.2fs\n' "second process joins -> commit after rebalance" "$d_rebalance" "$m_rebalance"
printf '  %-52s %8.2fs %8.2fs\n' "tributary up: start -> web app serving (make run)" "$d_ready" "$m_ready"
printf '  %-52s %8.2fs %9s\n' "tributary up (stack stopped): start -> first commit" "$d_up" "-"
echo "  target: <= 5 s from start to first commit, for up and process (issue 19 item 4)"
