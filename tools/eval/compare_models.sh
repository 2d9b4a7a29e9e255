#!/usr/bin/env bash
# The evaluation behind docs/PERFORMANCE.md's "Quality on public sets": the real models, with and without the
# default task adapter, on the first documents of the public validation and test sets (release build, 2 threads,
# greedy), one run at a time so that seconds per document are not shared. Writes eval/out/<config>.<set>.json
# (quill eval --json) and .outputs.jsonl; tools/eval/quality_table.py prints the table.
#
#   tools/eval/compare_models.sh [ACI_LIMIT] [MTS_LIMIT]
#
# A whole run of every set takes hours on two cores (`make eval` does that); the limits keep it under half an hour.
set -euo pipefail
cd "$(dirname "$0")/../.."
ACI=${1:-3} MTS=${2:-15}
Q=${QUILL_BIN:-.build/release/quill}
B=models/qwen2.5-coder-0.5b-instruct.gguf
A=models/adapters/qwen2.5-coder-0.5b-notes-v1
mkdir -p eval/out
run() {
    local name=$1 set=$2 limit=$3; shift 3
    echo "== $name $set (first $limit) $(date +%T)" >&2
    "$Q" eval --threads 2 --json --set "$set" --limit "$limit" --write-outputs "eval/out/$name.$set.outputs.jsonl" "$@" \
        > "eval/out/$name.$set.json"
}
run 0.5b-default mts-dialog-valid "$MTS" --model $B --adapter $A
run 0.5b-default aci-bench-valid "$ACI" --model $B --adapter $A
run 0.5b-base aci-bench-valid "$ACI" --model $B
run 0.5b-default c-cda 3 --model $B --adapter $A
run 0.5b-default hl7 3 --model $B --adapter $A
run 0.5b-default aci-bench-test1 1 --model $B --adapter $A
run 0.5b-default aci-bench-test2 1 --model $B --adapter $A
run 0.5b-default mts-dialog-test1 5 --model $B --adapter $A
run smollm2-base mts-dialog-valid 5 --model models/smollm2-135m-instruct-q4_1.gguf
run 1.5b-base mts-dialog-valid 5 --model models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
echo "== done $(date +%T)" >&2
