# One entry point for people and CI. `make help` lists the targets.
SHELL := /bin/bash
MVN   ?= mvn -B -q
export STATE_DIR ?= $(CURDIR)/state

.PHONY: help build images train tune evaluate bench-model start-project stop-project status logs check test dev ab-report candidate traffic candidate-stop delivery-status

help: ## List the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

build: ## Build both WAR variants (ml-api-war/target/ml-api-v1.war, ml-api-v2.war)
	$(MVN) package -DskipTests
	$(MVN) -pl ml-api-war -am -Pv2 package -DskipTests

images: ## Build every container image (docker/, kubernetes/gateway/) as make start-project RUNTIME=docker does; installs Docker when missing
	@scripts/compose.sh images

dev: ## One API server in Liberty dev mode on http://localhost:9080, hot reload (VARIANT=v2 for v2)
	mvn -pl ml-api-war -am generate-test-sources liberty:dev $(if $(filter v2,$(VARIANT)),-Pv2)

train: ## Retrain the model (DATASET=file.csv, default ../shared/data/emotion/train.csv); writes emotion-model/src/main/resources/model/
	$(MVN) -pl emotion-model compile exec:java@train $(if $(DATASET),-Demotion.dataset="$(abspath $(DATASET))")

tune: ## Select the model by 5-fold cross-validation on the training rows (emotion-model/tune/candidates.txt); writes emotion-model/tune/cv-table.json, which make train copies into the model card. Long: about 3 minutes a candidate here
	nice -n 19 $(MVN) -pl emotion-model compile exec:java@tune $(if $(DATASET),-Demotion.dataset="$(abspath $(DATASET))")

evaluate: ## Metrics of the committed model on DATASET=file.csv (label,text), as JSON
	@test -n "$(DATASET)" || { echo "usage: make evaluate DATASET=file.csv" >&2; exit 2; }
	@# sed: Maven writes a colour-reset code before the JSON even in batch mode; keep stdout pure JSON.
	@set -o pipefail; $(MVN) -pl emotion-model compile exec:java@evaluate -Devaluate.dataset="$(abspath $(DATASET))" \
		| sed 's/\x1b\[[0-9;]*m//g'

bench-model: ## JMH: single-sentence inference in-process, one thread
	$(MVN) -pl emotion-model test-compile exec:exec@bench

start-project: ## Start the native stack under its own supervisord (Liberty x4, Nginx, Prometheus, exporter); idempotent. RUNTIME=docker: the same as containers (Compose)
	@scripts/stack.sh start

stop-project: ## Stop every program, then the stack's supervisord; nothing listens afterwards. RUNTIME=docker: remove the containers and networks
	@scripts/stack.sh stop

status: ## Each program's supervisor state (RUNNING, FATAL...), pid, ports and readiness. RUNTIME=docker: each container's health
	@scripts/stack.sh status

logs: ## Follow the logs: all programs, or one (NAME=api-v1-2, nginx, prometheus...; RUNTIME=docker: NAME=api-v1, nginx...)
	@scripts/stack.sh logs $(NAME)

.PHONY: ctl
ctl: ## supervisorctl on the stack's own supervisord (ARGS="status", ARGS="restart api-v1-2", ARGS="pid nginx")
	@scripts/stack.sh ctl $(ARGS)

check: ## The inner loop, minutes: shellcheck and shfmt on every shell script, unit tests, Arquillian integration tests on a managed Liberty (9080, 9445), static checks of every deployment file
	@scripts/lint-shell.sh
	@$${ARQUILLIAN_LOCK:+flock "$$ARQUILLIAN_LOCK"} mvn -B -ntp verify

test: ## Everything: make check, then the native stack and the containers end to end; starts and stops both itself
	@scripts/test.sh

.PHONY: bench bench-warmup bench-shadow bench-wars
bench: ## Benchmark the running stack, every row in one run: nginx TLS ceiling, gateway (3 v1 and 1 v1), one server, the original design, JMH; a server's CPU per sentence (/predict, batches of 64, spans on and off); with ratios
	@scripts/bench.sh all

bench-warmup: ## Restart the stack, then print 10-s windows through the gateway from the moment make start-project returns
	@scripts/bench.sh warmup
