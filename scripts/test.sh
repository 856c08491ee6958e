#!/usr/bin/env bash
# Every test, as `make test` runs it (after set-up and training):
# data validation, conversation tests, then pytest (store, actions, NLU
# accuracy on held-out questions, HTTP end to end, and the browser tests).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}

echo "== rasa data validate"
"$VENV/bin/rasa" data validate --fail-on-warnings --quiet 2>&1 | grep -E "rasa.validator|UserWarning|ERROR" || true
[ "${PIPESTATUS[0]}" = 0 ] || { echo "rasa data validate failed"; exit 1; }

mkdir -p results
echo "== conversation tests (rasa test core --fail-on-prediction-errors)"
"$VENV/bin/rasa" test core --model models/policy-assistant.tar.gz --stories tests/test_stories.yml \
  --fail-on-prediction-errors --out results/stories --no-plot > results/stories.log 2>&1 || {
    tail -40 results/stories.log; echo "conversation tests failed (full log: results/stories.log)"; exit 1; }
grep -E "Correct:|Accuracy:" results/stories.log | sed 's/^.*rasa.core.test  - //' | head -4 || true

echo "== pytest"
"$VENV/bin/python" -m pytest tests -p no:cacheprovider "$@"
