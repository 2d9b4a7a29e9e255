#!/usr/bin/env python3
"""Trains Quill's embedded demo model: a byte-level BPE tokenizer configured like Qwen2's and a small
Qwen2-architecture causal LM from scratch, on prompt/completion pairs that Quill's own prompt code rendered
(`quill synth --prompts`). Saves the standard Hugging Face layout, which Quill loads with its own loader.

    python3 tools/demo-model/train.py --data pairs.jsonl --out models/demo [--minutes 6] [--epochs 12]

Run on a GPU machine (CPU works for a smoke test with --smoke). The chat template and special tokens are
DeepSeek-R1-Distill-Qwen's (tools/demo-model/chat_template.jinja), so the demo exercises the same reasoning
path as the real target model: its generation prompt opens a thought, and the demo closes it at once.
Loss is computed on the completion tokens only (prompt tokens are masked with -100). Seeds are fixed.
"""
import argparse
import gzip
import json
import math
import os
import random
import time

import torch
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import Qwen2Config, Qwen2ForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
QWEN2_SPLIT = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
BOS, EOS = "<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>"
# (content, special) in id order after the BPE vocabulary, as DeepSeek-R1-Distill-Qwen marks them.
ADDED = [(EOS, True), ("<｜User｜>", False), ("<｜Assistant｜>", False), (BOS, True), ("<think>", False), ("</think>", False)]


def train_tokenizer(texts, vocab_size):
    tok = Tokenizer(models.BPE(unk_token=None, byte_fallback=False))
    tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size - len(ADDED), min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), special_tokens=[])
    tok.train_from_iterator(texts, trainer=trainer)
    from tokenizers import AddedToken
    for content, special in ADDED:
        t = AddedToken(content, lstrip=False, rstrip=False, normalized=False, single_word=False, special=special)
        (tok.add_special_tokens if special else tok.add_tokens)([t])
    bos_id = tok.token_to_id(BOS)
    tok.post_processor = processors.TemplateProcessing(single=f"{BOS} $A", pair=f"{BOS} $A {BOS} $B",
                                                       special_tokens=[(BOS, bos_id)])
    return tok


