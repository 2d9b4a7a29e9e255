#!/usr/bin/env python3
"""Greedy generation with Hugging Face transformers on held-out prompts, for comparing the demo model's
quality in transformers with Quill's own engine on the same records (`quill eval` scores both).

    python3 tools/demo-model/hf_generate.py --model models/demo --data eval-pairs.jsonl --out hf-outputs.jsonl

Each output line is {"id", "task", "output"}: the generated text after the closed thought, up to EOS,
exactly the section lines Quill's section-structured generation would fill.
"""
import argparse
import json

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--max-new-tokens", type=int, default=400)
    a = ap.parse_args()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    tok = AutoTokenizer.from_pretrained(a.model)
    tok.padding_side = "left"
    model = AutoModelForCausalLM.from_pretrained(a.model, dtype=torch.float32).to(device).eval()
    rows = [json.loads(l) for l in open(a.data, encoding="utf-8") if l.strip()]
    with open(a.out, "w", encoding="utf-8") as out:
        for b in range(0, len(rows), a.batch):
            batch = rows[b:b + a.batch]
            # The rendered prompt already holds BOS and the turn markers.
            enc = tok([r["prompt"] for r in batch], add_special_tokens=False, return_tensors="pt", padding=True).to(device)
            with torch.no_grad():
                gen = model.generate(**enc, do_sample=False, max_new_tokens=a.max_new_tokens,
                                     eos_token_id=tok.eos_token_id, pad_token_id=tok.eos_token_id)
            for r, ids in zip(batch, gen[:, enc["input_ids"].shape[1]:]):
                text = tok.decode(ids, skip_special_tokens=True)
                if "</think>" in text:
                    text = text.split("</think>", 1)[1]
                out.write(json.dumps({"id": r["id"], "task": r["task"], "output": text.strip("\n")}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
