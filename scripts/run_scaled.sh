#!/usr/bin/env bash
# make run-scaled: Redis, RASA_REPLICAS Rasa servers (2), ACTION_REPLICAS action
# servers (2) and nginx in front on port 5005, plus the staff console; the same
# URLs as make run. Ctrl-C stops all of it (devtools/scaled.py).
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
"$VENV/bin/python" -m staff_console prepare || exit 1
exec "$VENV/bin/python" -m devtools.scaled --port "$PORT"
