"""docs/PERFORMANCE.md is written by several benchmarks; each owns one `## ` section and replaces only it."""
import os


def replace_section(doc, heading_prefix, section):
    text = open(doc).read() if os.path.exists(doc) else (
        "# Performance\n\nNumbers written by `make bench`. Machines are shared and noisy: compare ratios measured in the same run.\n\n")
    start = text.find(heading_prefix)
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(doc, "w") as f:
        f.write(text)
