#!/usr/bin/env python3
"""The PyTorch + PEFT peer for Quill's LoRA training benchmark: fp32 base, LoRA as `quill lm train` sets it
(rank, alpha, dropout, targets), AdamW, every token labelled, on random ids of the given batch shape.

    python3 tools/bench/train_peer.py MODEL_DIR --batch 1 --length 512 --targets q_proj,v_proj --steps 3 --threads 2

One warm-up step, then `--steps` timed steps; tokens/s = batch x length x steps / seconds. Prints one JSON
object; peak RSS is this process's (ru_maxrss), so run one configuration per process.
"""
import argparse
import json
import resource
import time

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--length", type=int, default=512)
    ap.add_argument("--targets", default="q_proj,v_proj")
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--alpha", type=float, default=32)
    ap.add_argument("--dropout", type=float, default=0.05)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32)
    cfg = LoraConfig(r=a.rank, lora_alpha=a.alpha, lora_dropout=a.dropout, target_modules=a.targets.split(","),
                     bias="none", task_type="CAUSAL_LM")
    model = get_peft_model(model, cfg)
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=2e-4)
    ids = torch.randint(0, model.config.vocab_size, (a.batch, a.length))

    def step():
        opt.zero_grad()
        loss = model(input_ids=ids, labels=ids).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
        opt.step()
        return float(loss)

    step()
    start = time.perf_counter()
    for _ in range(a.steps):
        step()
    seconds = time.perf_counter() - start
    tokens = a.batch * a.length * a.steps
    print(json.dumps({"peer": "pytorch+peft fp32", "torch": torch.__version__, "batch": a.batch, "length": a.length,
                      "targets": a.targets, "rank": a.rank, "threads": a.threads, "steps": a.steps,
                      "tokens_per_second": tokens / seconds, "seconds_per_step": seconds / a.steps,
                      "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))


if __name__ == "__main__":
    main()
