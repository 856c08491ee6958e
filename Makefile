# The two commands a new user needs:  make run   and   make test
# `make test` runs its stages cheapest first; each is a target of its own and
# fails the build on its own: lint, types, unit, validate, train, e2e (the
# model and its conversation tests, the servers and the browser, in one pytest
# run). `make stories` runs the conversation tests alone.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
# a recipe that fails leaves no target behind that a later make takes as built
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help

VENV      ?= .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
UV        := $(VENV)/bin/uv
# the lock make install installs: the developer's, which holds every service's requirements
LOCK      := requirements/dev.txt
INSTALLED := $(VENV)/.installed-$(shell cat $(LOCK) requirements/installer.txt pyproject.toml | sha1sum | cut -c1-12)
SPACY     := build/spacy_pipeline/meta.json
MODEL     := models/.trained
NLU_DATA  := $(shell find data -name '*.yml')
# examples staff accepted, which training reads from $ANSWER_STORE or the
# project's own answer store (nlu_pipeline/accepted_examples.py)
ACCEPTED  := $(shell find $(or $(ANSWER_STORE),answer_store)/training -name '*.yml' 2>/dev/null)
BROWSER   := build/.browser-deps
STAGE     := scripts/stage.sh
PYTEST    := $(PY) -m pytest
export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONDONTWRITEBYTECODE = 1
export SQLALCHEMY_SILENCE_UBER_WARNING = 1
# Rasa reports usage and errors to Rasa's servers unless told not to (its
# first run turns that on for the machine); the assistant's servers, its
# training and its tests never do. The Rasa image sets the same (the action server has no Rasa).
export RASA_TELEMETRY_ENABLED = false
# Rasa's training cache, outside the clone: a fresh clone whose data, config
# and pipeline did not change restores every trained component instead of
# training it again (a component's fingerprint covers its config and inputs;
# spaCy's and the ensemble's also their built pipeline and their own code)
export RASA_CACHE_DIRECTORY ?= $(HOME)/.cache/lmpd-ice-assistant/rasa
# mypy's incremental cache, outside the clone too: a fresh clone checks again
# only the modules whose contents changed (mypy compares their hashes)
export MYPY_CACHE_DIR ?= $(HOME)/.cache/lmpd-ice-assistant/mypy
# Rasa drops the least recently used entries beyond this many MB (its default
# is 1000): the model's trained ensemble alone is about 810 MB, and the
# retraining test (tests/test_e2e_retrain.py) adds small models beside it
export RASA_MAX_CACHE_SIZE ?= 3000

.PHONY: help run run-scaled test test-scaled bench-scaled scaled-deps deploy-lint staff-user install spacy lint types unit validate train stories e2e browser-test bench fuzz profile nlu-bench retrain nlu-dev conversation-bench conversation-dev lock clean

help:
	@echo "make run    set up everything, train if needed, start the assistant (Ctrl-C stops it)"
	@echo "make run-scaled  the same behind nginx: Redis, RASA_REPLICAS (2) Rasa servers, ACTION_REPLICAS (2) action servers"
	@echo "make test   set up everything and run every test, cheapest stage first:"
	@echo "            lint, types, unit, validate, train, e2e (model, stories, servers and browser in one pytest run; each also a target)"
	@echo "make test-scaled  the scaled tests: Redis, nginx, replicas, faults under load (.ci/run runs it after make test)"
	@echo "make deploy-lint  check deploy/ offline: Dockerfiles, Kubernetes manifests, Compose file, nginx, against the code"
	@echo "make bench-scaled  print throughput and latency through nginx with 1, 2 and 3 Rasa servers, and the ratios"
	@echo "make bench  print start-up time, memory, response times under load and faults beside rasa init's starter bot"
	@echo "make fuzz   send 10,000 hostile requests to the real servers; print 5xx and markers found in the logs"
	@echo "make profile  print where a turn's time goes, stage by stage"
	@echo "make nlu-bench  print NLU accuracy per language and category on the held-out benchmarks"
	@echo "make nlu-dev    the same on the development set, with each failing question"
	@echo "make retrain    train with the examples staff accepted; the new model serves only if it passes the benchmark gate"
	@echo "make conversation-bench  print, on the held-out conversations, how many turns of each kind and whole conversations are right"
	@echo "make conversation-dev    the same on the development conversations, with each failing turn"
	@echo "make staff-user STAFF_USER=name STAFF_ROLE=editor|publisher  create or update a staff console account (asks for the password)"

