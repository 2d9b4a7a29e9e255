#!/usr/bin/env python3
"""Turns bench/out/*.json into the engine section of docs/PERFORMANCE.md (other sections are kept)."""
import datetime
import glob
import json
import os
import platform
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from perfdoc import replace_section  # noqa: E402

out_dir, doc = sys.argv[1], sys.argv[2]


def load(name):
    path = os.path.join(out_dir, name)
    return json.load(open(path)) if os.path.exists(path) else None


def cpu_model():
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def side_by_side():
    """llama.cpp's llama-bench and quill-bench on the same GGUF files (bench/llamacpp.sh), medians of rounds."""
    found = sorted(glob.glob(os.path.join(out_dir, "llamacpp-*.json")))
    if not found:
        return ["llama.cpp was not run (bench/llamacpp.sh), so there is no side-by-side table.", ""]
    first = json.load(open(found[0]))
    out = ["### Side by side: llama.cpp on the same GGUF files", "",
           f"llama.cpp {first.get('build') or ''} built by tools/llamacpp/build.sh (native flags; AMX off on CPUs that list it); `llama-bench -p 512 -n 128 -r 1` "
           f"against `quill-bench model FILE.gguf`, alternating, {len(first.get('rounds', []))} round(s), medians. "
           "Peak RSS from `/usr/bin/time -v`. Bound = read bandwidth / weight bytes per token of the file. "
           "The machine is shared: single rounds vary by 10-20%. Quill's load time is that of a GGUF file as `quill lm convert` "
           "writes it (memory-mapped, used in place).", "",
           "| file | threads | prefill 512 llama.cpp / Quill (tok/s) | ratio | decode 128 llama.cpp / Quill (tok/s) | ratio "
           "| decode / bound llama.cpp / Quill | peak RSS llama.cpp / Quill (MiB) | Quill load (s) |",
           "|---|---|---|---|---|---|---|---|---|"]
    for path in found:
        lc = json.load(open(path))
        t = lc["threads"]
        qp = os.path.join(out_dir, "quill-gguf-" + os.path.basename(path)[len("llamacpp-"):])
        q = json.load(open(qp)) if os.path.exists(qp) else {"status": "not run"}
        ran = q.get("status") != "not run"
        bw = machine[t]["bandwidth_gb_s"] if machine.get(t) else None
        bound = bw * 1e9 / lc["weight_bytes_per_token"] if bw else None

        def num(x, f="{:.1f}"):
            return f.format(x) if x is not None else "–"

        def ratio(a, b):
            return f"{a / b:.2f}x" if ran and a and b else "–"

        def frac(x):
            return f"{100 * x / bound:.0f}%" if x and bound else "–"

        quill = (lambda k, f="{:.1f}": num(q.get(k), f)) if ran else (lambda k, f=None: "not run")
        out.append(f"| {lc['label']} | {t} | {num(lc['prefill_tokens_per_s'])} / {quill('prefill_tokens_per_s')} | "
                   f"{ratio(q.get('prefill_tokens_per_s'), lc['prefill_tokens_per_s'])} | "
                   f"{num(lc['decode_tokens_per_s'], '{:.2f}')} / {quill('decode_tokens_per_s', '{:.2f}')} | "
                   f"{ratio(q.get('decode_tokens_per_s'), lc['decode_tokens_per_s'])} | "
                   f"{frac(lc['decode_tokens_per_s'])} / {frac(q.get('decode_tokens_per_s')) if ran else 'not run'} | "
                   f"{num(lc['peak_rss_mib'], '{:.0f}')} / {quill('peak_rss_mib', '{:.0f}')} | {quill('load_seconds', '{:.2f}')} |")
    reasons = {json.load(open(p)).get("reason") for p in glob.glob(os.path.join(out_dir, "quill-gguf-*.json"))} - {None}
    if reasons:
        out += ["", "Quill not run on GGUF input: " + "; ".join(sorted(r[:200] for r in reasons))]
    return out + [""]


machine = {t: load(f"machine-{t}.json") for t in (1, 2)}
rows = []
for q in ("q8_0", "q4_0"):
    for t in (1, 2):
        r = load(f"quill-{q}-{t}.json")
        if not r:
            continue
        bw = machine[t]["bandwidth_gb_s"] if machine[t] else None
        bound = bw * 1e9 / r["weight_bytes_per_token"] if bw else None
        rows.append((q, t, r, bound))

lines = ["## Engine: DeepSeek-R1-Distill-Qwen-1.5B shape", ""]
lines.append(f"Machine: {cpu_model()}, {os.cpu_count()} cores; measured {datetime.date.today().isoformat()} by `make bench` "
             "(release build; random weights of the exact shape: hidden 1536, 28 layers, 12 heads, 2 KV heads, "
             "intermediate 8960, vocabulary 151936).")
load_file = os.path.join(out_dir, "load.txt")
if os.path.exists(load_file):
    lines.append(f"Load at the end of the run (`uptime`): {open(load_file).read().strip().split('load average:')[-1].strip()}.")
lines.append("")
for t in (1, 2):
    m = machine[t]
    if m:
        lines.append(f"- {t} thread(s): memory read bandwidth {m['bandwidth_gb_s']:.1f} GB/s, OpenBLAS sgemm {m['sgemm_gflop_s']:.0f} GFLOP/s")
lines += ["", "Decode bound = read bandwidth / bytes of weights read per token (every layer, the output head, one embedding row).", "",
          "| quant | threads | prefill 512 (tok/s) | decode 128 (tok/s) | decode bound (tok/s) | decode / bound | weights (MiB) | peak RSS (MiB) | RSS − weights − KV (MiB) | load (s) |",
          "|---|---|---|---|---|---|---|---|---|---|"]
for q, t, r, bound in rows:
    mib = lambda b: b / 1048576
    extra = mib(r["peak_rss_bytes"] - r["weight_bytes"] - r["kv_cache_bytes"])
    lines.append(f"| {q} | {t} | {r['prefill_tokens_per_s']:.1f} | {r['decode_tokens_per_s']:.2f} | "
                 f"{bound:.2f} | {100 * r['decode_tokens_per_s'] / bound:.0f}% | {mib(r['weight_bytes']):.0f} | "
                 f"{mib(r['peak_rss_bytes']):.0f} | {extra:.0f} | {r['load_seconds']:.1f} |")

torch = load("torch.json")
lines.append("")
if torch:
    lines += ["### Peer in the same run: PyTorch on the same model folder, 2 threads", "",
              "| peer | prefill 512 (tok/s) | decode 128 (tok/s) | peak RSS (MiB) | Quill q8_0 prefill ratio | Quill q8_0 decode ratio |",
              "|---|---|---|---|---|---|"]
    q8 = next((r for q, t, r, _ in rows if q == "q8_0" and t == 2), None)
    for run in torch["runs"]:
        pr = f"{q8['prefill_tokens_per_s'] / run['prefill_tokens_per_s']:.2f}x" if q8 else "–"
        dr = f"{q8['decode_tokens_per_s'] / run['decode_tokens_per_s']:.2f}x" if q8 else "–"
        lines.append(f"| torch {torch['runs'][0]['torch_version']} {run['mode']} | {run['prefill_tokens_per_s']:.1f} | "
                     f"{run['decode_tokens_per_s']:.2f} | {run['peak_rss_mb']} | {pr} | {dr} |")
else:
    lines.append("PyTorch was not installed for this run, so no peer was measured.")
lines.append("")
lines += side_by_side()
lines.append("")
section = "\n".join(lines) + "\n"

replace_section(doc, "## Engine: ", section)
