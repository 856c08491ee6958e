#!/usr/bin/env bash
# `rasa data validate --fail-on-warnings` on a project folder (default: this
# one), then the answer store's render check (python -m
# policy_assistant.render_check: the store loads, and every topic renders in
# every language). Exits with rasa's own status, then the check's: a broken
# domain, story or NLU file, or a store edit that would break answers, fails
# the build. rasa's full output is kept in results/validate.log and shown when
# it fails; on success only rasa's validator lines and the check's one-line
# summary are shown. The store checked is the folder's answer_store/, or this
# project's when the folder has none.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
PROJECT=$(cd "${1:-$HERE}" && pwd)
RASA=${RASA:-$HERE/.venv/bin/rasa}
PYTHON=${PYTHON:-$HERE/.venv/bin/python}
LOG=${VALIDATE_LOG:-$HERE/results/validate.log}
STORE=$PROJECT/answer_store
[ -d "$STORE" ] || STORE=$HERE/answer_store
mkdir -p "$(dirname "$LOG")"
cd "$PROJECT"
status=0
"$RASA" data validate --fail-on-warnings --quiet --data data --domain domain.yml --config config.yml \
  > "$LOG" 2>&1 || status=$?
if [ "$status" != 0 ]; then
  cat "$LOG"
  echo "rasa data validate failed (exit $status) in $PROJECT" >&2
  exit "$status"
fi
grep -E "rasa.validator|UserWarning" "$LOG" || true
# (Rasa warns that answer_helped and answer_not_helped have no NLU examples
# and passes: they come from buttons only, domain.yml)
echo "rasa data validate: passed with --fail-on-warnings"
"$PYTHON" -m policy_assistant.render_check "$STORE" || status=$?
if [ "$status" != 0 ]; then
  echo "answer store render check failed (exit $status) in $STORE" >&2
  exit "$status"
fi
