# One entry point for people and CI. `make help` lists the targets.
SHELL := /bin/bash
MVN   ?= mvn -B -q
export STATE_DIR ?= $(CURDIR)/state

.PHONY: help build train evaluate bench-model start-project stop-project status logs test test-unit test-e2e

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## Build both WAR variants (ml-api-war/target/ml-api-v1.war, ml-api-v2.war)
	$(MVN) install -DskipTests
	$(MVN) -pl ml-api-war -Pv2 package -DskipTests

train: ## Retrain the model (DATASET=file.csv, default ../shared/data/emotion/train.csv); writes model + card
	$(MVN) -pl emotion-model compile exec:java@train $(if $(DATASET),-Dtrain.args="--dataset $(abspath $(DATASET)) --out $(CURDIR)/ml-api-war/src/main/resources/model")

evaluate: ## Metrics of the committed model on DATASET=file.csv (label,text), as JSON
	@test -n "$(DATASET)" || { echo "usage: make evaluate DATASET=file.csv" >&2; exit 2; }
	@# sed: Maven writes a colour-reset code before the JSON even in batch mode; keep stdout pure JSON.
	@set -o pipefail; $(MVN) -pl emotion-model compile exec:java@evaluate -Devaluate.dataset="$(abspath $(DATASET))" \
		| sed 's/\x1b\[[0-9;]*m//g'

bench-model: ## JMH: single-sentence inference in-process, one thread
	$(MVN) -pl emotion-model test-compile exec:exec@bench

start-project: ## Start the native stack (Liberty x4, Nginx, Prometheus, exporter); idempotent
	@scripts/stack.sh start

stop-project: ## Stop everything start-project started
	@scripts/stack.sh stop

status: ## Show what runs
	@scripts/stack.sh status

logs: ## Tail the stack's logs
	@scripts/stack.sh logs

test: ## Unit, integration and end-to-end tests; starts and stops the stack itself
	@scripts/test.sh

.PHONY: bench
bench: ## Benchmark the running stack: nginx ceiling, gateway, one server, in-process model (wrk + JMH)
	@scripts/bench.sh

.PHONY: rollout
rollout: ## Replace the v1 servers' WAR one at a time, no request lost (WAR=file.war; default ml-api-v1.war, rebuilt if stale)
	@scripts/rollout.sh
