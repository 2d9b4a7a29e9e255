#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each for a bounded time. Not part of `make test`: fuzzing takes
# minutes and a core. fuzz/README.md lists the targets and the figures of the last long runs.
#
#   fuzz/run.sh                     # every target, FUZZ_SECONDS (default 600) each
#   fuzz/run.sh hl7 factcheck       # only these targets
#   FUZZ_SECONDS=20 fuzz/run.sh     # the short run CI calls (`make fuzz-smoke`)
#   FUZZ_SECONDS=0 fuzz/run.sh      # build only
#   FUZZ_BUILD_WRAPPER="flock /tmp/lock" fuzz/run.sh   # builds (not fuzz runs) go through this command
#
# Targets: hl7, text, cda (the ClinicalDocuments readers, built with swiftc), factcheck (the fact checker)
# and pipeline (bytes → reader → demo model → every template), built by SwiftPM with QUILL_FUZZ=1 into
# .build-fuzz so the ordinary .build is left alone.
#
# Exits non-zero when a target finds a crash, a hang (over 10 s for one input) or an input that uses more
# than 2 GB; the input is written to .build/fuzz/artifacts/ (keep it as fuzz/regressions/<target>-<name>).
# The corpus grows in .build/fuzz/corpus-<target>/ between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFTC=${SWIFTC:-swiftc}
SWIFT=${SWIFT:-swift}
SECONDS_EACH=${FUZZ_SECONDS:-600}
read -r -a WRAP <<< "${FUZZ_BUILD_WRAPPER:-}"
OUT=.build/fuzz
# The public samples committed in Tests/Data, and the whole upstream collection when it sits beside the repository.
SAMPLES=(Tests/Data/samples)
[ -d ../shared/samples ] && SAMPLES+=(../shared/samples)
mkdir -p "$OUT/artifacts"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(hl7 text cda factcheck pipeline)

build_reader() {   # build_reader <name> <entry file>: one ClinicalDocuments reader target, by swiftc
    "${WRAP[@]}" "$SWIFTC" -sanitize=fuzzer,address -parse-as-library -O -g -module-name ClinicalDocuments \
        -I Sources/CLibXML2 -Xcc -I/usr/include/libxml2 -lxml2 \
        Sources/ClinicalDocuments/*.swift "fuzz/$2" -o "$OUT/fuzz-$1" > "$OUT/build-$1.log" 2>&1 \
        || { cat "$OUT/build-$1.log"; exit 1; }
}

build_package() {  # build_package <name>: a SwiftPM fuzz target (Package.swift declares them under QUILL_FUZZ)
    QUILL_FUZZ=1 "${WRAP[@]}" "$SWIFT" build -c release --scratch-path .build-fuzz --product "fuzz-$1" \
        -Xswiftc -sanitize=fuzzer,address -Xswiftc -g > "$OUT/build-$1.log" 2>&1 \
        || { cat "$OUT/build-$1.log"; exit 1; }
    cp .build-fuzz/release/"fuzz-$1" "$OUT/fuzz-$1"
}

seed() {    # seed <name>: the committed seeds, the inputs that once failed, and sample files of that format
    local dir="$OUT/corpus-$1"
    mkdir -p "$dir"
    cp -n fuzz/seeds/"$1"/* "$dir"/ 2>/dev/null || true
    cp -n fuzz/regressions/"$1"-* "$dir"/ 2>/dev/null || true   # inputs that once failed stay in the corpus
    case "$1" in
        hl7) for s in "${SAMPLES[@]}"; do cp -n "$s"/FHIR-Converter/data/SampleData/Hl7v2/*.hl7 "$dir"/ 2>/dev/null || true; done
             cp -n Tests/ClinicalDocumentsTests/Fixtures/*.hl7 "$dir"/ 2>/dev/null || true ;;
        text) cp -n Tests/ClinicalDocumentsTests/Fixtures/*.txt Tests/ClinicalDocumentsTests/Fixtures/*.vtt "$dir"/ 2>/dev/null || true ;;
        cda) for s in "${SAMPLES[@]}"; do find "$s/C-CDA-Examples" -name '*.xml' -size -64k -exec cp -n {} "$dir"/ \; 2>/dev/null || true; done
             cp -n Tests/ClinicalDocumentsTests/Fixtures/*.xml "$dir"/ 2>/dev/null || true ;;
        pipeline) cp -n fuzz/seeds/text/* fuzz/seeds/hl7/* examples/* "$dir"/ 2>/dev/null || true
             find Tests/ClinicalDocumentsTests/Fixtures -name '*.xml' -size -4k -exec cp -n {} "$dir"/ \; 2>/dev/null || true ;;
    esac
}

for t in "${targets[@]}"; do
    # Per target: how it is built, and the largest input (the pipeline's prompt must stay small for speed).
    max_len=65536
    leaks=1
    case "$t" in
        hl7) kind=reader; entry=FuzzHL7.swift ;;
        text) kind=reader; entry=FuzzText.swift ;;
        cda) kind=reader; entry=FuzzCDA.swift ;;
        # Leak checks are off for the SwiftPM targets: what they make once and keep for the process (the fact
        # checker's NSRegularExpressions, the parsed chat template and tokenizer, FoundationXML's parser state)
        # is held through references LeakSanitizer does not see as pointers, and it reports them as leaks.
        # A leak per document would still show as growing RSS against -rss_limit_mb.
        factcheck) kind=package; max_len=8192; leaks=0 ;;
        pipeline) kind=package; max_len=3072; leaks=0 ;;
        *) echo "unknown target $t (hl7, text, cda, factcheck, pipeline)"; exit 2 ;;
    esac
    echo "== building fuzz-$t"
    start=$SECONDS
    if [ "$kind" = reader ]; then build_reader "$t" "$entry"; else build_package "$t"; fi
    echo "   built in $((SECONDS - start)) s"
    [ "$SECONDS_EACH" = 0 ] && continue   # FUZZ_SECONDS=0: build only
    seed "$t"
    echo "== running fuzz-$t for ${SECONDS_EACH}s"
    set +e
    ASAN_OPTIONS=detect_leaks=$leaks nice -n 10 "$OUT/fuzz-$t" "$OUT/corpus-$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -max_len="$max_len" -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$t-" -detect_leaks=$leaks > "$OUT/fuzz-$t.log" 2>&1
    rc=$?
    set -e
    grep -E '^(#[0-9]+ +DONE|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)|==[0-9]+==ERROR|SUMMARY|INFO: Running|.*Fatal error)' "$OUT/fuzz-$t.log" || true
    if [ $rc -ne 0 ] || grep -q -E 'ERROR: (libFuzzer|AddressSanitizer)|deadly signal' "$OUT/fuzz-$t.log"; then
        echo "fuzz-$t FOUND A PROBLEM (exit $rc): see $OUT/fuzz-$t.log and $OUT/artifacts/"; exit 1
    fi
done
