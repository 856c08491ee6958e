#!/usr/bin/env bash
# `rasa data validate --fail-on-warnings` on a project folder (default: this
# one). Exits with rasa's own status: a broken domain, story or NLU file fails
# the build. The full output is kept in results/validate.log and shown when it
# fails; on success only rasa's validator lines are shown.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
PROJECT=$(cd "${1:-$HERE}" && pwd)
RASA=${RASA:-$HERE/.venv/bin/rasa}
LOG=${VALIDATE_LOG:-$HERE/results/validate.log}
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
echo "rasa data validate: no errors, no warnings"
