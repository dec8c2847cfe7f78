#!/usr/bin/env bash
# Release-build benchmarks: each area prints ours vs a peer in the same run, with ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.native/bin:$PATH"
swift build -c release --scratch-path .build-release --product tributary-bench
BENCH=./.build-release/release/tributary-bench
areas=${BENCH_AREAS:-kafka parquet parquet-nested objectstore hudi query decode pipeline freshness scale startup}
for area in $areas; do
  echo "== $area =="
  if [ "$area" = startup ]; then
    # Start to first commit runs the CLI itself (release build of it too).
    swift build -c release --scratch-path .build-release --product tributary
    ./Benchmarks/startup.sh ./.build-release/release/tributary
  else
    "$BENCH" "$area"
  fi
done
