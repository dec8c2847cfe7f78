#!/usr/bin/env bash
# Runs every test: the Swift test targets (which start their own broker, S3 server, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.native/bin:$PATH"
swift build --build-tests
swift test --skip-build "$@"
