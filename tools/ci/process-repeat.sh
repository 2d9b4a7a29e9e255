#!/usr/bin/env bash
# `quill process` on three example documents (CDA, HL7 v2, plain text), RUNS times in a row, each run in a
# fresh state folder. Any exit other than 0 (a crash at exit shows as 134 = SIGABRT, 139 = SIGSEGV) stops
# the loop with the run's standard error kept. Usage: tools/ci/process-repeat.sh [RUNS] (QUILL=path/to/quill).
set -uo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-50}
QUILL=${QUILL:-.build/release/quill}
MODEL=${MODEL:-models/demo}
DOCS=(examples/discharge-note.cda.xml examples/discharge-note.hl7 examples/discharge-note.txt)
[ -x "$QUILL" ] || { echo "no $QUILL: build it first (swift build -c release --product quill)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
start=$SECONDS
for ((i = 1; i <= RUNS; i++)); do
  state="$work/state-$i"
  "$QUILL" process --state "$state" --model "$MODEL" "${DOCS[@]}" >"$work/out" 2>"$work/err"
  rc=$?
  written=$(grep -c '"state":"written"' "$work/out" || true)
  if [ "$rc" -ne 0 ] || [ "$written" -ne 3 ]; then
    echo "run $i of $RUNS: exit status $rc, $written of 3 documents written" >&2
    echo "--- stdout"; cat "$work/out"; echo "--- stderr (last 30 lines)"; tail -30 "$work/err"
    exit 1
  fi
  rm -rf "$state"
done
echo "$RUNS runs of quill process on 3 documents: all exited 0 with 3 of 3 written ($((SECONDS - start)) s)"
