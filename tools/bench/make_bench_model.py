#!/usr/bin/env python3
"""Writes a random-weight model folder with the exact shape of
DeepSeek-R1-Distill-Qwen-1.5B, for benchmarks (never commit the output).

    python3 tools/bench/make_bench_model.py bench/models/r1-1.5b-shape
    python3 tools/bench/make_bench_model.py bench/models/r1-small --small   # 2 layers, same widths

The safetensors file is written directly with numpy, tensor by tensor, without
building the model in torch: 1.78 G parameters as BF16 are 3.55 GB, and the
values only have to look random (speed does not depend on them), so every
matrix is cut from one shared pool of N(0, 0.02²) values at a random offset
rather than drawn afresh. transformers loads the result like the real model.
"""
import argparse
import json
import os
import struct
import time

import numpy as np

# MODEL-FACTS 1.1 (config.json of deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B, transformers 4.x form)
CONFIG = {
    "architectures": ["Qwen2ForCausalLM"],
    "attention_dropout": 0.0,
    "bos_token_id": 151643,
    "eos_token_id": 151643,
    "hidden_act": "silu",
    "hidden_size": 1536,
    "initializer_range": 0.02,
    "intermediate_size": 8960,
    "max_position_embeddings": 131072,
    "max_window_layers": 21,
    "model_type": "qwen2",
    "num_attention_heads": 12,
    "num_hidden_layers": 28,
    "num_key_value_heads": 2,
    "rms_norm_eps": 1e-06,
    "rope_scaling": None,
    "rope_theta": 10000,
    "sliding_window": 4096,
    "tie_word_embeddings": False,
    "torch_dtype": "bfloat16",
    "transformers_version": "4.44.0",
    "use_cache": True,
    "use_mrope": False,
    "use_sliding_window": False,
    "vocab_size": 151936,
}

POOL = 1 << 25  # 32 M values (64 MB as bf16): large against any one row, cheap to draw


def to_bf16(x):
    """float32 -> bfloat16 bits (round to nearest even): the upper 16 bits of the f32."""
    u = x.astype(np.float32).view(np.uint32)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def tensor_list(c):
    """(name, shape, kind) in the order transformers' own writer uses (sorted names)."""
    H, I, V = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    d = H // c["num_attention_heads"]
    kv = c["num_key_value_heads"] * d
    out = [("model.embed_tokens.weight", (V, H), "w"), ("model.norm.weight", (H,), "norm")]
    if not c["tie_word_embeddings"]:
        out.append(("lm_head.weight", (V, H), "w"))
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out += [
            (p + "input_layernorm.weight", (H,), "norm"),
            (p + "post_attention_layernorm.weight", (H,), "norm"),
            (p + "self_attn.q_proj.weight", (H, H), "w"), (p + "self_attn.q_proj.bias", (H,), "bias"),
            (p + "self_attn.k_proj.weight", (kv, H), "w"), (p + "self_attn.k_proj.bias", (kv,), "bias"),
            (p + "self_attn.v_proj.weight", (kv, H), "w"), (p + "self_attn.v_proj.bias", (kv,), "bias"),
            (p + "self_attn.o_proj.weight", (H, H), "w"),
            (p + "mlp.gate_proj.weight", (I, H), "w"),
            (p + "mlp.up_proj.weight", (I, H), "w"),
            (p + "mlp.down_proj.weight", (H, I), "w"),
        ]
    return sorted(out)


def write_model(out_dir, config, seed=0):
    os.makedirs(out_dir, exist_ok=True)
    rng = np.random.default_rng(seed)
    pool = to_bf16(rng.standard_normal(POOL, dtype=np.float32) * 0.02)

    tensors = tensor_list(config)
    header, off = {}, 0
    for name, shape, _ in tensors:
        n = int(np.prod(shape)) * 2
        header[name] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [off, off + n]}
        off += n
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)  # data section 8-byte aligned, as safetensors writes it

    path = os.path.join(out_dir, "model.safetensors")
    with open(path + ".part", "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for name, shape, kind in tensors:
            n = int(np.prod(shape))
            if kind == "w":
                # cyclic slice of the pool from a random start, in pool-sized writes
                start = int(rng.integers(POOL))
                left = n
                while left:
                    k = min(left, POOL - start)
                    f.write(memoryview(pool[start:start + k]))  # no copy
                    left -= k
                    start = 0
            elif kind == "norm":
                f.write(to_bf16(1.0 + 0.05 * rng.standard_normal(n, dtype=np.float32)).tobytes())
            else:
                f.write(to_bf16(0.02 * rng.standard_normal(n, dtype=np.float32)).tobytes())
    os.replace(path + ".part", path)  # a half-written model is never left under the final name
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    return off


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--small", action="store_true", help="2 layers of the same widths (quick pipeline tests)")
    ap.add_argument("--layers", type=int, help="override the layer count")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    config = dict(CONFIG)
    if a.small:
        config["num_hidden_layers"] = 2
    if a.layers:
        config["num_hidden_layers"] = a.layers
    t = time.time()
    size = write_model(a.out_dir, config, a.seed)
    params = size // 2
    print(json.dumps({"out_dir": a.out_dir, "layers": config["num_hidden_layers"], "parameters": params,
                      "bytes": size, "seconds": round(time.time() - t, 1)}))


if __name__ == "__main__":
    main()
