#!/usr/bin/env bash
# Offline checks of deploy/ (nothing is built, pulled, started or sent anywhere):
#
#   1. hadolint on deploy/Dockerfile.rasa and deploy/Dockerfile.actions
#   2. kubernetes-validate --strict on every manifest in deploy/k8s/ and
#      deploy/ingress-nginx/ (the controller's settings), for the oldest and
#      the newest Kubernetes version we claim (and, when kubectl is on the
#      PATH, on what `kubectl kustomize deploy/` renders)
#   3. deploy/compose.yaml against the Compose specification's JSON schema
#      (the copy check-jsonschema ships: --builtin-schema vendor.compose-spec)
#   4. nginx -t on deploy/nginx/assistant.conf.template filled in by envsubst
#      as the nginx image does, with compose.yaml's values, inside an http block
#      like the image's nginx.conf (nginx is tested, never started)
#   5. deploy/check_consistency.py (with the project's .venv python): env var
#      names, ports, health paths, URLs, references, the content flow and the
#      balancing (no hashing on a conversation id) against the code; the
#      privacy settings of every front door, the console's own host and
#      network policy, TWILIO_WEBHOOK_URL, no secret on a command line, and
#      the Compose services' hardening; and what goes into each image, from
#      the locks the Dockerfiles copy (requirements/*.txt): each image its own
#      services' locks, installed with --require-hashes, every line hashed, in
#      the versions of requirements/dev.txt; no test or check tool in an image,
#      no Rasa or TensorFlow in the action server's; every command's program
#      in its image
#
#   scripts/deploy_lint.sh [DEPLOY_DIR [CONTEXT_DIR]]
#       DEPLOY_DIR   default deploy; another folder checks a copy, e.g. a broken one
#       CONTEXT_DIR  the build context whose requirements/ the Dockerfiles COPY
#                    (default: the repository root); a copy checks broken locks
#
# The tools live in their own virtual environment, build/deploy-lint-venv,
# pinned by deploy/requirements-lint.txt; the project's .venv is only read.
# Exit status: the number of failed checks (0: all passed).
set -uo pipefail
cd "$(dirname "$0")/.."
PROJECT=$PWD
DEPLOY=$(cd "${1:-deploy}" && pwd) || exit 2
CONTEXT=$(cd "${2:-.}" && pwd) || exit 2
VENV=$PROJECT/build/deploy-lint-venv
REQUIREMENTS=$PROJECT/deploy/requirements-lint.txt
K8S_VERSIONS=(1.30.0 1.37.0)
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
PROJECT_PY=$PROJECT/.venv/bin/python

# --- the tools -------------------------------------------------------------------------------------
stamp="$VENV/.installed-$(sha1sum "$REQUIREMENTS" | cut -c1-12)"
if [ ! -e "$stamp" ]; then
  py=$(scripts/find_python310.sh) || exit 2
  echo "Creating $VENV (pinned by deploy/requirements-lint.txt)..."
  rm -rf "$VENV" && "$py" -m venv "$VENV" || exit 2
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "pip==24.0" &&
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS" || exit 2
  touch "$stamp"
fi
if [ ! -x "$PROJECT_PY" ]; then
  echo "No $PROJECT_PY: run \`make install\` first (the consistency check reads the installed libraries)." >&2
  exit 2
fi

failed=0
step() { printf '\n== %s\n' "$1"; }
result() {  # result NAME STATUS
  if [ "$2" -eq 0 ]; then echo "-- PASS: $1"; else echo "-- FAIL: $1"; failed=$((failed + 1)); fi
}

# --- 1. Dockerfiles ------------------------------------------------------------------------------
step "hadolint $("$VENV/bin/hadolint" --version | awk '{print $NF}') (failure threshold: style)"
"$VENV/bin/hadolint" --no-color --failure-threshold style "$DEPLOY/Dockerfile.rasa" "$DEPLOY/Dockerfile.actions"
status=$?
[ $status -eq 0 ] && echo "no findings"
result "hadolint" $status

