#!/usr/bin/env bash
# Build OUTPUT (a file or a folder) with COMMAND, or copy the build kept from
# an earlier run on the same inputs: a fresh clone of unchanged sources does
# not build again what another clone on this machine built.
#   KEPT_INPUTS="FILE..." scripts/kept.sh NAME OUTPUT KEEP COMMAND...
# Builds are kept in $KEPT_DIR/NAME/<key> (~/.cache/lmpd-ice-assistant by
# default), the key a hash of each input file's name and contents; the KEEP
# newest are kept. The inputs must be everything the build reads that can
# change: the Makefile passes a rule's own prerequisites and the lock (in the
# environment, so that the command line make shows stays short).
set -euo pipefail
name=$1 output=$2 keep=$3 inputs=${KEPT_INPUTS:?the files the build reads}
shift 3
store=${KEPT_DIR:-$HOME/.cache/lmpd-ice-assistant}/$name
# (sorted: make lists a folder's files in the order the file system gives)
# shellcheck disable=SC2086 # the inputs are file names without spaces, in one argument
key=$(for file in $(printf '%s\n' $inputs | sort -u); do printf '%s\0' "$file"; cat "$file"; done | sha256sum | cut -c1-16)
kept=$store/$key
if [ -e "$kept/.complete" ]; then
  echo "$name: copying the build of these sources kept in $kept"
  rm -rf "$output" && mkdir -p "$(dirname "$output")"
  cp -r "$kept/$(basename "$output")" "$output"
  exit 0
fi
echo "   \$ $*"
"$@"
# kept for the next clone: written aside, then renamed (another make may be
# keeping the same build at the same time)
mkdir -p "$store"
partial=$(mktemp -d "$store/.partial.XXXXXX")
cp -r "$output" "$partial/" && touch "$partial/.complete"
mv -T "$partial" "$kept" 2>/dev/null || rm -rf "$partial"
# shellcheck disable=SC2012 # names are hex keys
ls -dt "$store"/*/ | tail -n +$((keep + 1)) | xargs -r rm -rf
