# mcp-operator: every target installs what it needs and skips what is already done.
# `make help` lists the targets.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -o pipefail -ec
.DEFAULT_GOAL := help

# Node 24 from the registry's `node` package (the machine's Node may be older); npm scripts find it
# first on PATH, and direct calls use it by path.
NODE := node_modules/.bin/node
NODE_MODULES := node_modules/.package-lock.json

##@ General

.PHONY: help
help: ## Show this help
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} \
	  /^[a-zA-Z_0-9-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } \
	  /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Run

.PHONY: run
run: $(NODE_MODULES) binaries ## A local cluster with a real node (KWOK where none can run), the operator installed on it by helm, a sample MCPServer (Ctrl-C stops all)
	$(NODE) cli/main.ts dev up --foreground --operator --node auto --name run

.PHONY: dev-up
dev-up: $(NODE_MODULES) binaries ## Start a local control plane named "dev" and leave it running
	$(NODE) cli/main.ts dev up --name dev

.PHONY: dev-down
dev-down: $(NODE_MODULES) ## Stop every local control plane and real node, and clean the host (also after a crash)
	$(NODE) cli/main.ts dev down --all

##@ Test

.PHONY: test
test: typecheck test-unit test-fuzz test-integration test-node ## Every test: type check, unit, fuzz, integration and the real node's (builds what is missing)

.PHONY: test-unit
test-unit: $(NODE_MODULES) redis ## Pure tests: no cluster, seconds (a real redis-server for the rate limiter's)
	npm run --silent test:unit

.PHONY: test-fuzz
test-fuzz: $(NODE_MODULES) ## Property-based fuzzing of admission and the proxy (FUZZ_SEED, FUZZ_RUNS), minutes
	npm run --silent test:fuzz

.PHONY: test-integration
test-integration: $(NODE_MODULES) binaries ## Tests on a real local control plane
	npm run --silent test:integration

.PHONY: test-node
test-node: $(NODE_MODULES) binaries ## End-to-end tests on a real node (kubelet, containerd; root): the seed guide on real containers
	npm run --silent test:node

.PHONY: test-gateway
test-gateway: $(NODE_MODULES) binaries ## Exposure through a real Gateway (Traefik, built from the Go module proxy: about 12 minutes cold; not in `make test`)
	@bash controlplane/build-binaries.sh traefik
	$(NODE) node_modules/.bin/mocha --config test/.mocharc.integration.json test/integration/exposure-traefik.gateway-test.ts

.PHONY: typecheck
typecheck: $(NODE_MODULES) ## TypeScript strict type check
	npm run --silent typecheck

.PHONY: lint
lint: $(NODE_MODULES) ## ESLint and Prettier
	npm run --silent lint

.PHONY: bench-toolhive
bench-toolhive: $(NODE_MODULES) binaries ## ToolHive v0.44 side by side: manifests and scale on KWOK, the proxy, the real node (builds ToolHive when missing; about 30 min)
	BENCH_WORKLOADS=manifests,scale BENCH_COUNTS=100,1000 BENCH_COMPILED=1 $(NODE) bench/toolhive.ts
	$(NODE) bench/toolhive-proxy.ts
	BENCH_REPEATS=3 $(NODE) bench/toolhive-node.ts

.PHONY: bench
bench: $(NODE_MODULES) binaries ## Benchmarks under bench/ (they print their figures)
	@shopt -s nullglob; scripts=(bench/*.ts); \
	if [[ $${#scripts[@]} -eq 0 ]]; then echo "No benchmarks yet"; fi; \
	for s in "$${scripts[@]}"; do echo "== $$s"; $(NODE) "$$s"; done

##@ Build

.PHONY: manifests
manifests: $(NODE_MODULES) ## Generate the CRD and types from schemas/, and manifests/install/ from the Helm chart
	$(NODE) schemas/generate.ts
	@bash controlplane/build-binaries.sh helm
	$(NODE) manifests/generate.ts

.PHONY: redis
redis: ## Debian's redis-server for the proxy's shared state and its tests (only when missing)
	@bash controlplane/build-binaries.sh redis

.PHONY: binaries
binaries: ## Build the control plane's and the real node's binaries from the Go module proxy, and its Debian packages (only those missing)
	@bash controlplane/build-binaries.sh

$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

.PHONY: clean
clean: dev-down-quiet ## Remove node_modules and local clusters (keeps the Go-built binaries)
	rm -rf node_modules dist .cache/clusters

.PHONY: clean-all
clean-all: clean ## Also remove the Go-built binaries cache
	rm -rf .cache

.PHONY: dev-down-quiet
dev-down-quiet:
	@if [[ -x $(NODE) ]]; then $(NODE) cli/main.ts dev down --all >/dev/null || true; fi
