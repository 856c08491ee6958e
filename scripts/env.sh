# The settings every way of starting the assistant shares (sourced by
# scripts/run.sh and scripts/run_scaled.sh). The secrets made here reach the
# servers through the environment only (devtools/supervise.py).
VENV=${VENV:-.venv}
PORT=${PORT:-5005}
export STAFF_CONSOLE_PORT=${STAFF_CONSOLE_PORT:-5002}
# The live answers: the work tree of the content repository that the staff
# console publishes to (made from answer_store/ on the first start).
export CONTENT_REPO=${CONTENT_REPO:-var/content}
export TF_CPP_MIN_LOG_LEVEL=${TF_CPP_MIN_LOG_LEVEL:-2}
# the token the Rasa server shows the action server (endpoints.yml): new for
# every start unless one is given
export ACTION_SERVER_TOKEN=${ACTION_SERVER_TOKEN:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
# the token the action servers show the staff console when they pass it a
# question a person agreed to share (policy_assistant/shared_questions.py): new
# for every start unless one is given
export INTERNAL_TOKEN=${INTERNAL_TOKEN:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
# SMS and WhatsApp (rasa_server/phone_channel.py): on only with Twilio credentials
if [ -n "${TWILIO_ACCOUNT_SID:-}" ] && [ -n "${TWILIO_AUTH_TOKEN:-}" ] && [ -n "${TWILIO_NUMBER:-}" ]; then
  # the key that turns phone numbers into conversation ids (the same for every
  # Rasa server): new for every start unless given
  export TWILIO_SENDER_SECRET=${TWILIO_SENDER_SECRET:-$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')}
fi
