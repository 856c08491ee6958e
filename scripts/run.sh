#!/usr/bin/env bash
# Start the action server and the Rasa server, print where to talk to the
# assistant, and stop both cleanly on Ctrl-C. Called by `make run` after set-up.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PORT=${PORT:-5005}
ACTIONS_PORT=5055   # the action_endpoint in endpoints.yml
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
# the token the Rasa server shows the action server (endpoints.yml): new for
# every start unless one is given
export ACTION_SERVER_TOKEN=${ACTION_SERVER_TOKEN:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "Stopping the assistant..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  wait 2>/dev/null
  echo "Stopped."
}
trap stop INT TERM EXIT

for port in "$PORT" "$ACTIONS_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port is already in use: is the assistant already running? Stop it first." >&2
    exit 1
  fi
done

# Both servers listen on this machine only (127.0.0.1).
SANIC_HOST=127.0.0.1 "$VENV/bin/rasa" run actions --actions actions --port "$ACTIONS_PORT" &
pids+=($!)
"$VENV/bin/rasa" run --model models/policy-assistant.tar.gz --interface 127.0.0.1 --port "$PORT" \
  --credentials credentials.yml --endpoints endpoints.yml &
pids+=($!)

echo "Starting (loading the model takes about half a minute)..."
for _ in $(seq 1 300); do
  if curl -fsS "http://localhost:$PORT/webhooks/rest/" >/dev/null 2>&1 &&
     curl -fsS "http://localhost:$ACTIONS_PORT/health" >/dev/null 2>&1; then
    cat <<MSG

  The assistant is running.
    Web chat:      http://localhost:$PORT/webhooks/webchat/
    REST channel:  POST http://localhost:$PORT/webhooks/rest/webhook
                   {"sender": "any-id", "message": "will the police ask about my immigration status?"}
    Action server: http://localhost:$ACTIONS_PORT
  Press Ctrl-C to stop.

MSG
    break
  fi
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "A server failed to start; see the messages above." >&2; exit 1; }
  done
  sleep 1
done
wait -n "${pids[@]}"
