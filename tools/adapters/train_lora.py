#!/usr/bin/env python3
"""Trains a task adapter (PEFT LoRA) for a GGUF base on this machine's CPU, with PyTorch + PEFT.

  tools/adapters/train_lora.py --base models/qwen2.5-coder-0.5b-instruct.gguf --pairs build/pairs.jsonl \
      --out models/adapters/NAME [--aci 8 --mts 150 --seed 1]

`--pairs` comes from `quill pairs` (prompts rendered by Quill's own prompt code and the model's chat template),
so the adapter is trained on exactly what the daemon sends. Loss is on the completion tokens only (the
sections, then the turn's end token). The base is the GGUF file's weights dequantized to f32 by transformers;
Quill applies the adapter to the quantized weights as they are, as QLoRA does.

Until `quill lm train` exists this is how Quill's adapters are made. Two CPU cores train about 20-30 tokens/s,
so the run takes a seeded subset of the public training splits (`--aci` encounters of ACI-Bench's train split
that fit `--max-len`, `--mts` snippets of MTS-Dialog's training set) and `--synthetic` discharge-summary pairs
from `quill synth --prompts` (no public set pairs notes with discharge summaries), one epoch. It writes the PEFT folder,
and `training-run.json` beside it: settings, data hashes, the ids trained on, and the loss of every step.
"""
import argparse, hashlib, json, math, os, random, sys, time

import torch
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--pairs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--aci", type=int, default=8)
    ap.add_argument("--mts", type=int, default=150)
    ap.add_argument("--synthetic", type=int, default=0, help="pairs from `quill synth --prompts` (any other id) to take")
    ap.add_argument("--max-len", type=int, default=2048)
    ap.add_argument("--targets", default=",".join(TARGETS), help="modules to adapt (PEFT names), comma-separated")
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--alpha", type=int, default=32)
    ap.add_argument("--dropout", type=float, default=0.05)
    ap.add_argument("--lr", type=float, default=2e-4)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    folder, name = os.path.split(os.path.abspath(args.base))
    tokenizer = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    end = tokenizer.convert_tokens_to_ids("<|im_end|>") if "<|im_end|>" in tokenizer.get_vocab() else tokenizer.eos_token_id

    # Token ids as Quill sends them: the prompt's special tokens ("<|im_start|>") are read as such.
    pairs = [json.loads(l) for l in open(args.pairs, encoding="utf-8") if l.strip()]
    examples = []
    for p in pairs:
        prompt = tokenizer(p["prompt"], add_special_tokens=False)["input_ids"]
        completion = tokenizer(p["completion"], add_special_tokens=False)["input_ids"] + [end]
        examples.append({"id": p["id"], "prompt": prompt, "completion": completion})
    rng = random.Random(args.seed)
    aci = [e for e in examples if e["id"].startswith("aci-") and len(e["prompt"]) + len(e["completion"]) <= args.max_len]
    mts = [e for e in examples if e["id"].startswith("mts-") and len(e["prompt"]) + len(e["completion"]) <= args.max_len]
    synthetic = [e for e in examples if not e["id"].startswith(("aci-", "mts-"))]
    rng.shuffle(aci); rng.shuffle(mts); rng.shuffle(synthetic)
    chosen = aci[:args.aci] + mts[:args.mts] + synthetic[:args.synthetic]
    rng.shuffle(chosen)
    tokens = sum(len(e["prompt"]) + len(e["completion"]) for e in chosen)
    print(f"{len(chosen)} examples ({min(args.aci, len(aci))} ACI-Bench, {min(args.mts, len(mts))} MTS-Dialog, "
          f"{min(args.synthetic, len(synthetic))} synthetic), {tokens} tokens",
          file=sys.stderr, flush=True)

    targets = args.targets.split(",")
    config = LoraConfig(r=args.rank, lora_alpha=args.alpha, lora_dropout=args.dropout, target_modules=targets,
                        task_type="CAUSAL_LM")
    model = get_peft_model(model, config)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    steps = len(chosen)
    schedule = lambda s: (s + 1) / args.warmup if s < args.warmup else 0.5 * (1 + math.cos(math.pi * (s - args.warmup) / max(1, steps - args.warmup)))
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, schedule)
    model.train()
    log, started = [], time.time()
    for step, e in enumerate(chosen):
        ids = torch.tensor([e["prompt"] + e["completion"]])
        keep = len(e["completion"]) + 1
        # Logits only where a completion token is predicted: the output matrix (151,936 rows) is a quarter of
        # the work, and the prompt's positions carry no loss.
        logits = model(input_ids=ids, logits_to_keep=keep).logits[0, :-1]
        target = ids[0, -len(e["completion"]):]
        loss = torch.nn.functional.cross_entropy(logits.float(), target)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step(); scheduler.step(); optimizer.zero_grad()
        elapsed = time.time() - started
        log.append({"step": step + 1, "id": e["id"], "tokens": ids.shape[1], "loss": round(loss.item(), 5),
                    "grad_norm": round(norm.item(), 4), "lr": scheduler.get_last_lr()[0], "seconds": round(elapsed, 1)})
        print(json.dumps(log[-1]), file=sys.stderr, flush=True)
    model.save_pretrained(args.out)
    run = {"base": os.path.basename(args.base), "base_sha256": sha256(args.base), "pairs_sha256": sha256(args.pairs),
           "settings": {k: v for k, v in vars(args).items() if k not in ("base", "pairs", "out")}, "targets": targets,
           "examples": [e["id"] for e in chosen], "tokens": tokens, "seconds": round(time.time() - started, 1),
           "torch": torch.__version__, "steps": log}
    json.dump(run, open(os.path.join(args.out, "training-run.json"), "w"), indent=1)


if __name__ == "__main__":
    main()
