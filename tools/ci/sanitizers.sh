#!/usr/bin/env bash
# CI's sanitizer pass: the code that shares memory between threads and tears it down (engine kernels and
# thread pool, model loading and inference, the daemon's workers and shutdown) built and run under
# AddressSanitizer and ThreadSanitizer, each in its own build folder (.build-asan, .build-tsan; git-ignored).
# Then `quill process` on three documents, twice under each sanitizer: the exit path is where a use after
# free or a race in teardown shows. Any sanitizer report fails the run.
#   tools/ci/sanitizers.sh                 both sanitizers
#   SANITIZERS=thread tools/ci/sanitizers.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
SWIFT=${SWIFT:-swift}
SANITIZERS=${SANITIZERS:-address thread}
TESTS=${SANITIZER_TESTS:-'TensorsTests|LLMTests|TokenizersTests.CraftedTokenizerTests|QuillDaemonTests'}
# Quality measurements that only repeat the same kernels for minutes (they run in the debug and release passes).
SKIP=${SANITIZER_SKIP:-'QuantizedAgreementTests'}
DOCS=(examples/discharge-note.cda.xml examples/discharge-note.hl7 examples/discharge-note.txt)
# halt_on_error: the first report fails the step; second_deadlock_stack: both stacks of a lock-order report.
# LeakSanitizer is off: it reports the process-lifetime allocations of the Swift runtime and Foundation.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:halt_on_error=1}
# The Swift runtime's crash backtracer, started on a sanitizer's abort, once hung holding the test's files open.
export SWIFT_BACKTRACE=enable=no
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:report_signal_unsafe=0}

for sanitizer in $SANITIZERS; do
  case $sanitizer in
    address) scratch=.build-asan ;;
    thread) scratch=.build-tsan ;;
    *) echo "unknown sanitizer $sanitizer (address, thread)" >&2; exit 2 ;;
  esac
  start=$SECONDS
  echo "== $sanitizer: build"
  $SWIFT build --build-tests --sanitize="$sanitizer" --scratch-path "$scratch"
  echo "== $sanitizer: tests ($TESTS)"
  # A sanitizer abort once left `swift test` waiting for a test process that was gone: bounded.
  timeout "${SANITIZER_TEST_SECONDS:-1500}" $SWIFT test --skip-build --sanitize="$sanitizer" --scratch-path "$scratch" --filter "$TESTS" --skip "$SKIP"
  echo "== $sanitizer: quill process, 3 documents, twice"
  bin=$($SWIFT build --sanitize="$sanitizer" --scratch-path "$scratch" --show-bin-path)
  for run in 1 2; do
    state=$(mktemp -d)
    if ! "$bin/quill" process --state "$state" --model models/demo "${DOCS[@]}" >"$state.out" 2>"$state.err"; then
      echo "quill process under $sanitizer failed (run $run):" >&2; tail -60 "$state.err" >&2; exit 1
    fi
    rm -rf "$state" "$state.out" "$state.err"
  done
  echo "== $sanitizer: done in $((SECONDS - start)) s"
done
