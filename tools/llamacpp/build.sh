#!/usr/bin/env bash
# Builds the peer once: llama.cpp from the source vendored in PyPI's llama-cpp-python sdist (pinned by version
# and SHA-256), with native CPU flags, cached outside the repository. Prints the install prefix on stdout.
#
#   bash tools/llamacpp/build.sh            # builds if missing, then prints e.g. ~/.cache/quill/llama.cpp-0.3.36
#
# Only the targets Quill compares against are built: llama-bench, llama-quantize, the shared libllama, and
# tools/llamacpp/dump_logits.cpp linked against it. The conversion script and its `gguf` package come from the
# same vendored tree (prefix/src/convert_hf_to_gguf.py, prefix/src/gguf-py), so every tool has one version.
# The compile runs niced under the shared build lock: the machine's cores are shared with the Swift builds.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

VERSION=0.3.36
SHA256=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
URL=https://files.pythonhosted.org/packages/ec/e9/e7de2b0463ea3ffbf0ede6cb21b58c1258a8f6521aae45ca773a59fe7cf3/llama_cpp_python-$VERSION.tar.gz
PREFIX="${QUILL_LLAMACPP:-${XDG_CACHE_HOME:-$HOME/.cache}/quill/llama.cpp-$VERSION}"
LOCK=/tmp/quill-build.lock
JOBS="${JOBS:-2}"

# Native CPU flags, except AMX: some virtual machines list amx_tile/amx_int8 in /proc/cpuinfo but do not let a
# process use the tiles, and ggml's AMX kernels (compiled in whenever -march=native implies AMX) then die of
# SIGILL on the first quantized matrix product (seen on Sapphire Rapids guests). On such a CPU the x86 features
# are named one by one from /proc/cpuinfo instead of -march=native. Quill uses no AMX either.
CMAKE_FLAGS="-DGGML_NATIVE=ON"
if grep -qw amx_tile /proc/cpuinfo; then
  CMAKE_FLAGS="-DGGML_NATIVE=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
  for pair in avx:AVX avx2:AVX2 fma:FMA f16c:F16C bmi2:BMI2 avx_vnni:AVX_VNNI avx512f:AVX512 avx512vbmi:AVX512_VBMI \
              avx512_vnni:AVX512_VNNI avx512_bf16:AVX512_BF16; do
    if grep -qw "${pair%%:*}" /proc/cpuinfo; then CMAKE_FLAGS="$CMAKE_FLAGS -DGGML_${pair##*:}=ON"; else CMAKE_FLAGS="$CMAKE_FLAGS -DGGML_${pair##*:}=OFF"; fi
  done
fi

# The dumper is part of the build: rebuilt whenever its committed source is newer than the binary; the whole
# build is redone when the flags it was made with differ.
stamp="$PREFIX/.built"
if [ -f "$stamp" ] && grep -qxF "flags=$CMAKE_FLAGS" "$stamp" && [ "$PREFIX/bin/dump_logits" -nt "$here/dump_logits.cpp" ]; then
  echo "$PREFIX"; exit 0
fi

command -v cmake >/dev/null || { echo "cmake is missing: apt-get install cmake (make bench-deps)" >&2; exit 1; }
mkdir -p "$PREFIX"
src="$PREFIX/src"
if [ ! -f "$src/CMakeLists.txt" ]; then
  tarball="$PREFIX/llama_cpp_python-$VERSION.tar.gz"
  if [ ! -f "$tarball" ]; then
    # The sdist itself, fetched as `pip download --no-deps --no-binary :all: llama-cpp-python==$VERSION` would,
    # but without pip preparing its metadata (that builds cmake and ninja from source first: an hour on 2 cores).
    echo "fetching llama-cpp-python $VERSION sdist" >&2
    curl -sSfL -o "$tarball.part" "$URL"
    mv "$tarball.part" "$tarball"
  fi
  echo "$SHA256  $tarball" | sha256sum -c --quiet - >&2 || { echo "SHA-256 mismatch: $tarball" >&2; rm -f "$tarball"; exit 1; }
  rm -rf "$src.tmp" && mkdir -p "$src.tmp"
  tar xzf "$tarball" -C "$src.tmp" --strip-components=3 "llama_cpp_python-$VERSION/vendor/llama.cpp"
  mv "$src.tmp" "$src"
fi

build="$PREFIX/build"
echo "building llama.cpp ($VERSION vendored) in $build, -march=native" >&2
flock "$LOCK" nice -n 10 bash -c "
  set -e
  cmake -S '$src' -B '$build' -DCMAKE_BUILD_TYPE=Release $CMAKE_FLAGS -DBUILD_SHARED_LIBS=ON \
    -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
    -DGGML_OPENMP=ON >&2
  cmake --build '$build' -j $JOBS --target llama-bench llama-quantize >&2
  mkdir -p '$PREFIX/bin' '$PREFIX/lib'
  cp -a '$build'/bin/llama-bench '$build'/bin/llama-quantize '$PREFIX/bin/'
  cp -a '$build'/bin/*.so* '$PREFIX/lib/' 2>/dev/null || true
  find '$build' -name '*.so*' -exec cp -a {} '$PREFIX/lib/' \;
  g++ -O2 -std=c++17 -I'$src/include' -I'$src/ggml/include' '$here/dump_logits.cpp' -o '$PREFIX/bin/dump_logits' \
    -L'$PREFIX/lib' -lllama -lggml -lggml-base -Wl,-rpath,'$PREFIX/lib'
"
# llama-bench and llama-quantize find libllama by the build tree's rpath; keep the tree (it is the cache).
{ echo "version=$VERSION"; echo "sha256=$SHA256"; echo "flags=$CMAKE_FLAGS"; echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"; } > "$stamp"
echo "$PREFIX"
