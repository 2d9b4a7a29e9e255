#!/usr/bin/env python3
"""The table of bench/compare_builds.sh's runs (JSON lines) as docs/PERFORMANCE.md's "Two builds" section.

    python3 bench/compare_builds_report.py RUNS.jsonl docs/PERFORMANCE.md "OLD LABEL" "NEW LABEL" "MACHINE, DATE"
"""
import json
import statistics
import sys

from perfdoc import replace_section

runs, doc, old_label, new_label, machine = sys.argv[1:6]
by = {}
for line in open(runs):
    r = json.loads(line)
    by.setdefault((r["quant"], r["build"]), []).append(r["result"])
rounds = max(len(v) for v in by.values())
threads = next(iter(by.values()))[0]["threads"]
rows = []
for quant in sorted({q for q, _ in by}, reverse=True):
    old, new = by[(quant, "old")], by[(quant, "new")]
    med = lambda rs, k: statistics.median(x[k] for x in rs)
    each = lambda rs, k: " ".join(f"{x[k]:.1f}" for x in rs)
    po, pn = med(old, "prefill_tokens_per_s"), med(new, "prefill_tokens_per_s")
    do, dn = med(old, "decode_tokens_per_s"), med(new, "decode_tokens_per_s")
    rows.append(f"| {quant} | {po:.1f} ({each(old, 'prefill_tokens_per_s')}) | {pn:.1f} ({each(new, 'prefill_tokens_per_s')}) | "
                f"{pn / po:.2f} | {do:.2f} ({each(old, 'decode_tokens_per_s')}) | {dn:.2f} ({each(new, 'decode_tokens_per_s')}) | "
                f"{dn / do:.2f} | {max(x['peak_rss_bytes'] for x in old) >> 20} / {max(x['peak_rss_bytes'] for x in new) >> 20} |")
section = f"""## Two builds side by side: {old_label} → {new_label}

Machine: {machine}; `bench/compare_builds.sh` (release builds of quill-bench at both commits, the
DeepSeek-R1-Distill-Qwen-1.5B-shape benchmark model, prefill 512 and decode 128, {threads} threads, {rounds} rounds, the
two builds alternating within each round so both see the same load). Medians, each round in brackets.

| quant | prefill before (tok/s) | prefill after | after / before | decode before (tok/s) | decode after | after / before | peak RSS before / after (MiB) |
|---|---|---|---|---|---|---|---|
""" + "\n".join(rows) + "\n"
replace_section(doc, "## Two builds side by side", section)
