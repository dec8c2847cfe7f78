#!/usr/bin/env bash
# Runs every test: the Swift test targets (which start their own broker, S3 server, ...).
#
# One `swift test` run per test target, one after the other. In a single run every suite
# shares the cooperative pool — two threads on this 2-core machine — with the tests that
# wait on child processes (oracles, brokers, the CLI), and async work of other suites
# (in-memory processors, readiness probes) went unscheduled for minutes. With arguments,
# they are passed to one `swift test` run instead (e.g. `--filter PipelineTests`).
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.native/bin:$PATH"
swift build --build-tests || exit 1
if [ $# -gt 0 ]; then
    exec swift test --skip-build "$@"
fi
# The test targets: the folders of Tests/ named *Tests.
targets=$(ls -d Tests/*Tests | xargs -n1 basename)
failed=()
for target in $targets; do
    started=$(date +%s)
    echo "=== $target"
    if ! swift test --skip-build --filter "^$target\." ; then failed+=("$target"); fi
    echo "=== $target: $(( $(date +%s) - started )) s"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "FAILED test targets: ${failed[*]}"
    exit 1
fi
echo "all test targets passed"
