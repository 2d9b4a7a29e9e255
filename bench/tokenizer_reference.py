#!/usr/bin/env python3
"""Times Hugging Face `tokenizers` (its Rust core, one thread) on a file, with the same protocol as
bench/TokenizerBench: one warm-up pass (fills the word cache), then the best of RUNS timed passes.

MODE "file" encodes the whole file in one call; "notes" encodes each blank-line-separated document separately,
as Quill does. Prints `tokens seconds checksum` (the checksum proves both sides produced the same ids).
Run with RAYON_NUM_THREADS=1 and TOKENIZERS_PARALLELISM=false (bench/tokenizer.sh sets both).
"""
import sys
import time

from tokenizers import Tokenizer

tokenizer_json, text_file, mode, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
tok = Tokenizer.from_file(tokenizer_json)
text = open(text_file, encoding="utf-8", newline="").read()  # keep \r (HL7 segment ends) as is
inputs = [text] if mode == "file" else text.split("\n\n")


def encode_all():
    return [tok.encode(t, add_special_tokens=False).ids for t in inputs]


def checksum(lists):
    h = 0
    for ids in lists:
        for i in ids:
            h = (h * 31 + i) % 1_000_000_007
    return h


reference = encode_all()
count = sum(len(ids) for ids in reference)
best = float("inf")
for _ in range(runs):
    start = time.perf_counter()
    result = encode_all()
    best = min(best, time.perf_counter() - start)
    assert result == reference
print(count, f"{best:.6f}", checksum(reference))
