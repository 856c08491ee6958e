#!/usr/bin/env bash
# make run, after set-up: the action server, the Rasa server and the staff
# console under supervisord (devtools/supervise.py, which lists them): a server
# that stops is started again while the others keep serving; Ctrl-C stops all.
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/env.sh
exec "$VENV/bin/python" -m devtools.supervise --port "$PORT"
