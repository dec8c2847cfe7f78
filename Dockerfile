# Tributary's container image: `docker build -t tributary .`
#
# Three stages: the native pieces from PyPI (librdkafka 2.16 inside the confluent-kafka
# wheel, the DuckDB CLI; the same pins as scripts/requirements.txt), the Swift release
# build, and a small Debian runtime that runs as an unprivileged user. Kubernetes
# manifests: deploy/kubernetes/.

# --- native: librdkafka and duckdb, straight out of their wheels (no pip install needed at run time)
FROM python:3.11-slim-bookworm AS native
RUN pip download --no-deps --only-binary=:all: --platform manylinux_2_28_x86_64 --dest /wheels \
        confluent-kafka==2.16.1 duckdb-cli==1.5.6 \
    && python -m zipfile -e /wheels/confluent_kafka-*.whl /tmp/ck \
    && python -m zipfile -e /wheels/duckdb_cli-*.whl /tmp/duckdb \
    && mkdir -p /out/lib /out/bin \
    && cp /tmp/ck/confluent_kafka.libs/librdkafka-*.so.1 /out/lib/ \
    && cp /tmp/duckdb/duckdb_cli/duckdb /out/bin/duckdb \
    && chmod 0755 /out/bin/duckdb

# --- build: the release binary, Swift's runtime linked in statically
FROM swift:6.3.1-bookworm AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        librdkafka-dev libsnappy-dev libzstd-dev zlib1g-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Package.swift links librdkafka from .native/lib (as `make setup` lays it out).
COPY --from=native /out/lib/ /src/.native/lib/
RUN cd /src/.native/lib && ln -s librdkafka-*.so.1 librdkafka.so
COPY Package.swift Package.resolved* ./
RUN swift package resolve
COPY Sources ./Sources
COPY Benchmarks ./Benchmarks
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product tributary \
    && install -D "$(swift build -c release --show-bin-path)/tributary" /out/tributary

# --- runtime
FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates libsnappy1v5 libzstd1 zlib1g libstdc++6 libjs-bootstrap5 libjs-chart.js tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 tributary \
    && useradd --uid 10001 --gid 10001 --home-dir /var/lib/tributary --create-home --shell /usr/sbin/nologin tributary
COPY --from=native /out/lib/ /usr/local/lib/
COPY --from=native /out/bin/duckdb /usr/local/bin/duckdb
COPY --from=build /out/tributary /usr/local/bin/tributary
# The binary's rpath points into the build tree; the loader finds librdkafka here instead.
RUN ldconfig
ENV TRIBUTARY_DUCKDB=/usr/local/bin/duckdb \
    TRIBUTARY_STATE_DIR=/tmp
WORKDIR /var/lib/tributary
USER 10001:10001
# metrics/probes of `tributary process`, the web app
EXPOSE 9464 8080
ENTRYPOINT ["tributary"]
CMD ["process", "--config", "/etc/tributary/tributary.toml"]
