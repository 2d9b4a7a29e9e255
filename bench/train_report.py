#!/usr/bin/env python3
"""bench/out/train-*.json (bench/train.sh) into the LoRA-training section of docs/PERFORMANCE.md."""
import datetime
import json
import os
import platform
import sys

sys.path.insert(0, os.path.dirname(__file__))
from perfdoc import replace_section  # noqa: E402

out, doc = sys.argv[1], sys.argv[2]


def load(name):
    p = os.path.join(out, name)
    return json.load(open(p)) if os.path.exists(p) and os.path.getsize(p) > 0 else None


def cpu():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


gib = lambda b: b / 2**30
lines = ["## LoRA training: DeepSeek-R1-Distill-Qwen-1.5B shape", "",
         f"Machine: {cpu()}, {os.cpu_count()} cores, {datetime.date.today().isoformat()}; `make bench` (bench/train.sh), release "
         "build, 2 threads, random weights of the exact shape (bench/models/r1-1.5b-shape), random ids with every token "
         "labelled, r 16, alpha 32, dropout 0.05, AdamW, clipping at 1.0; tokens/s over the optimizer steps after the "
         "first. Quill recomputes each layer's activations in the backward pass (gradient checkpointing); its frozen-weight "
         "and attention products run in bf16 on AMX tiles where the CPU has them (column `products`), else in f32 "
         "through OpenBLAS. "
         "The peer is PyTorch + PEFT in fp32 on the same folder, without gradient checkpointing (PEFT's default).", "",
         "| targets | batch | Quill base | products | Quill tok/s | Quill peak RSS (GiB) | PyTorch+PEFT tok/s | PyTorch peak RSS (GiB) | speed ratio | memory ratio |",
         "|---|---|---|---|---|---|---|---|---|---|"]
for batch, length in [(1, 512), (4, 256)]:
    for targets in ["qv", "all"]:
        torch = load(f"train-torch-{targets}-{batch}x{length}.json")
        for quant in ["q8_0", "q4_0"]:
            q = load(f"train-quill-{quant}-{targets}-{batch}x{length}.json")
            if not q:
                continue
            t_speed = f"{torch['tokens_per_second']:.1f}" if torch else "not run"
            t_rss = f"{gib(torch['peak_rss_bytes']):.1f}" if torch else "–"
            ratio = f"{q['tokens_per_second'] / torch['tokens_per_second']:.2f}x" if torch else "–"
            mem = f"{gib(q['peak_rss_bytes']) / gib(torch['peak_rss_bytes']):.2f}x" if torch else "–"
            lines.append(f"| {'q/v' if targets == 'qv' else 'all seven'} | {batch} x {length} | {quant} | {q['products']} | "
                         f"{q['tokens_per_second']:.1f} | {gib(q['peak_rss_bytes']):.2f} | {t_speed} | {t_rss} | {ratio} | {mem} |")
load_file = os.path.join(out, "train-load.txt")
if os.path.exists(load_file):
    lines += ["", f"Load at the end of the run (`uptime`): {open(load_file).read().strip().split('load average:')[-1].strip()}."]
lines.append("")
replace_section(doc, "## LoRA training: ", "\n".join(lines) + "\n")
