#!/usr/bin/env python3
"""Writes the benchmark model folder (tools/bench/make_bench_model.py: qwen2, BF16 safetensors, random weights)
as a BF16 GGUF file that llama-quantize turns into Q8_0, Q4_0 and Q4_K_M.

    python3 tools/llamacpp/bench_model_to_gguf.py bench/models/r1-1.5b-shape OUT.gguf --gguf-py PREFIX/src/gguf-py

llama.cpp's convert_hf_to_gguf.py needs torch and the model's tokenizer files; the benchmark folder has neither
(its weights are random and it never had a tokenizer), so this writes what that script writes for a qwen2
folder — the same tensor names, BF16 matrices, F32 norms and biases, the same hyper-parameter keys — with a
synthetic byte-level vocabulary of the right size (speed does not depend on the vocabulary's strings).
Tensors are streamed from a memory map, so the 3.5 GB model is never in memory at once.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    header.pop("__metadata__", None)
    return header, data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("out")
    ap.add_argument("--gguf-py", required=True, help="the gguf package vendored with the llama.cpp build")
    a = ap.parse_args()
    sys.path.insert(0, a.gguf_py)
    import gguf

    c = json.load(open(os.path.join(a.folder, "config.json")))
    assert c["model_type"] == "qwen2", "only the qwen2 benchmark shape is supported"
    header, data = read_safetensors(os.path.join(a.folder, "model.safetensors"))

    wr = gguf.GGUFWriter(a.out + ".part", "qwen2")
    wr.add_name("quill-bench-" + os.path.basename(os.path.normpath(a.folder)))
    wr.add_context_length(4096)
    wr.add_embedding_length(c["hidden_size"])
    wr.add_block_count(c["num_hidden_layers"])
    wr.add_feed_forward_length(c["intermediate_size"])
    wr.add_head_count(c["num_attention_heads"])
    wr.add_head_count_kv(c["num_key_value_heads"])
    wr.add_rope_freq_base(float(c["rope_theta"]))
    wr.add_layer_norm_rms_eps(c["rms_norm_eps"])
    wr.add_file_type(gguf.LlamaFileType.MOSTLY_BF16)
    vocab = c["vocab_size"]
    b2u = bytes_to_unicode()
    tokens = [b2u[b] for b in range(256)] + [f"t{i}" for i in range(256, vocab - 3)] + \
             ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    wr.add_tokenizer_model("gpt2")
    wr.add_tokenizer_pre("qwen2")
    wr.add_token_list(tokens)
    wr.add_token_types([1] * (vocab - 3) + [3] * 3)
    wr.add_token_merges(["t 1"])  # one merge: the gpt2 vocabulary type requires the key
    wr.add_bos_token_id(vocab - 3)
    wr.add_eos_token_id(vocab - 3)
    wr.add_add_bos_token(False)

    rename = {"input_layernorm": "attn_norm", "post_attention_layernorm": "ffn_norm", "self_attn.q_proj": "attn_q",
              "self_attn.k_proj": "attn_k", "self_attn.v_proj": "attn_v", "self_attn.o_proj": "attn_output",
              "mlp.gate_proj": "ffn_gate", "mlp.up_proj": "ffn_up", "mlp.down_proj": "ffn_down"}

    def gguf_name(hf):
        if hf == "model.embed_tokens.weight":
            return "token_embd.weight"
        if hf == "model.norm.weight":
            return "output_norm.weight"
        if hf == "lm_head.weight":
            return "output.weight"
        _, _, i, rest = hf.split(".", 3)
        mod, kind = rest.rsplit(".", 1)
        return f"blk.{i}.{rename[mod]}.{kind}"

    def key(hf):  # llama.cpp's converter order: embedding, blocks in order, then the head
        n = gguf_name(hf)
        return (0, 0, n) if n.startswith("token") else (1, int(n.split(".")[1]), n) if n.startswith("blk") else (2, 0, n)

    for hf in sorted(header, key=key):
        info = header[hf]
        assert info["dtype"] == "BF16", f"{hf}: expected BF16, found {info['dtype']}"
        lo, hi = info["data_offsets"]
        raw = data[lo:hi].view(np.uint16).reshape(info["shape"])
        if len(info["shape"]) == 1:  # norms and biases stay F32, as the converter keeps them
            t = (raw.astype(np.uint32) << 16).view(np.float32)
            wr.add_tensor(gguf_name(hf), t)
        else:
            wr.add_tensor(gguf_name(hf), raw, raw_dtype=gguf.GGMLQuantizationType.BF16)
    wr.write_header_to_file()
    wr.write_kv_data_to_file()
    wr.write_tensors_to_file()
    wr.close()
    os.replace(a.out + ".part", a.out)


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, (chr(c) for c in cs)))


if __name__ == "__main__":
    main()
