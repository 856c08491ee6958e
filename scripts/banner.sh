#!/usr/bin/env bash
# Print where to talk to the running assistant (make run, make run-scaled).
# Usage: scripts/banner.sh PORT ACTIONS_PORT STAFF_CONSOLE_PORT LOGS
set -uo pipefail
cd "$(dirname "$0")/.."
PORT=$1 ACTIONS_PORT=$2 STAFF_CONSOLE_PORT=$3 LOGS=$4
if [ -n "${TWILIO_ACCOUNT_SID:-}" ] && [ -n "${TWILIO_AUTH_TOKEN:-}" ] && [ -n "${TWILIO_NUMBER:-}" ]; then
  phone_line="Text messages: POST http://localhost:$PORT/webhooks/twilio/webhook (Twilio SMS and WhatsApp, signed requests only)"
else
  phone_line="Text messages (SMS, WhatsApp): off; set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_NUMBER to turn them on (README)"
fi
accounts=$("${VENV:-.venv}/bin/python" -c 'from staff_console.accounts import Accounts; from staff_console.config import Config, connect; print(Accounts(connect(Config.from_env().database)).any_user())')
cat <<MSG

  The assistant is running${SCALED:+: $SCALED}.
    Web chat:      http://localhost:$PORT/webhooks/webchat/
    REST channel:  POST http://localhost:$PORT/webhooks/rest/webhook
                   {"sender": "any-id", "message": "will the police ask about my immigration status?"}
    Action server: http://localhost:$ACTIONS_PORT
    Staff console: http://localhost:$STAFF_CONSOLE_PORT/staff/
    $phone_line
    Logs:          $LOGS (what each server prints; never what people write)
  A server that stops is started again (the lines above say which, and why).
  Press Ctrl-C to stop.

MSG
if [ "$accounts" != True ]; then
  echo "  No staff account yet. Create one (in another terminal) with:"
  echo "    make staff-user STAFF_USER=yourname STAFF_ROLE=publisher"
  echo
fi
