#!/usr/bin/env bash
# Start the action server and the Rasa server, print where to talk to the
# assistant, and stop both cleanly on Ctrl-C. Called by `make run` after set-up.
set -uo pipefail
cd "$(dirname "$0")/.."
ACTIONS_PORT=5055   # the action_endpoint in endpoints.yml
. scripts/env.sh

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping the assistant..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  wait 2>/dev/null
  echo "Stopped."
}
trap stop INT TERM EXIT

for port in "$PORT" "$ACTIONS_PORT" "$STAFF_CONSOLE_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port is already in use: is the assistant already running? Stop it first." >&2
    exit 1
  fi
done

"$VENV/bin/python" -m staff_console prepare || exit 1

# Every server listens on this machine only (127.0.0.1).
ANSWER_STORE="$CONTENT_REPO" SANIC_HOST=127.0.0.1 "$VENV/bin/rasa" run actions --actions actions --port "$ACTIONS_PORT" &
pids+=($!)
STAFF_CONSOLE_HOST=127.0.0.1 "$VENV/bin/python" -m staff_console serve &
pids+=($!)
# the Rasa server reads its own replies (fallback, phone texts) from the live answers too
ANSWER_STORE="$CONTENT_REPO" "$VENV/bin/rasa" run --model models/policy-assistant.tar.gz --interface 127.0.0.1 --port "$PORT" \
  --credentials credentials.yml --endpoints endpoints.yml &
pids+=($!)

echo "Starting (loading the model takes about half a minute)..."
for _ in $(seq 1 300); do
  if curl -fsS "http://localhost:$PORT/webhooks/rest/" >/dev/null 2>&1 &&
     curl -fsS "http://localhost:$ACTIONS_PORT/health" >/dev/null 2>&1 &&
     curl -fsS "http://localhost:$STAFF_CONSOLE_PORT/staff/sign-in" >/dev/null 2>&1; then
    scripts/banner.sh "$PORT" "$ACTIONS_PORT" "$STAFF_CONSOLE_PORT"
    break
  fi
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "A server failed to start; see the messages above." >&2; exit 1; }
  done
  sleep 1
done
wait -n "${pids[@]}"
