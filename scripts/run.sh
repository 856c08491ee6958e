#!/usr/bin/env bash
# Start the action server and the Rasa server, print where to talk to the
# assistant, and stop both cleanly on Ctrl-C. Called by `make run` after set-up.
set -uo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
PORT=${PORT:-5005}
ACTIONS_PORT=5055   # the action_endpoint in endpoints.yml
export STAFF_CONSOLE_PORT=${STAFF_CONSOLE_PORT:-5002}
# The live answers: the work tree of the content repository that the staff
# console publishes to (made from answer_store/ on the first start).
export CONTENT_REPO=${CONTENT_REPO:-var/content}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
# the token the Rasa server shows the action server (endpoints.yml): new for
# every start unless one is given
export ACTION_SERVER_TOKEN=${ACTION_SERVER_TOKEN:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}

# SMS and WhatsApp (rasa_server/phone_channel.py): on only with Twilio credentials
if [ -n "${TWILIO_ACCOUNT_SID:-}" ] && [ -n "${TWILIO_AUTH_TOKEN:-}" ] && [ -n "${TWILIO_NUMBER:-}" ]; then
  # the key that turns phone numbers into conversation ids: new for every start unless given
  export TWILIO_SENDER_SECRET=${TWILIO_SENDER_SECRET:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
  phone_line="Text messages: POST http://localhost:$PORT/webhooks/twilio/webhook (Twilio SMS and WhatsApp, signed requests only)"
else
  phone_line="Text messages (SMS, WhatsApp): off; set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_NUMBER to turn them on (README)"
fi

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
"$VENV/bin/rasa" run --model models/policy-assistant.tar.gz --interface 127.0.0.1 --port "$PORT" \
  --credentials credentials.yml --endpoints endpoints.yml &
pids+=($!)

echo "Starting (loading the model takes about half a minute)..."
for _ in $(seq 1 300); do
  if curl -fsS "http://localhost:$PORT/webhooks/rest/" >/dev/null 2>&1 &&
     curl -fsS "http://localhost:$ACTIONS_PORT/health" >/dev/null 2>&1 &&
     curl -fsS "http://localhost:$STAFF_CONSOLE_PORT/staff/sign-in" >/dev/null 2>&1; then
    accounts=$("$VENV/bin/python" -c 'from staff_console.accounts import Accounts; from staff_console.config import Config, connect; print(Accounts(connect(Config.from_env().database)).any_user())')
    cat <<MSG

  The assistant is running.
    Web chat:      http://localhost:$PORT/webhooks/webchat/
    REST channel:  POST http://localhost:$PORT/webhooks/rest/webhook
                   {"sender": "any-id", "message": "will the police ask about my immigration status?"}
    Action server: http://localhost:$ACTIONS_PORT
    Staff console: http://localhost:$STAFF_CONSOLE_PORT/staff/
    $phone_line
  Press Ctrl-C to stop.

MSG
    if [ "$accounts" != True ]; then
      echo "  No staff account yet. Create one (in another terminal) with:"
      echo "    make staff-user STAFF_USER=yourname STAFF_ROLE=publisher"
      echo
    fi
    break
  fi
  for pid in "${pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { echo "A server failed to start; see the messages above." >&2; exit 1; }
  done
  sleep 1
done
wait -n "${pids[@]}"
