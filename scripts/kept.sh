#!/usr/bin/env bash
# Build OUTPUT (a file or a folder) with COMMAND, or copy the build kept from
# an earlier run on the same inputs: a fresh clone of unchanged sources does
# not build again what another clone on this machine built.
#   KEPT_INPUTS="FILE..." scripts/kept.sh NAME OUTPUT KEEP COMMAND...
# Builds are kept in $KEPT_DIR/NAME/<key> (~/.cache/lmpd-ice-assistant by
# default), the key a hash of each input file's name and contents; the KEEP
# most recently built or used are kept. The inputs must be everything the
# build reads that can change: the Makefile passes a rule's own prerequisites
# and the lock (in the environment, so that the command line make shows stays
# short). A missing input is an error, not a key.
set -euo pipefail
name=$1 output=$2 keep=$3 inputs=${KEPT_INPUTS:?the files the build reads}
shift 3
store=${KEPT_DIR:-$HOME/.cache/lmpd-ice-assistant}/$name
mkdir -p "$store"
# (sorted bytewise: make lists a folder's files in the order the file system gives)
# shellcheck disable=SC2086 # the inputs are file names without spaces, in one argument
key=$(
  for file in $(printf '%s\n' $inputs | LC_ALL=C sort -u); do
    [ -f "$file" ] || { echo "kept.sh: no input $file" >&2; exit 1; }
    printf '%s\0' "$file"
    cat "$file"
  done | sha256sum | cut -c1-16
)
kept=$store/$key
# one make at a time reads, keeps or prunes this store
exec 9>"$store/.lock"
flock 9
if [ -e "$kept/.complete" ]; then
  echo "$name: copying the build of these sources kept in $kept"
  # written aside, then renamed: an interrupted copy leaves no half output
  rm -rf "$output.copying" && mkdir -p "$(dirname "$output")"
  cp -r "$kept/$(basename "$output")" "$output.copying"
  rm -rf "$output" && mv "$output.copying" "$output"
  touch "$kept"
  exit 0
fi
flock -u 9
echo "$name: none kept for these sources ($kept); building"
"$@"
# kept for the next clone, written aside, then renamed; a failed copy keeps nothing
flock 9
partial=$(mktemp -d "$store/.partial.XXXXXX")
if cp -r "$output" "$partial/" && touch "$partial/.complete"; then
  mv -T "$partial" "$kept" 2>/dev/null || rm -rf "$partial"
else
  rm -rf "$partial"
fi
# shellcheck disable=SC2012 # names are hex keys
ls -dt "$store"/*/ | tail -n +$((keep + 1)) | xargs -r rm -rf
find "$store" -maxdepth 1 -name '.partial.*' -mmin +1440 -exec rm -rf {} +  # a killed make's
