#!/usr/bin/env bash
# Two builds of quill-bench on the same model, alternating round by round (the machine is shared, so a
# before/after comparison is only fair when both sides see the same noise). Prints one JSON line per run.
#   bash bench/compare_builds.sh OLD_BENCH NEW_BENCH MODEL "OLD_QUANT NEW_QUANT ..." ROUNDS THREADS
# Quant names are given per build because they changed spelling (q8 → q8_0): "q8:q8_0 q4:q4_0".
set -euo pipefail
old=$1 new=$2 model=$3 quants=$4 rounds=${5:-3} threads=${6:-2}
for r in $(seq 1 "$rounds"); do
  for pair in $quants; do
    oq=${pair%%:*} nq=${pair##*:}
    for side in old new; do
      if [ $side = old ]; then bin=$old q=$oq; else bin=$new q=$nq; fi
      json=$("$bin" model "$model" --quant "$q" --threads "$threads" --prefill 512 --decode 128)
      echo "{\"round\": $r, \"build\": \"$side\", \"quant\": \"$nq\", \"result\": $json}"
    done
  done
done
