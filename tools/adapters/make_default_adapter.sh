#!/usr/bin/env bash
# Rebuilds models/adapters/qwen2.5-coder-0.5b-notes-v1, the task adapter of the default model, from the public
# training splits (never the evaluation sets) and synthetic discharge records, on this machine's CPU (about 10 min
# on two cores). Needs `make models`, a built quill, and `pip install "torch==2.13.0+cpu" transformers peft gguf`.
#
#   tools/adapters/make_default_adapter.sh [SAMPLES_DIR]    # default ../shared/samples
set -euo pipefail
cd "$(dirname "$0")/../.."
SAMPLES=${1:-../shared/samples}
BASE=models/qwen2.5-coder-0.5b-instruct.gguf
OUT=models/adapters/qwen2.5-coder-0.5b-notes-v1
Q=${QUILL_BIN:-.build/release/quill}
mkdir -p build
python3 tools/adapters/make_corpus.py --samples "$SAMPLES" --out build/corpus.jsonl --hashes build/corpus-hashes.json
"$Q" pairs --records build/corpus.jsonl --chat-template "$BASE" --out build/pairs.jsonl
"$Q" synth --task discharge --count 40 --seed 7 --prompts --chat-template "$BASE" --out build/synthetic-pairs.jsonl
cat build/pairs.jsonl build/synthetic-pairs.jsonl > build/all-pairs.jsonl
rm -rf "$OUT"
python3 tools/adapters/train_lora.py --base "$BASE" --pairs build/all-pairs.jsonl --out "$OUT" \
    --aci 8 --mts 120 --synthetic 8 --targets q_proj,k_proj,v_proj,o_proj --rank 8 --alpha 16 --seed 1
cp build/corpus-hashes.json "$OUT/source-hashes.json"
