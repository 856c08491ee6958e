#!/usr/bin/env bash
# make run-scaled: Redis, RASA_REPLICAS Rasa servers (2), ACTION_REPLICAS action
# servers (2) and nginx in front on port 5005, plus the staff console; the same
# URLs as make run. Under supervisord, like make run (devtools/scaled.py lists
# the processes): a process that stops is started again; Ctrl-C stops all.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
exec "$VENV/bin/python" -m devtools.scaled --port "$PORT"
