# The two commands a new user needs:  make run   and   make test
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      ?= .venv
PY        := $(VENV)/bin/python
RASA      := $(VENV)/bin/rasa
INSTALLED := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
SPACY     := build/spacy_pipeline/meta.json
MODEL     := models/.trained
NLU_DATA  := $(shell find data -name '*.yml')
BROWSER   := build/.browser-deps
export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONDONTWRITEBYTECODE = 1
export SQLALCHEMY_SILENCE_UBER_WARNING = 1

.PHONY: help run test install spacy train validate unit stories nlu-eval e2e browser-test bench lock clean

help:
	@echo "make run    set up everything, train if needed, start the assistant (Ctrl-C stops it)"
	@echo "make test   set up everything and run every test"
	@echo "make bench  print training time, server memory and response times"

run: $(MODEL)
	@scripts/run.sh

test: $(MODEL) $(BROWSER)
	scripts/test.sh

install: $(INSTALLED)
$(INSTALLED): requirements.txt
	@py=$$(scripts/find_python310.sh) || exit 1; \
	  if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	    rm -rf $(VENV) && echo "Creating $(VENV) with $$py" && $$py -m venv $(VENV); fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==24.0"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

spacy: $(SPACY)
$(SPACY): $(INSTALLED) nlu_pipeline/config.cfg nlu_pipeline/entity_patterns.yml nlu_pipeline/*.py
	$(PY) -m nlu_pipeline.build_spacy build/spacy_pipeline

# Trains only when the data, the config, the domain or the spaCy pipeline changed
# (and Rasa's own cache skips the parts that did not).
train: $(MODEL)
$(MODEL): $(SPACY) config.yml domain.yml $(NLU_DATA)
	$(RASA) train --fixed-model-name policy-assistant --out models
	touch $@

$(BROWSER):
	scripts/install_browser.sh
	@mkdir -p build && touch $@

bench: $(MODEL)
	$(PY) scripts/benchmark.py

lock:
	rm -rf build/lock-venv && $$(scripts/find_python310.sh) -m venv build/lock-venv
	build/lock-venv/bin/pip install --quiet "pip==24.0" && build/lock-venv/bin/pip install --quiet -r requirements.in
	(echo "# Every dependency pinned (generated from requirements.in with: make lock)."; \
	  build/lock-venv/bin/pip freeze) > requirements.txt

clean:
	rm -rf build models results .rasa tests/artifacts
