#!/usr/bin/env bash
# The demo model's quality and speed, and the fact checker's precision and recall: regenerates the numbers in
# docs/PERFORMANCE.md ("Demo model quality", "Fact check") and models/demo/README.md ("Evaluation").
#
#   bench/eval-demo.sh [COUNT]     (COUNT held-out records per task, default 300)
#
# Held-out records are the ones tools/demo-model/hf-eval.jsonl was generated on (seeds 101 and 102, never used in
# training: seeds 11 and 12). Quill runs them through DocumentPipeline, q8, greedy; transformers' outputs are scored
# by the same scorer (`quill eval --outputs`). Results land in .build/bench/eval/ as JSON, and as markdown on stdout.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-300}
OUT=.build/bench/eval
mkdir -p "$OUT"
swift build -c release --product quill >/dev/null
Q=.build/release/quill

$Q synth --task discharge --count "$COUNT" --seed 101 --out "$OUT/discharge.jsonl"
$Q synth --task soap --count "$COUNT" --seed 102 --out "$OUT/soap.jsonl"
for task in discharge soap; do
  # Quill's own outputs are kept, and scored again from the file: one scorer for both engines.
  $Q eval --task "$task" --data "$OUT/$task.jsonl" --quant q8_0 --json --write-outputs "$OUT/$task.quill-outputs.jsonl" > "$OUT/$task.quill.json"
  $Q eval --task "$task" --data "$OUT/$task.jsonl" --outputs tools/demo-model/hf-eval.jsonl --json > "$OUT/$task.hf.json"
done
# The daemon's whole path for a typical note: all five formats rendered, provenance, fact check.
$Q eval --task discharge --data "$OUT/discharge.jsonl" --limit 100 --all-formats --json > "$OUT/discharge.all-formats.json"
$Q eval --task soap --data "$OUT/soap.jsonl" --limit 100 --all-formats --json > "$OUT/soap.all-formats.json"
# Fact check: 500 records of each task, two planted facts per reference.
$Q eval --fact-check --count 500 --seed 606 --json > "$OUT/fact-check.json"

python3 - "$OUT" <<'EOF'
import json, sys, os
out = sys.argv[1]
def load(n): return json.load(open(os.path.join(out, n)))
print("| task | engine | records | ROUGE-L F1 | fact recall | outputs with unsupported facts | fact-check findings (any / quantity, date, medication) |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for task in ("discharge", "soap"):
    for engine, name in (("quill", "Quill q8 greedy"), ("hf", "transformers f32 greedy")):
        r = load(f"{task}.{engine}.json")
        print(f"| {r['task']} | {name} | {r['records']} | {r['rouge_l_f1']:.4f} | {r['fact_recall']:.4f} | "
              f"{r['unsupported_fact_rate']:.4f} | {r['fact_check_finding_rate']:.3f} / {r['fact_check_review_rate']:.3f} |")
print()
print("| task | formats | mean s/document | max s/document | prompt tokens/s | generated tokens/s | prompt / generated tokens |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
for task in ("discharge", "soap"):
    for f, label in ((f"{task}.quill.json", "text"), (f"{task}.all-formats.json", "all five")):
        r = load(f); s = r["speed"]
        print(f"| {r['task']} | {label} | {s['mean_seconds_per_document']:.3f} | {s['max_seconds_per_document']:.3f} | "
              f"{s['prompt_tokens_per_second']:.0f} | {s['generated_tokens_per_second']:.0f} | "
              f"{s['mean_prompt_tokens']:.0f} / {s['mean_generated_tokens']:.0f} |")
print()
fc = load("fact-check.json")
print("| kind | planted | found | recall | findings | true findings | precision |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for k in ("quantity", "date", "medication", "term"):
    c = fc["by_kind"][k]
    f = lambda x: "–" if x is None else f"{x:.3f}"
    print(f"| {k} | {c['planted']} | {c['found']} | {f(c.get('recall'))} | {c['findings']} | {c['true_findings']} | {f(c.get('precision'))} |")
c = fc["overall"]
print(f"| overall | {c['planted']} | {c['found']} | {c['recall']:.3f} | {c['findings']} | {c['true_findings']} | {c['precision']:.3f} |")
print()
print(f"{fc['records']} records; clean references with any finding: {fc['clean_references_with_findings']} ({fc['clean_findings']} findings).")
print("By planting: " + ", ".join(f"{k} {v['found']}/{v['planted']}" for k, v in sorted(fc["by_planting"].items())))
EOF