# --- 2. Kubernetes manifests -----------------------------------------------------------------------
manifests=("$DEPLOY"/k8s/*.yaml "$DEPLOY"/ingress-nginx/*.yaml)
for version in "${K8S_VERSIONS[@]}"; do
  step "kubernetes-validate $("$VENV/bin/kubernetes-validate" --version | awk '{print $NF}') --strict -k $version (${#manifests[@]} files)"
  "$VENV/bin/kubernetes-validate" --strict --quiet -k "$version" "${manifests[@]}"
  status=$?
  [ $status -eq 0 ] && echo "every resource passed"
  result "kubernetes-validate $version" $status
done
if command -v kubectl >/dev/null 2>&1; then
  step "kubectl kustomize (kustomize $(kubectl version --client 2>/dev/null | awk '/Kustomize/ {print $3}')), then kubernetes-validate --strict"
  rendered=$(mktemp --suffix=.yaml)
  if kubectl kustomize "$DEPLOY" >"$rendered"; then
    "$VENV/bin/kubernetes-validate" --strict --quiet -k "${K8S_VERSIONS[-1]}" "$rendered"
    status=$?
    [ $status -eq 0 ] && echo "$(grep -c '^kind:' "$rendered") rendered resources passed"
  else
    status=1
  fi
  rm -f "$rendered"
  result "kustomize build" $status
else
  step "kubectl kustomize: SKIPPED (no kubectl on the PATH)"
fi

# --- 3. compose.yaml -------------------------------------------------------------------------------
step "check-jsonschema $("$VENV/bin/check-jsonschema" --version | awk '{print $NF}') --builtin-schema vendor.compose-spec"
"$VENV/bin/check-jsonschema" --builtin-schema vendor.compose-spec "$DEPLOY/compose.yaml"
result "compose schema" $?

# --- 4. nginx ------------------------------------------------------------------------------------
step "nginx -t ($("$NGINX" -v 2>&1 | cut -d/ -f2)) on the template filled with compose.yaml's values"
if [ ! -x "$NGINX" ]; then
  echo "no nginx at $NGINX (scripts/install_scaled_deps.sh installs Debian's)"
  result "nginx -t" 1
else
  tmp=$(mktemp -d)
  # compose.yaml's nginx environment; the service names (rasa, actions) become
  # 127.0.0.1, since nginx -t resolves every upstream server name.
  "$VENV/bin/python" - "$DEPLOY/compose.yaml" >"$tmp/env" <<'PY'
import re, shlex, sys
import yaml
env = yaml.safe_load(open(sys.argv[1]))["services"]["nginx"]["environment"]
for name, value in env.items():
    print(f"export {name}={shlex.quote(re.sub(r'server (rasa|actions):', 'server 127.0.0.1:', str(value)))}")
PY
  mkdir -p "$tmp/conf.d"
  # as the image's 20-envsubst-on-templates.sh: only variables that are set
  # are replaced, so nginx's own $variables stay
  (set -a && . "$tmp/env" && envsubst "$(env | cut -d= -f1 | sed 's/.*/${&}/' | tr '\n' ' ')" \
    <"$DEPLOY/nginx/assistant.conf.template" >"$tmp/conf.d/assistant.conf")
  {
    echo "worker_processes 1;"
    echo "pid $tmp/nginx.pid;"
    echo "error_log stderr notice;"
    echo "events { worker_connections 1024; }"
    echo "http {"
    echo "  include /etc/nginx/mime.types;"
    echo "  default_type application/octet-stream;"
    echo "  log_format main '\$remote_addr - \$remote_user [\$time_local] \"\$request\" \$status';"
    echo "  access_log $tmp/access.log main;"
    echo "  sendfile on;"
    echo "  keepalive_timeout 65;"
    for kind in client_body proxy fastcgi uwsgi scgi; do echo "  ${kind}_temp_path $tmp/$kind;"; done
    echo "  include $tmp/conf.d/*.conf;"
    echo "}"
  } >"$tmp/nginx.conf"
  if grep -n '\${' "$tmp/conf.d/assistant.conf"; then
    echo "placeholders left unfilled (above)"
    status=1
  else
    "$NGINX" -t -e stderr -p "$tmp" -c "$tmp/nginx.conf"
    status=$?
  fi
  rm -rf "$tmp"
  result "nginx -t" $status
fi

# --- 5. consistency with the code ----------------------------------------------------------------
step "deploy/check_consistency.py (project .venv python)"
"$PROJECT_PY" "$PROJECT/deploy/check_consistency.py" --deploy "$DEPLOY" --project "$PROJECT" --context "$CONTEXT"
result "consistency" $?

echo
if [ $failed -eq 0 ]; then echo "deploy lint: all checks passed"; else echo "deploy lint: $failed check(s) failed"; fi
exit $failed
