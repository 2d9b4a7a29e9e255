#!/usr/bin/env bash
# Builds the libFuzzer targets of ClinicalDocuments with `swiftc -sanitize=fuzzer,address` and runs each
# for a bounded time. Not part of `make test`: fuzzing takes minutes and a core.
#
#   fuzz/run.sh                 # every target, FUZZ_SECONDS (default 600) each
#   fuzz/run.sh hl7 text        # only these targets
#   FUZZ_SECONDS=60 fuzz/run.sh
#
# Crashes, hangs (over 10 s for one input) and inputs that use more than 2 GB are written to
# .build/fuzz/artifacts/; the corpus grows in .build/fuzz/corpus-<target>/ between runs.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFTC=${SWIFTC:-swiftc}
SECONDS_EACH=${FUZZ_SECONDS:-600}
OUT=.build/fuzz
# The public samples committed in Tests/Data, and the whole upstream collection when it sits beside the repository.
SAMPLES=(Tests/Data/samples)
[ -d ../shared/samples ] && SAMPLES+=(../shared/samples)
mkdir -p "$OUT/artifacts"
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(hl7 text cda)

build() {   # build <name> <entry file>
    "$SWIFTC" -sanitize=fuzzer,address -parse-as-library -O -g -module-name ClinicalDocuments \
        -I Sources/CLibXML2 -Xcc -I/usr/include/libxml2 -lxml2 \
        Sources/ClinicalDocuments/*.swift "fuzz/$2" -o "$OUT/fuzz-$1" > "$OUT/build-$1.log" 2>&1 \
        || { cat "$OUT/build-$1.log"; exit 1; }
}

seed() {    # seed <name>: the committed seeds plus the public samples of that format
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
    esac
}

for t in "${targets[@]}"; do
    case "$t" in
        hl7) entry=FuzzHL7.swift ;; text) entry=FuzzText.swift ;; cda) entry=FuzzCDA.swift ;;
        *) echo "unknown target $t (hl7, text, cda)"; exit 2 ;;
    esac
    echo "== building fuzz-$t"
    build "$t" "$entry"
    seed "$t"
    echo "== running fuzz-$t for ${SECONDS_EACH}s"
    nice -n 10 "$OUT/fuzz-$t" "$OUT/corpus-$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$OUT/artifacts/$t-" 2>&1 | tee "$OUT/fuzz-$t.log" | grep -E '^(#[0-9]+ +DONE|stat::|==[0-9]+==ERROR|SUMMARY|INFO: Running)' || true
    if grep -q -E 'ERROR: (libFuzzer|AddressSanitizer)|deadly signal' "$OUT/fuzz-$t.log"; then
        echo "fuzz-$t FOUND A PROBLEM: see $OUT/fuzz-$t.log and $OUT/artifacts/"; exit 1
    fi
done
