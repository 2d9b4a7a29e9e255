#!/usr/bin/env bash
# The side-by-side half of `make bench`: llama.cpp's llama-bench and quill-bench on the same GGUF files, in the
# same run, 1 and 2 threads, prefill 512 and decode 128, ROUNDS alternating rounds (median reported; the machine
# is shared, so single runs are noisy). Peak RSS of each process from /usr/bin/time -v.
#   files: the benchmark shape (bench/models/r1-1.5b-shape, random weights) as Q8_0, Q4_0 and Q4_K_M GGUF, made
#   here once with tools/llamacpp/bench_model_to_gguf.py + llama-quantize; the real Qwen2.5-Coder-1.5B Q4_K_M
#   file from `make models` when present.
# Writes bench/out/llamacpp-<file>-<threads>.json and bench/out/quill-gguf-<file>-<threads>.json (the latter says
# "not run" and why when quill-bench cannot load a GGUF file).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=bench/out
MODEL=bench/models/r1-1.5b-shape
GGUF_DIR=bench/models/gguf
ROUNDS="${ROUNDS:-4}"
THREADS="${THREADS:-1 2}"
mkdir -p "$OUT" "$GGUF_DIR"

PREFIX="$(bash tools/llamacpp/build.sh)"
GGUF_PY="$PREFIX/src/gguf-py"
LLAMA_BENCH="$PREFIX/bin/llama-bench"
QUILL_BENCH=.build/release/quill-bench

declare -A FILES=()
if [ -f "$MODEL/model.safetensors" ]; then
  bf16="$GGUF_DIR/r1-1.5b-shape-BF16.gguf"
  for q in Q8_0 Q4_0 Q4_K_M; do
    f="$GGUF_DIR/r1-1.5b-shape-$q.gguf"
    if [ ! -f "$f" ]; then
      [ -f "$bf16" ] || { echo "converting $MODEL to $bf16"; python3 tools/llamacpp/bench_model_to_gguf.py "$MODEL" "$bf16" --gguf-py "$GGUF_PY"; }
      echo "llama-quantize: $f"
      nice -n 5 "$PREFIX/bin/llama-quantize" "$bf16" "$f.part" "$q" 2 > "$OUT/quantize-$q.log" 2>&1
      mv "$f.part" "$f"
    fi
    FILES["shape-$q"]="$f"
  done
  rm -f "$bf16"  # 3.5 GB only needed to make the three files
else
  echo "llama.cpp side: $MODEL is missing (bench/run.sh writes it first); skipping the shape model"
fi
real="$(ls models/*[Qq]wen2.5-[Cc]oder-1.5[Bb]*[Qq]4_[Kk]_[Mm]*.gguf 2>/dev/null | head -1 || true)"
if [ -n "$real" ]; then FILES["qwen2.5-coder-1.5b-Q4_K_M"]="$real"
else echo "llama.cpp side: the real Qwen2.5-Coder-1.5B Q4_K_M file is absent (make models); skipping it"; fi

# One measured process: its stdout into $2, the peak RSS (KiB) of it into $3. Returns its exit status.
timed() { local out=$1 rss=$2; shift 2
  /usr/bin/time -v -o "$rss.time" "$@" > "$out" 2> "$out.err"; local rc=$?
  awk -F': ' '/Maximum resident set size/ {print $2}' "$rss.time" > "$rss"; rm -f "$rss.time"; return $rc; }

tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for label in "${!FILES[@]}"; do
  python3 tools/llamacpp/gguf_weight_bytes.py "${FILES[$label]}" --gguf-py "$GGUF_PY" > "$tmp/$label.bytes"
done
for r in $(seq 1 "$ROUNDS"); do
  for label in "${!FILES[@]}"; do
    f="${FILES[$label]}"
    for t in $THREADS; do
      echo "round $r: $label, $t thread(s)"
      if timed "$tmp/l-$label-$t-$r.json" "$tmp/l-$label-$t-$r.rss" \
          "$LLAMA_BENCH" -m "$f" -p 512 -n 128 -t "$t" -r 1 -o json; then :; else
        echo "llama-bench failed on $f: $(tail -3 "$tmp/l-$label-$t-$r.json.err")"; fi
      if [ -x "$QUILL_BENCH" ] && timed "$tmp/q-$label-$t-$r.json" "$tmp/q-$label-$t-$r.rss" \
          "$QUILL_BENCH" model "$f" --threads "$t" --prefill 512 --decode 128; then :; else
        echo "not run: $( [ -x "$QUILL_BENCH" ] && tail -1 "$tmp/q-$label-$t-$r.json.err" || echo "$QUILL_BENCH is not built")" > "$tmp/q-$label-$t-$r.fail"
      fi
    done
  done
done
for label in "${!FILES[@]}"; do
  for t in $THREADS; do
    python3 bench/llamacpp_collect.py "$tmp" "$label" "$t" "${FILES[$label]}" "$ROUNDS" \
      "$OUT/llamacpp-$label-$t.json" "$OUT/quill-gguf-$label-$t.json"
  done
done
echo "llama.cpp: $(basename "$PREFIX") ($(grep -m1 '^sha256=' "$PREFIX/.built" | cut -d= -f2 | cut -c1-12)…)"