run: $(MODEL)
	@scripts/run.sh

# Redis and nginx from Debian's packages, installed by the project's script when missing
scaled-deps:
	@scripts/install_scaled_deps.sh

run-scaled: $(MODEL) scaled-deps
	@scripts/run_scaled.sh

# Creates or updates a staff console account; asks for the password when
# STAFF_PASSWORD is not set (staff_console/accounts.py).
staff-user: $(INSTALLED)
	@$(PY) -m staff_console.accounts

# Sequential on purpose: a cheap stage that fails stops the build before the
# expensive ones start (and before a browser is installed). The train stage
# skips Rasa's own data check: the validate stage before it ran the same one
# (rasa.cli.utils.validate_files) with --fail-on-warnings, on the same files.
test:
	@scripts/stage.sh --reset
	@$(MAKE) --no-print-directory lint types unit validate train e2e TRAIN_FLAGS="$(TRAIN_FLAGS) --skip-validation"
	@scripts/stage.sh --summary

install: $(INSTALLED)
# The installer (uv, from its own hashed lock, by pip), then the lock with
# --require-hashes (every file checked against its hash, bytecode compiled as
# pip would); then the project itself, editable, in a second run: an editable
# install has no hash, and --require-hashes would refuse it in the first.
$(INSTALLED): $(LOCK) requirements/installer.txt pyproject.toml
	@py=$$(scripts/find_python310.sh) || exit 1; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	    rm -rf $(VENV) && echo "Creating $(VENV) with $$py" && $$py -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements/installer.txt
	$(UV) pip install --quiet --python $(PY) --require-hashes --compile-bytecode -r $(LOCK)
	$(UV) pip install --quiet --python $(PY) --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-* && touch $@

# The build is kept outside the clone too (scripts/kept.sh): a fresh clone of
# the same sources copies it instead of building it again (10 s). Rasa
# fingerprints the pipeline by its files' contents (nlu_pipeline/build_spacy.py),
# which a copy keeps.
spacy: $(SPACY)
SPACY_SOURCES := nlu_pipeline/config.cfg nlu_pipeline/entity_patterns.yml nlu_pipeline/build_spacy.py nlu_pipeline/spacy_components.py policy_assistant/text.py
# what a build of the pipeline reads: its sources and the installed packages' versions
SPACY_INPUTS := $(SPACY_SOURCES) $(LOCK)
$(SPACY): $(INSTALLED) $(SPACY_SOURCES)
	@KEPT_INPUTS="$(SPACY_INPUTS)" \
	  scripts/kept.sh spacy build/spacy_pipeline 5 $(PY) -m nlu_pipeline.build_spacy build/spacy_pipeline
	@touch $@

lint: $(INSTALLED)
	@$(STAGE) lint $(VENV)/bin/ruff check . -- $(VENV)/bin/ruff format --check .

types: $(INSTALLED)
	@$(STAGE) types $(VENV)/bin/mypy

# on every core (pytest-xdist): the unit tests share no server, port or file
unit: $(SPACY)
	@$(STAGE) unit $(PYTEST) -n auto -m "not model and not e2e and not browser and not scaled"

validate: $(INSTALLED)
	@$(STAGE) validate scripts/validate.sh .

