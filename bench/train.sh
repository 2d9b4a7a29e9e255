#!/usr/bin/env bash
# `make bench` (training part): `quill lm train` against PyTorch + PEFT (fp32, same LoRA settings) on the
# DeepSeek-R1-Distill-Qwen-1.5B shape, 2 threads, batch 1 x 512 and 4 x 256, r 16, alpha 32, dropout 0.05,
# targets q/v and all seven, Quill on q8_0 and q4_0 bases. Every token labelled (random ids, three optimizer
# steps; the first is a warm-up and not counted). Results in bench/out/train-*.json; bench/train_report.py
# writes the table. Usage: bench/train.sh [MODEL_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-bench/models/r1-1.5b-shape}
OUT=bench/out
mkdir -p "$OUT"
swift build -c release --product quill
QUILL=.build/release/quill
DATA=$(mktemp -d)
trap 'rm -rf "$DATA"' EXIT
python3 - "$DATA" "$MODEL" <<'PY'
import json, random, sys
vocab = json.load(open(sys.argv[2] + "/config.json"))["vocab_size"]
random.seed(0)
for length, count in [(512, 3), (256, 12)]:
    with open(f"{sys.argv[1]}/ids-{length}.jsonl", "w") as f:
        for _ in range(count):
            f.write(json.dumps({"input_ids": [random.randrange(vocab) for _ in range(length)]}) + "\n")
PY
for shape in "1 512" "4 256"; do
  set -- $shape; batch=$1; length=$2
  for targets in "q,v" "all"; do
    for quant in q8_0 q4_0; do
      name="train-quill-$quant-${targets/,/}-${batch}x$length"
      echo "quill: $quant, targets $targets, $batch x $length"
      rm -rf "$DATA/out"
      "$QUILL" lm train --model "$MODEL" --quant $quant --data "$DATA/ids-$length.jsonl" --out "$DATA/out" \
        --targets $targets --rank 16 --alpha 32 --dropout 0.05 --batch $batch --max-len $length --threads 2 --schedule constant > /dev/null
      python3 - "$DATA/out/training-run.json" "$OUT/$name.json" $quant $targets $batch $length <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
steps = r["steps"][1:]
tokens = sum(s["tokens"] for s in steps); seconds = sum(s["seconds"] for s in steps)
json.dump({"quant": sys.argv[3], "targets": sys.argv[4], "batch": int(sys.argv[5]), "length": int(sys.argv[6]),
           "products": r["settings"]["products"], "tokens_per_second": tokens / seconds,
           "peak_rss_bytes": r["peak_rss_bytes"], "steps_timed": len(steps)}, open(sys.argv[2], "w"))
print(open(sys.argv[2]).read())
PY
    done
    if python3 -c "import torch, transformers, peft" 2>/dev/null; then
      echo "peer: PyTorch + PEFT fp32, targets $targets, $batch x $length"
      full=$([ "$targets" = all ] && echo q_proj,k_proj,v_proj,o_proj,gate_proj,up_proj,down_proj || echo q_proj,v_proj)
      python3 tools/bench/train_peer.py "$MODEL" --batch $batch --length $length --targets $full --steps 2 --threads 2 \
        2>/dev/null | tail -1 > "$OUT/train-torch-${targets/,/}-${batch}x$length.json"
      cat "$OUT/train-torch-${targets/,/}-${batch}x$length.json"
    fi
  done
done
uptime > "$OUT/train-load.txt"
