#!/usr/bin/env python3
"""The PyTorch peer benchmark: prefill and greedy decode speed of a Hugging Face
model folder on the CPU, in fp32 and with dynamic int8 quantization of every
nn.Linear, for comparison with the Swift engine on the same shape.

    python3 tools/bench/torch_peer.py MODEL_DIR --threads 2 --prefill 512 --decode 128 --json OUT.json

Each mode runs in its own subprocess so that its peak RSS is its own (the int8
mode must first load the fp32 weights, so its peak includes them; `rss_steady`
is the resident size after quantization, before the timed runs).

Definitions (those of llama-bench's pp/tg): prefill = one forward pass over
`--prefill` random ids, tokens/s = prefill / seconds; decode = `--decode`
single-token forward passes on the KV cache, each feeding the previous argmax
(EOS does not stop it), tokens/s = decode / seconds.
"""
import argparse
import ctypes
import gc
import json
import os
import resource
import subprocess
import sys
import time


def rss_now_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return None


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_mode(a):
    import warnings
    # quantize_dynamic still works in torch 2.13 but warns on every call that it is deprecated
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message=".*quantize_per_tensor.*")
    import torch
    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    from transformers import AutoModelForCausalLM
    import transformers

    t0 = time.time()
    model = AutoModelForCausalLM.from_pretrained(a.model_dir, dtype=torch.float32).eval()
    load_s = time.time() - t0
    quant_s = None
    if a.mode == "int8":
        # torch.ao.quantization is the home of quantize_dynamic in torch 2.x
        # (torch.quantization is an alias kept for old code).
        from torch.ao.quantization import quantize_dynamic
        t0 = time.time()
        model = quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)
        quant_s = time.time() - t0
    # Hand freed fp32 buffers back to the OS so that rss_steady shows what the
    # quantized model really holds (glibc keeps freed heap otherwise).
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:
        pass
    rss_steady = rss_now_mb()

    vocab = model.config.vocab_size
    g = torch.Generator().manual_seed(a.seed)
    ids = torch.randint(0, min(vocab, 151643), (1, a.prefill), generator=g)

    with torch.inference_mode():
        model(input_ids=ids[:, :16], use_cache=True)  # warm-up: first-call allocations, kernel selection

        t0 = time.time()
        out = model(input_ids=ids, use_cache=True)
        prefill_s = time.time() - t0

        past = out.past_key_values
        nxt = out.logits[:, -1:].argmax(-1)
        generated = []
        t0 = time.time()
        for _ in range(a.decode):
            out = model(input_ids=nxt, past_key_values=past, use_cache=True)
            past = out.past_key_values
            nxt = out.logits[:, -1:].argmax(-1)
            generated.append(int(nxt))
        decode_s = time.time() - t0

    return {
        "mode": a.mode,
        "threads": a.threads,
        "prefill_tokens": a.prefill,
        "decode_tokens": a.decode,
        "prefill_seconds": round(prefill_s, 3),
        "prefill_tokens_per_s": round(a.prefill / prefill_s, 2),
        "decode_seconds": round(decode_s, 3),
        "decode_tokens_per_s": round(a.decode / decode_s, 2),
        "load_seconds": round(load_s, 1),
        "quantize_seconds": None if quant_s is None else round(quant_s, 1),
        "rss_steady_mb": round(rss_steady),
        "peak_rss_mb": round(peak_rss_mb()),
        "distinct_generated_ids": len(set(generated)),
        "torch_version": torch.__version__,
        "transformers_version": transformers.__version__,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model_dir")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prefill", type=int, default=512)
    ap.add_argument("--decode", type=int, default=128)
    ap.add_argument("--modes", default="fp32,int8", help="comma-separated: fp32, int8")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", help="also write the result here")
    ap.add_argument("--mode", help=argparse.SUPPRESS)  # internal: run one mode in this process
    a = ap.parse_args()

    if a.mode:
        print(json.dumps(run_mode(a)))
        return

    with open(os.path.join(a.model_dir, "config.json")) as f:
        cfg = json.load(f)
    result = {"model_dir": os.path.basename(os.path.normpath(a.model_dir)),
              "shape": {k: cfg[k] for k in ("hidden_size", "num_hidden_layers", "num_attention_heads",
                                            "num_key_value_heads", "intermediate_size", "vocab_size")},
              "cpu_count": os.cpu_count(), "runs": []}
    for mode in a.modes.split(","):
        cmd = [sys.executable, os.path.abspath(__file__), a.model_dir, "--mode", mode, "--threads", str(a.threads),
               "--prefill", str(a.prefill), "--decode", str(a.decode), "--seed", str(a.seed)]
        p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        if p.returncode != 0:
            sys.exit(f"{mode} run failed ({p.returncode})")
        result["runs"].append(json.loads(p.stdout.strip().splitlines()[-1]))
    text = json.dumps(result, indent=2)
    print(text)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
