#!/usr/bin/env python3
"""The markdown table of tools/eval/compare_models.sh's reports (eval/out/<config>.<set>.json).

  python3 tools/eval/quality_table.py [eval/out]
"""
import glob, json, os, sys

folder = sys.argv[1] if len(sys.argv) > 1 else "eval/out"
print("| model + adapter | set | docs | ROUGE-1 | ROUGE-2 | ROUGE-L | all sections | findings / output | to review | degenerate | s / doc |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
    text = open(path).read()
    if not text.strip():
        continue  # a run still going
    report = json.loads(text)
    for s in report["sets"]:
        r = s.get("rouge")
        rouge = [f"{r[k]:.3f}" for k in ("rouge1_f1", "rouge2_f1", "rougeL_f1")] if r else ["–"] * 3
        errors = f" ({len(s['errors'])} refused)" if s["errors"] else ""
        print(f"| {report['source']} | {s['set']} | {s['outputs']}{errors} | {' | '.join(rouge)} | "
              f"{s['all_sections_present_rate']:.0%} | {s['findings_per_output']:.1f} | {s['review_rate']:.0%} | "
              f"{s['degenerate_outputs']} | {s['mean_seconds_per_document']:.1f} |")
