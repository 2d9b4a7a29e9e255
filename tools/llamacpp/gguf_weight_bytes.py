#!/usr/bin/env python3
"""Bytes of weights a GGUF model reads per decoded token: every tensor except the embedding table, plus one row
of it (the same count quill-bench reports as weight_bytes_per_token). Prints one JSON object.

    python3 tools/llamacpp/gguf_weight_bytes.py FILE.gguf --gguf-py PREFIX/src/gguf-py
"""
import argparse
import json
import sys

ap = argparse.ArgumentParser()
ap.add_argument("file")
ap.add_argument("--gguf-py", required=True)
a = ap.parse_args()
sys.path.insert(0, a.gguf_py)
import gguf  # noqa: E402

r = gguf.GGUFReader(a.file)
total = per_token = 0
types = {}
for t in r.tensors:
    n = int(t.n_bytes)
    total += n
    types[t.tensor_type.name] = types.get(t.tensor_type.name, 0) + n
    if t.name == "token_embd.weight":
        rows = int(t.shape[-1]) if len(t.shape) > 1 else 1  # GGUF shapes are [cols, rows]
        per_token += n // max(rows, 1)
    else:
        per_token += n
print(json.dumps({"weight_bytes": total, "weight_bytes_per_token": per_token, "bytes_by_type": types}))
