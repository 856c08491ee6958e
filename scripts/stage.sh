#!/usr/bin/env bash
# Run one stage of `make test`: one or more commands separated by "--", each
# of which must succeed. Prints the stage's name and wall time, and records it
# in results/stages.tsv; `stage.sh --summary` prints that table.
#   scripts/stage.sh lint ruff check . -- ruff format --check .
set -euo pipefail
cd "$(dirname "$0")/.."
TIMES=results/stages.tsv
mkdir -p results
if [ "${1:-}" = "--summary" ]; then
  echo "== stage timings (wall seconds)"
  [ -f "$TIMES" ] && awk -F'\t' '{ printf "%-14s %6s s  %s\n", $1, $2, $3 }' "$TIMES"
  exit 0
fi
if [ "${1:-}" = "--reset" ]; then rm -f "$TIMES"; exit 0; fi
name=$1; shift
echo "== stage: $name"
start=$(date +%s)
status=0
cmd=()
run() {
  [ ${#cmd[@]} -eq 0 ] && return 0
  echo "   \$ ${cmd[*]}"
  "${cmd[@]}" || status=$?
  cmd=()
  return 0
}
for arg in "$@"; do
  if [ "$arg" = "--" ]; then run; [ "$status" = 0 ] || break; else cmd+=("$arg"); fi
done
[ "$status" = 0 ] && run
seconds=$(( $(date +%s) - start ))
if [ "$status" != 0 ]; then
  printf '%s\t%s\tFAILED (exit %s)\n' "$name" "$seconds" "$status" >> "$TIMES"
  echo "== stage $name FAILED (exit $status) after ${seconds}s" >&2
  exit "$status"
fi
printf '%s\t%s\tok\n' "$name" "$seconds" >> "$TIMES"
echo "== stage $name passed in ${seconds}s"
