#!/usr/bin/env bash
# `make bench`: the engine on a model of DeepSeek-R1-Distill-Qwen-1.5B's exact shape (random weights,
# written by tools/bench/make_bench_model.py, never committed), against the machine's own limits
# (memory bandwidth, OpenBLAS sgemm) and against PyTorch on the same model in the same run.
# Writes the table to docs/PERFORMANCE.md.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=bench/models/r1-1.5b-shape
OUT=bench/out
mkdir -p "$OUT"

if [ ! -f "$MODEL/model.safetensors" ]; then
  echo "writing the benchmark model ($MODEL, ~3.5 GB)"
  python3 tools/bench/make_bench_model.py "$MODEL"
fi

swift build -c release --product quill-bench
BENCH=.build/release/quill-bench

echo "machine: bandwidth and sgemm"
for t in 1 2; do "$BENCH" machine --threads $t > "$OUT/machine-$t.json"; cat "$OUT/machine-$t.json"; done

for q in q8_0 q4_0; do
  for t in 1 2; do
    echo "quill: $q, $t thread(s)"
    "$BENCH" model "$MODEL" --quant $q --threads $t --prefill 512 --decode 128 > "$OUT/quill-$q-$t.json"
    cat "$OUT/quill-$q-$t.json"
  done
done

if python3 -c "import torch, transformers" 2>/dev/null; then
  echo "peer: PyTorch (fp32 and dynamic int8), 2 threads"
  python3 tools/bench/torch_peer.py "$MODEL" --threads 2 --prefill 512 --decode 128 --json "$OUT/torch.json" > /dev/null
else
  echo "peer: PyTorch is not installed (pip install \"torch==2.13.0+cpu\" transformers); the table will say so"
  rm -f "$OUT/torch.json"
fi

echo "peer: llama.cpp on the same GGUF files, side by side (bench/llamacpp.sh)"
bash bench/llamacpp.sh || echo "llama.cpp side failed; the table will say it was not run"

echo "daemon: the demo model end to end"
swift build -c release --product quill
python3 bench/daemon.py

echo "tokenizer: Quill against Hugging Face tokenizers"
bash bench/tokenizer.sh

echo "training: quill lm train against PyTorch + PEFT (bench/train.sh)"
bash bench/train.sh "$MODEL"
python3 bench/train_report.py "$OUT" docs/PERFORMANCE.md

uptime > "$OUT/load.txt"
python3 bench/report.py "$OUT" docs/PERFORMANCE.md
echo "wrote docs/PERFORMANCE.md"
