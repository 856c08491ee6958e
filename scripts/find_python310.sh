#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter (Rasa 3.6 does not install on
# 3.11 or later), or explain what to do and fail.
set -u
candidates=("${PYTHON310:-}" python3.10)
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  candidates+=("$root"/versions/3.10*/bin/python3.10)
fi
candidates+=("$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10 /opt/python3.10/bin/python3.10)
for c in "${candidates[@]}"; do
  [ -n "$c" ] || continue
  path=$(command -v "$c" 2>/dev/null) || continue
  if "$path" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then
    echo "$path"
    exit 0
  fi
done
cat >&2 <<'MSG'
No Python 3.10 interpreter found.
Rasa Open Source 3.6 needs Python 3.10 (it does not install on 3.11 or later).
Install one, for example `pyenv install 3.10` or your system's python3.10
package (with its venv module), or point PYTHON310 at it:
    PYTHON310=/path/to/python3.10 make run
MSG
exit 1