def write_tokenizer_files(tok, out):
    tok.save(os.path.join(out, "tokenizer.json"))
    template = open(os.path.join(HERE, "chat_template.jinja"), encoding="utf-8").read()
    decoder = {str(tok.token_to_id(c)): {"content": c, "lstrip": False, "normalized": False, "rstrip": False,
                                         "single_word": False, "special": s} for c, s in ADDED}
    config = {"add_bos_token": True, "add_eos_token": False, "added_tokens_decoder": decoder, "bos_token": BOS,
              "chat_template": template, "clean_up_tokenization_spaces": False, "eos_token": EOS,
              "legacy": True, "model_max_length": 4096, "pad_token": EOS, "tokenizer_class": "LlamaTokenizerFast",
              "unk_token": None}
    json.dump(config, open(os.path.join(out, "tokenizer_config.json"), "w", encoding="utf-8"), ensure_ascii=False, indent=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="JSONL of {prompt, completion} from `quill synth --prompts`")
    ap.add_argument("--out", required=True)
    ap.add_argument("--vocab", type=int, default=8192)
    ap.add_argument("--hidden", type=int, default=384)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--heads", type=int, default=6)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--intermediate", type=int, default=1024)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--minutes", type=float, default=6.0, help="stop training after this long")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--smoke", action="store_true", help="tiny run on CPU to check the script")
    a = ap.parse_args()
    random.seed(a.seed); torch.manual_seed(a.seed)
    os.makedirs(a.out, exist_ok=True)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    t_start = time.time()

    opener = gzip.open if a.data.endswith(".gz") else open
    pairs = [json.loads(l) for l in opener(a.data, "rt", encoding="utf-8") if l.strip()]
    if a.smoke:
        pairs = pairs[:64]; a.hidden, a.layers, a.heads, a.kv_heads, a.intermediate, a.vocab, a.epochs = 64, 2, 4, 2, 128, 1024, 1
    tok = train_tokenizer((p["prompt"] + p["completion"] for p in pairs), a.vocab)
    write_tokenizer_files(tok, a.out)
    eos_id, bos_id = tok.token_to_id(EOS), tok.token_to_id(BOS)
    vocab = (tok.get_vocab_size() + 63) // 64 * 64  # embedding rows padded like real models

    # Sequences: prompt ids (the template already holds BOS: add nothing) + completion ids + EOS; loss on the completion.
    seqs = []
    for p in pairs:
        prompt = tok.encode(p["prompt"], add_special_tokens=False).ids
        completion = tok.encode(p["completion"], add_special_tokens=False).ids + [eos_id]
        seqs.append((prompt + completion, len(prompt)))
    max_len = max(len(s) for s, _ in seqs)

    config = Qwen2Config(vocab_size=vocab, hidden_size=a.hidden, intermediate_size=a.intermediate,
                         num_hidden_layers=a.layers, num_attention_heads=a.heads, num_key_value_heads=a.kv_heads,
                         max_position_embeddings=max(2048, max_len * 2), rope_theta=10000.0, rms_norm_eps=1e-6,
                         tie_word_embeddings=True, bos_token_id=bos_id, eos_token_id=eos_id, use_sliding_window=False)
    model = Qwen2ForCausalLM(config).to(device)
    params = sum(p.numel() for p in model.parameters())
    steps_per_epoch = math.ceil(len(seqs) / a.batch)
    total = steps_per_epoch * a.epochs
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.95), weight_decay=0.05)
    warmup = max(10, total // 30)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, s / total))))
    curve, step, stop = [], 0, False
    model.train()
    for epoch in range(a.epochs):
        order = list(range(len(seqs))); random.shuffle(order)
        for b in range(0, len(order), a.batch):
            batch = [seqs[i] for i in order[b:b + a.batch]]
            n = max(len(s) for s, _ in batch)
            ids = torch.full((len(batch), n), eos_id, dtype=torch.long)
            labels = torch.full((len(batch), n), -100, dtype=torch.long)
            mask = torch.zeros((len(batch), n), dtype=torch.long)
            for r, (s, plen) in enumerate(batch):
                ids[r, :len(s)] = torch.tensor(s); mask[r, :len(s)] = 1
                labels[r, plen:len(s)] = torch.tensor(s[plen:])
            ids, labels, mask = ids.to(device), labels.to(device), mask.to(device)
            with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda"):
                loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step(); sched.step(); opt.zero_grad(set_to_none=True)
            if step % 50 == 0:
                curve.append({"step": step, "epoch": epoch, "loss": round(loss.item(), 4), "seconds": round(time.time() - t_start, 1)})
                print(json.dumps(curve[-1]), flush=True)
            step += 1
            if time.time() - t_start > a.minutes * 60:
                stop = True; break
        if stop:
            break
    curve.append({"step": step, "epoch": epoch, "loss": round(loss.item(), 4), "seconds": round(time.time() - t_start, 1)})

    model.eval()
    model.to(torch.bfloat16).save_pretrained(a.out, safe_serialization=True)
    json.dump({"bos_token_id": bos_id, "eos_token_id": eos_id, "do_sample": False, "max_new_tokens": 512},
              open(os.path.join(a.out, "generation_config.json"), "w"), indent=2)
    record = {"pairs": len(pairs), "parameters": params, "steps": step, "epochs_completed": epoch + (0 if stop else 1),
              "batch": a.batch, "lr": a.lr, "max_sequence_tokens": max_len, "device": torch.cuda.get_device_name(0) if device == "cuda" else "cpu",
              "seconds": round(time.time() - t_start, 1), "torch": torch.__version__, "loss_curve": curve,
              "shape": {"vocab": vocab, "hidden": a.hidden, "layers": a.layers, "heads": a.heads, "kv_heads": a.kv_heads,
                        "intermediate": a.intermediate}}
    json.dump(record, open(os.path.join(a.out, "training-run.json"), "w"), indent=1)
    print(json.dumps({k: v for k, v in record.items() if k != "loss_curve"}))


if __name__ == "__main__":
    main()
