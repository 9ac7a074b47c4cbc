# One entry point for people and CI. `make help` lists the targets.
SHELL := /bin/bash
MVN   ?= mvn -B -q
DATASET ?= ../shared/data/emotion/train.csv
export STATE_DIR ?= $(CURDIR)/state

.PHONY: help build train evaluate bench-model start-project stop-project status logs test test-unit test-e2e

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## Build both WAR variants (ml-api-war/target/ml-api-v1.war, ml-api-v2.war)
	$(MVN) install -DskipTests
	$(MVN) -pl ml-api-war -Pv2 package -DskipTests

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
