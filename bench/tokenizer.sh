#!/usr/bin/env bash
# Tokenizer speed: Quill's Swift tokenizer against Hugging Face `tokenizers` (Rust core, one thread) on the same
# ~1 MB of synthetic clinical text in the same run. Both must produce identical ids (checksums compared), then
# tokens/s and the ratio go into the "## Tokenizer" section of docs/PERFORMANCE.md.
# Usage: bench/tokenizer.sh [RUNS]   (expects `swift build -c release` to have run; builds TokenizerBench if not)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}
MODELS=(deepseek-r1-distill-qwen-1.5b llama3 tinyllama-1.1b-chat)
# The real tokenizers committed in Tests/Data (tokenizer.json gzip-compressed), as plain model folders.
TOKENIZERS=.build/bench/tokenizers
for model in "${MODELS[@]}"; do
  mkdir -p "$TOKENIZERS/$model"
  for f in Tests/Data/tokenizers/"$model"/*; do
    case "$f" in
      *.gz) gzip -dc "$f" > "$TOKENIZERS/$model/$(basename "${f%.gz}")" ;;
      *) cp "$f" "$TOKENIZERS/$model/" ;;
    esac
  done
done

swift build -c release --product TokenizerBench >/dev/null
TEXT=.build/bench/clinical-1mb.txt
mkdir -p .build/bench
python3 bench/make_clinical_text.py > "$TEXT"
export RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false

rows=""
for model in "${MODELS[@]}"; do
  for mode in file notes; do
    read -r s_tokens s_seconds s_sum < <(.build/release/TokenizerBench "$TOKENIZERS/$model" "$TEXT" "$mode" "$RUNS")
    read -r p_tokens p_seconds p_sum < <(python3 bench/tokenizer_reference.py "$TOKENIZERS/$model/tokenizer.json" "$TEXT" "$mode" "$RUNS")
    if [ "$s_tokens" != "$p_tokens" ] || [ "$s_sum" != "$p_sum" ]; then
      echo "$model/$mode: ids differ from Hugging Face (tokens $s_tokens vs $p_tokens, checksum $s_sum vs $p_sum)" >&2
      exit 1
    fi
    row=$(python3 -c "
t,s,p=$s_tokens,$s_seconds,$p_seconds
print(f'| {\"$model\"} | {\"whole file\" if \"$mode\"==\"file\" else \"per note\"} | {t} | {t/s/1e6:.2f} M | {t/p/1e6:.2f} M | {p/s:.1f}x |')")
    echo "$row"
    rows+="$row"$'\n'
  done
done

machine=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
cores=$(nproc)
versions=$(python3 -c "import tokenizers; print(tokenizers.__version__)")
section=$(cat <<MD
## Tokenizer

\`make bench\` (bench/tokenizer.sh): encode $(wc -c < "$TEXT") bytes of synthetic clinical text
(bench/make_clinical_text.py: notes, HL7 fragments, dialogue) with each target tokenizer, no special tokens.
Best of $RUNS runs after one warm-up, one thread on both sides; Hugging Face \`tokenizers\` $versions with
\`RAYON_NUM_THREADS=1 TOKENIZERS_PARALLELISM=false\`. Ids are checked identical (checksum) before timing counts.
"Whole file" is one encode call; "per note" encodes each blank-line-separated document on its own.

Machine: $machine ($cores CPUs visible), $(date -u +%Y-%m-%d).

| tokenizer | input | tokens | Swift tokens/s | HF tokenizers tokens/s | ratio (Swift / HF) |
| --- | --- | ---: | ---: | ---: | ---: |
${rows%$'\n'}
MD
)

doc=docs/PERFORMANCE.md
mkdir -p docs
[ -f "$doc" ] || printf '# Performance\n\nMeasured numbers, each section written by its benchmark script.\n' > "$doc"
# Replace the existing "## Tokenizer" section (up to the next "## " heading) or append one.
python3 - "$doc" "$section" <<'PY'
import re, sys
path, section = sys.argv[1], sys.argv[2].rstrip() + "\n"
text = open(path, encoding="utf-8").read()
pattern = re.compile(r"^## Tokenizer\n.*?(?=^## |\Z)", re.S | re.M)
if pattern.search(text):
    text = pattern.sub(lambda m: section + ("\n" if m.end() < len(text) else ""), text, count=1)
else:
    text = text.rstrip() + "\n\n" + section
open(path, "w", encoding="utf-8").write(text)
PY
echo "wrote the Tokenizer section of $doc"
