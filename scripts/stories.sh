#!/usr/bin/env bash
# The conversation tests: every story in tests/test_stories.yml must be
# predicted exactly by the trained model (rasa test core --fail-on-prediction-errors).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
mkdir -p results
# the reply words the NLU reads (nlu_pipeline/reply_words.py), from the project's answer store
export SERVER_TEXTS=results/server_texts.json
"$VENV/bin/python" -m policy_assistant.write_server_texts answer_store --to "$SERVER_TEXTS" > /dev/null
status=0
"$VENV/bin/rasa" test core --model models/policy-assistant.tar.gz --stories tests/test_stories.yml \
  --fail-on-prediction-errors --out results/stories --no-plot > results/stories.log 2>&1 || status=$?
if [ "$status" != 0 ]; then
  tail -60 results/stories.log
  echo "conversation tests failed (exit $status; full log: results/stories.log)" >&2
  exit "$status"
fi
grep -E "Correct:|Accuracy:" results/stories.log | sed 's/^.*rasa.core.test  - //' | head -4 || true
