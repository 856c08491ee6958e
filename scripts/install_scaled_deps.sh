#!/usr/bin/env bash
# What `make run-scaled` and `make test-scaled` need beyond Python: Debian's
# redis-server and nginx (nothing is downloaded from anywhere else). Installs
# them with apt-get when missing; their own services are not started (the
# project starts its own Redis and nginx on loopback, with its own settings).
set -euo pipefail
missing=()
command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing Debian's ${missing[*]}..."
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # policy-rc.d 101: do not start the packages' own services on install
  if [ ! -e /usr/sbin/policy-rc.d ] && [ "$(id -u)" = 0 ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && added_policy=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  if [ -n "${added_policy:-}" ]; then rm -f /usr/sbin/policy-rc.d; fi
fi
echo "$(/usr/bin/redis-server --version | cut -d' ' -f1-3); $(/usr/sbin/nginx -v 2>&1)"
