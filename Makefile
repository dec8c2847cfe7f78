# Tributary — the two commands that matter: `make run` and `make test`.
SWIFT      ?= swift
BUILD_FLAGS ?=
RELEASE_FLAGS = -c release --scratch-path .build-release

.PHONY: help setup build run prometheus test bench soak clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

setup: ## install Debian packages, .venv/ tools and native libraries (idempotent)
	@./scripts/setup.sh

build: setup ## debug build of the tributary CLI
	$(SWIFT) build $(BUILD_FLAGS)

run: setup ## start the whole stack on embedded defaults (Ctrl-C stops it)
	$(SWIFT) build $(BUILD_FLAGS) --product tributary
	./.build/debug/tributary up

prometheus: setup ## like run, plus Prometheus scraping it with the alert rules (prints its URL)
	$(SWIFT) build $(BUILD_FLAGS) --product tributary
	./.build/debug/tributary up --prometheus

test: setup ## run every test
	./scripts/test.sh

bench: setup ## release-build benchmarks, printing ratios against peers
	./scripts/bench.sh

soak: setup ## long soak and crash loops
	TRIBUTARY_SOAK=1 ./scripts/test.sh

clean: ## remove build outputs (keeps .venv/)
	rm -rf .build .build-release
