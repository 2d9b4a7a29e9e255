#!/usr/bin/env bash
# The evaluation behind docs/PERFORMANCE.md's "Quality on public sets": the real models, with and without the
# task adapter, on subsets of the public validation and test sets (release build, 2 threads, greedy), one model
# at a time so that seconds per document are not shared. Writes eval/out/<config>.json (quill eval --json) and
# <config>.outputs.jsonl; tools/eval/quality_table.py turns them into the table.
#
#   tools/eval/compare_models.sh [ACI_LIMIT] [MTS_LIMIT] [SAMPLE_LIMIT] [TEST_LIMIT]
#
# A whole run of every set takes hours on two cores (`make eval` does that); the limits take the first N
# documents of each set, the same N for every configuration.
set -euo pipefail
cd "$(dirname "$0")/../.."
ACI=${1:-6} MTS=${2:-15} SAMPLES=${3:-4} TEST=${4:-3}
Q=.build/release/quill
ADAPTER=models/default.adapter
mkdir -p eval/out
# One set at a time (a GGUF file loads in a fraction of a second), each with its own limit.
run() {
    local name=$1 set=$2 limit=$3; shift 3
    echo "== $name $set (first $limit)" >&2
    "$Q" eval --threads 2 --json --set "$set" --limit "$limit" --write-outputs "eval/out/$name.$set.outputs.jsonl" "$@" \
        > "eval/out/$name.$set.json"
}
Q05=models/qwen2.5-coder-0.5b-instruct.gguf
for set in aci-bench-valid mts-dialog-valid; do
    limit=$([ $set = aci-bench-valid ] && echo "$ACI" || echo "$MTS")
    run 0.5b-adapter $set "$limit" --model $Q05 --adapter "$ADAPTER"
    run 0.5b-base $set "$limit" --model $Q05
done
for set in c-cda hl7; do run 0.5b-adapter $set "$SAMPLES" --model $Q05 --adapter "$ADAPTER"; done
run 0.5b-adapter aci-bench-test1 "$TEST" --model $Q05 --adapter "$ADAPTER"
run 0.5b-adapter aci-bench-test2 "$TEST" --model $Q05 --adapter "$ADAPTER"
run 0.5b-adapter mts-dialog-test1 $((TEST * 3)) --model $Q05 --adapter "$ADAPTER"
run 1.5b-base aci-bench-valid 2 --model models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
run 1.5b-base mts-dialog-valid 5 --model models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf
run smollm2-base aci-bench-valid 2 --model models/smollm2-135m-instruct-q4_1.gguf
run smollm2-base mts-dialog-valid 5 --model models/smollm2-135m-instruct-q4_1.gguf
