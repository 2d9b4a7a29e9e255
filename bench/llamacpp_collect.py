#!/usr/bin/env python3
"""Medians over the alternating rounds of bench/llamacpp.sh for one (file, threads): one JSON for llama.cpp,
one for Quill (or {"status": "not run", "reason": ...} when quill-bench could not run the GGUF file)."""
import json
import os
import statistics
import sys

tmp, label, threads, path, rounds, out_llama, out_quill = sys.argv[1:8]
threads, rounds = int(threads), int(rounds)
size = json.load(open(os.path.join(tmp, f"{label}.bytes")))


def rss_mib(p):
    try:
        return int(open(p).read().strip()) / 1024
    except (OSError, ValueError):
        return None


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


base = {"label": label, "file": path, "threads": threads, "prefill": 512, "decode": 128,
        "weight_bytes": size["weight_bytes"], "weight_bytes_per_token": size["weight_bytes_per_token"]}

runs = []
for r in range(1, rounds + 1):
    p = os.path.join(tmp, f"l-{label}-{threads}-{r}.json")
    try:
        rows = json.load(open(p))
    except (OSError, ValueError):
        continue
    pp = next((x["avg_ts"] for x in rows if x.get("n_prompt") == 512 and x.get("n_gen") == 0), None)
    tg = next((x["avg_ts"] for x in rows if x.get("n_gen") == 128 and x.get("n_prompt") == 0), None)
    runs.append({"prefill_tokens_per_s": pp, "decode_tokens_per_s": tg,
                 "peak_rss_mib": rss_mib(p[:-5] + ".rss"), "build": rows[0].get("build_commit") if rows else None,
                 "cpu": rows[0].get("cpu_info") if rows else None, "type": rows[0].get("model_type") if rows else None})
llama = dict(base, engine="llama.cpp", rounds=runs,
             prefill_tokens_per_s=median(r["prefill_tokens_per_s"] for r in runs),
             decode_tokens_per_s=median(r["decode_tokens_per_s"] for r in runs),
             peak_rss_mib=median(r["peak_rss_mib"] for r in runs),
             model_type=runs[0]["type"] if runs else None, build=runs[0]["build"] if runs else None)
json.dump(llama, open(out_llama, "w"), indent=1)

qruns, reason = [], None
for r in range(1, rounds + 1):
    stem = os.path.join(tmp, f"q-{label}-{threads}-{r}")
    if os.path.exists(stem + ".fail"):
        reason = open(stem + ".fail").read().strip()
        continue
    try:
        q = json.load(open(stem + ".json"))
    except (OSError, ValueError):
        continue
    q["peak_rss_mib"] = rss_mib(stem + ".rss")
    qruns.append(q)
if qruns:
    quill = dict(base, engine="quill", rounds=qruns,
                 prefill_tokens_per_s=median(r.get("prefill_tokens_per_s") for r in qruns),
                 decode_tokens_per_s=median(r.get("decode_tokens_per_s") for r in qruns),
                 peak_rss_mib=median(r["peak_rss_mib"] for r in qruns),
                 load_seconds=median(r.get("load_seconds") for r in qruns))
else:
    quill = dict(base, engine="quill", status="not run", reason=reason or "no result")
json.dump(quill, open(out_quill, "w"), indent=1)