# Trains only when the data, the config, the domain, the examples staff
# accepted or the spaCy pipeline changed (and Rasa's own cache skips the parts
# that did not). The model is kept outside the clone too (scripts/kept.sh,
# the newest two): a fresh clone of the same sources copies it instead of
# running `rasa train` to restore every part from Rasa's cache (22 s).
train: $(MODEL)
$(MODEL): $(SPACY) config.yml domain.yml $(NLU_DATA) $(ACCEPTED) nlu_pipeline/*.py
	@KEPT_INPUTS="$(filter-out $(SPACY),$^) $(SPACY_INPUTS)" \
	  $(STAGE) train scripts/kept.sh model models/policy-assistant.tar.gz 2 \
	  $(RASA) train $(TRAIN_FLAGS) --fixed-model-name policy-assistant --out models
	touch $@

stories: $(MODEL)
	@$(STAGE) stories $(PYTEST) tests/test_stories_model.py

# one pytest run on two workers: the retraining test, then the tests that load
# the model themselves, on one; on the other every test of the servers, started
# once for all of them (tests/conftest.py)
e2e: $(MODEL) $(BROWSER)
	@$(STAGE) e2e $(PYTEST) -n 2 --dist loadgroup -m "model or e2e or browser"

browser-test: $(MODEL) $(BROWSER)
	@$(STAGE) browser-test $(PYTEST) -m browser

$(BROWSER): scripts/install_browser.sh
	scripts/install_browser.sh
	@mkdir -p build && touch $@

# Separate from `make test` (which needs no Redis or nginx); .ci/run runs both.
# The offline checks of deploy/ first (cheap), then the servers.
test-scaled: deploy-lint $(MODEL) scaled-deps
	@$(STAGE) scaled $(PYTEST) -m scaled

# hadolint, kubernetes-validate, the Compose schema, nginx -t, and deploy/ against the code
deploy-lint: $(INSTALLED) scaled-deps
	@$(STAGE) deploy-lint scripts/deploy_lint.sh

bench-scaled: $(MODEL) scaled-deps
	$(PY) -m devtools.bench_scaled --starter

bench: $(MODEL)
	$(PY) -m devtools.benchmark --starter

fuzz: $(MODEL)
	$(PY) -m devtools.hostile --requests 10000

profile: $(MODEL)
	$(PY) -m devtools.profile_message

# accuracy per language and category on the held-out benchmarks (issue 7)
nlu-bench: $(MODEL)
	$(PY) -m devtools.nlu_bench

# a new model with the examples staff accepted (var/content/training/), serving
# only if it passes the benchmark gate (devtools/retrain.py); the console's
# Retraining page runs the same and also loads it on the running servers
retrain: $(MODEL)
	$(PY) -m devtools.retrain

# the held-out multi-turn conversations, through the real servers: per turn kind and whole conversations
conversation-bench: $(MODEL)
	$(PY) -m devtools.conversation_bench

# the development conversations, with each failing turn (the held-out ones stay unread)
conversation-dev: $(MODEL)
	$(PY) -m devtools.conversation_bench --set dev --errors
	$(PY) -m devtools.conversation_bench --set dev2 --errors

# the development set, with each failing question (the benchmarks' stay unread)
nlu-dev: $(MODEL)
	$(PY) -m devtools.nlu_bench --set dev --errors

# Every lock from its requirements/*.in, with the hash of every file of each
# pinned release (pip-tools' pip-compile, for Python 3.10 on the machine that
# runs it). First the installer's (uv), then the developer's, dev.txt
# (everything); then each service's, held to dev.txt's versions so that all
# locks agree. pip-compile keeps the
# versions a lock already has unless its .in file asks for others.
# --allow-unsafe pins setuptools and wheel too (Rasa needs setuptools 70.3, and
# with --require-hashes pip installs nothing the lock does not hash); the locks
# name no index or find-links of the machine they were made on.
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" build/lock-venv/bin/pip-compile --quiet --generate-hashes \
  --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host
lock:
	rm -rf build/lock-venv && $$(scripts/find_python310.sh) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet "pip==24.0" && build/lock-venv/bin/pip install --quiet "pip-tools==7.4.1"
	$(PIP_COMPILE) requirements/installer.in -o requirements/installer.txt
	$(PIP_COMPILE) requirements/dev.in -o requirements/dev.txt
	for service in rasa actions console; do \
	  $(PIP_COMPILE) -c requirements/dev.txt requirements/$$service.in -o requirements/$$service.txt; done

clean:
	rm -rf build models results .rasa tests/artifacts
