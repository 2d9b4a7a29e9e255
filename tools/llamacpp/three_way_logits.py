#!/usr/bin/env python3
"""Who is closer to the exact product: Quill or llama.cpp? At a few positions of the agreement text
(Tests/Data/real-models/<model>.json), the max |difference| between three logit vectors for the same prefix:
Quill on the GGUF file as stored, llama.cpp (dump_logits) on the same file, and Quill in f32 on the same weights
dequantized into a Hugging Face folder (`quill lm convert --model FILE.gguf --output FOLDER --dtype f32`), which
rounds no activations. Prints one line per position.

    python3 tools/llamacpp/three_way_logits.py MODEL_NAME F32_FOLDER 0,100,1000 [QUILL_BINARY]
"""
import json
import os
import subprocess
import sys

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
name, folder, positions = sys.argv[1], sys.argv[2], [int(p) for p in sys.argv[3].split(",")]
quill = sys.argv[4] if len(sys.argv) > 4 else os.path.join(ROOT, ".build/release/quill")
ids = json.load(open(os.path.join(ROOT, f"Tests/Data/real-models/{name}.json")))["ids"]
gguf = os.path.join(ROOT, "models", name + ".gguf")
prefix = subprocess.run(["bash", os.path.join(ROOT, "tools/llamacpp/build.sh")], check=True, capture_output=True, text=True).stdout.strip()
n = max(positions) + 1
out = "/tmp/three_way_logits.f32"
subprocess.run([os.path.join(prefix, "bin/dump_logits"), gguf, out] + [str(i) for i in ids[:n]], check=True, capture_output=True)
llama = np.fromfile(out, dtype="<f4").reshape(n, -1)
os.unlink(out)


def quill_logits(model, p, extra=()):
    res = subprocess.run([quill, "lm", "logits", "--model", model, "--threads", "2", "--input-ids",
                          ",".join(map(str, ids[:p + 1])), *extra], check=True, capture_output=True, text=True)
    return np.array(json.loads(res.stdout)["logits"], dtype=np.float32)


for p in positions:
    q, e, l = quill_logits(gguf, p), quill_logits(folder, p, ("--quant", "f32")), llama[p]
    print(f"position {p}: |Quill - llama.cpp| {np.abs(q - l).max():.3f}, |Quill - exact| {np.abs(q - e).max():.3f}, "
          f"|llama.cpp - exact| {np.abs(l - e).max():.3f} (logit std {l.std():.2f})")