bench-wars: ## Gateway throughput with each WAR rolled in by make rollout, in turn (WARS="a.war b.war"; BENCH_WAR_ROUNDS rounds); ratios to the first
	@scripts/bench.sh wars
bench-shadow: ## Client latency through the gateway with shadow traffic at 0 %, 100 %, 0 %... (BENCH_SHADOW_ROUNDS) to a candidate (the champion's WAR); p99 against without
	@scripts/bench.sh shadow

.PHONY: rollout
rollout: ## Replace the v1 servers' WAR one at a time, no request lost (WAR=file.war; default ml-api-v1.war, rebuilt if stale)
	@scripts/rollout.sh

candidate: ## Start a candidate model's server beside the v1 servers, without traffic yet (WAR=file.war; default ml-api-v1.war)
	@scripts/delivery.sh candidate-start "$${WAR:-ml-api-war/target/ml-api-v1.war}"

traffic: ## Shares of v1 traffic for the candidate: mirrored (SHADOW=0-100) and answered, sticky per client (CANARY=0-100); an nginx reload
	@scripts/delivery.sh traffic "$${SHADOW:-0}" "$${CANARY:-0}"

candidate-stop: ## Traffic shares back to 0, out of Prometheus' targets, then stop the candidate
	@scripts/delivery.sh candidate-stop

delivery-status: ## The candidate, its model and its traffic shares
	@scripts/delivery.sh status

.PHONY: canary canary-status
canary: ## Shadow, then canary steps, then promotion of a candidate WAR, each gated by Prometheus; any failed gate rolls back (WAR=file.war; default ml-api-v1.war, as after make train)
	@scripts/canary.sh run

canary-status: ## Where the last make canary run stands: phase, weight, last decision and its gate
	@scripts/canary.sh status

ab-report: ## Agreement, label confusion and latency of two models from their prediction logs, joined by request id (ARGS="CHAMPION_DIR... -- CANDIDATE_DIR...")
	@scripts/ab-report.sh $(ARGS)

# ---- Kubernetes (kubernetes/; docs/kubernetes.md) ------------------------------------------------
# The Kustomize folders need inputs that are generated and never committed (.gitignore): the
# gateway's Secrets, the PrometheusRules made from prometheus/rules and the Argo Rollouts objects
# made from the delivery analysis (CANARY_ANALYSIS, delivery/canary.yaml). All are written into
# K8S_DIR, so the offline tests can run them on a copy of the folder.
K8S_DIR         ?= kubernetes
K8S_RULES       ?= prometheus/rules
K8S_OVERLAY     ?= production
K8S_HOST        ?= localhost
CANARY_ANALYSIS ?= delivery/canary.yaml

.PHONY: k8s-secrets k8s-rules k8s-analysis k8s-render
k8s-secrets: ## Gateway TLS key + certificate (self-signed for K8S_HOST) and htpasswd for kubernetes/; production's certificate from K8S_TLS_CERT/K8S_TLS_KEY (or K8S_SELF_SIGNED=true); keeps existing files
	@K8S_DIR="$(K8S_DIR)" K8S_HOST="$(K8S_HOST)" K8S_TLS_CERT="$(K8S_TLS_CERT)" K8S_TLS_KEY="$(K8S_TLS_KEY)" \
		K8S_SELF_SIGNED="$(K8S_SELF_SIGNED)" scripts/k8s-inputs.sh secrets

k8s-rules: ## PrometheusRules for kubernetes/: each prometheus/rules/*.yml, unchanged, as one rule's spec
	@K8S_DIR="$(K8S_DIR)" K8S_RULES="$(K8S_RULES)" scripts/k8s-inputs.sh rules

k8s-analysis: ## Argo Rollouts objects for kubernetes/ from CANARY_ANALYSIS: the Rollout's canary steps, AnalysisTemplates, the shadow mirror and AnalysisRun
	@K8S_DIR="$(K8S_DIR)" CANARY_ANALYSIS="$(CANARY_ANALYSIS)" scripts/k8s-inputs.sh analysis

k8s-render: k8s-secrets k8s-rules k8s-analysis ## Print an overlay (K8S_OVERLAY=production, production-deployment, production-shadow or dev) as `kubectl apply -k` would send it
	@kubectl kustomize "$(K8S_DIR)/overlays/$(K8S_OVERLAY)"
# ---- end of Kubernetes ----------------------------------------------------------------------------
