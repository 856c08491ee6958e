#!/usr/bin/env bash
# The conversation tests: every story in tests/test_stories.yml must be
# predicted exactly by the trained model (rasa test core --fail-on-prediction-errors).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
mkdir -p results
status=0
"$VENV/bin/rasa" test core --model models/policy-assistant.tar.gz --stories tests/test_stories.yml \
  --fail-on-prediction-errors --out results/stories --no-plot > results/stories.log 2>&1 || status=$?
if [ "$status" != 0 ]; then
  tail -60 results/stories.log
  echo "conversation tests failed (exit $status; full log: results/stories.log)" >&2
  exit "$status"
fi
grep -E "Correct:|Accuracy:" results/stories.log | sed 's/^.*rasa.core.test  - //' | head -4 || true
