#!/usr/bin/env bash
# Refreshes Tests/Data, the public test data committed with the repository, from the upstream collection
# (default ../shared beside the repository: samples/ and tokenizers/, each with its sources and licences).
# Only the files the tests read are copied; Tests/Data/SOURCES.md says where each comes from.
#
#   tools/test-data/refresh.sh [SOURCE_DIR]
#
# Files over 1 MB (the tokenizer.json files) are stored as `name.gz` (gzip -9n: no name or time stamp inside,
# so the same input always gives the same bytes); the test helpers decompress them with gzip, which every
# Debian system has (Essential: yes). Afterwards `git status Tests/Data` shows what changed.
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=${1:-../shared}
DEST=Tests/Data
LARGE=$((1024 * 1024))

SAMPLES=(
    C-CDA-Examples/LICENSE
    "C-CDA-Examples/Documents/CCD/CCD 2/CCD.xml"
    "C-CDA-Examples/Documents/Consultation Note/Consultation_Note.xml"
    "C-CDA-Examples/Documents/Discharge Summary/Discharge_Summary.xml"
    "C-CDA-Examples/Documents/History and Physical/History_and_Physical.xml"
    "C-CDA-Examples/Documents/Operative Note/Operative_Note.xml"
    "C-CDA-Examples/Documents/Procedure Note/Procedure_Note.xml"
    "C-CDA-Examples/Documents/Progress Note/Progress_Note.xml"
    "C-CDA-Examples/Documents/Transfer Summary/Transfer_Summary.xml"
    "C-CDA-Examples/Unstructured/CDA with Embedded Text plain/CDA_Embedded_Text_Plain_Surgical_Consult.xml"
    "C-CDA-Examples/Unstructured/CDA reference PDF/Unstructured_Document_reference.xml"
    "C-CDA-Examples/Notes/Discharge Note in Hospital Course/Discharge Note(C-CDAR2.1).xml"
    "C-CDA-Examples/Notes/Single Consultation Note/Single Consultation Note(C-CDA R2.1).xml"
    "C-CDA-Examples/Notes/RTF Note/RTF Note (C-CDA R2.1).xml"
    "C-CDA-Examples/Guide Examples/Assessment Section_2.16.840.1.113883.10.20.22.2.8/Assessment Section Example.xml"
    "C-CDA-Examples/Guide Examples/Hospital Course Section_1.3.6.1.4.1.19376.1.5.3.1.3.5/Hospital Course Section Example.xml"
    "C-CDA-Examples/Guide Examples/Objective Section_2.16.840.1.113883.10.20.21.2.1/Objective Section Example.xml"
    "C-CDA-Examples/Guide Examples/Plan of Treatment Section (V2)_2.16.840.1.113883.10.20.22.2.10/Plan of Treatment Section (V2) Example.xml"
    FHIR-Converter/LICENSE
    FHIR-Converter/data/SampleData/Hl7v2/{ADT-A01-01,ADT-A03-01,LAB-ORU-1,LRI_2.0-NG_CBC_Typ_Message,MDM-T02-01,MDM-T02-03,MDM-T06-02,MDM-T10-02,ORU-R01-01}.hl7
    MTS-Dialog/LICENSE.txt
    MTS-Dialog/Main-Dataset/MTS-Dialog-ValidationSet.csv
    MTS-Dialog/Main-Dataset/MTS-Dialog-TestSet-1-MEDIQA-Chat-2023.csv
    aci-bench/README.md
    aci-bench/data/challenge_data/{valid,clinicalnlp_taskB_test1,clinicalnlp_taskC_test2}.csv
)

# The GGUF vocabularies beside the llama.cpp vectors are not read by any test and stay out.
TOKENIZERS=(
    README.md
    deepseek-r1-distill-qwen-1.5b/{tokenizer.json,tokenizer_config.json,config.json,generation_config.json}
    tinyllama-1.1b-chat/{tokenizer.json,tokenizer_config.json,chat_template.jinja,special_tokens_map.json}
    llama3/tokenizer.json
    llama.cpp-vectors/LICENSE
    llama.cpp-vectors/ggml-vocab-{qwen2,llama-bpe,llama-spm,deepseek-llm,tinyllama}.gguf.{inp,out}
    chat-templates/{Qwen-QwQ-32B,Qwen-Qwen2.5-7B-Instruct,deepseek-ai-DeepSeek-R1-Distill-Llama-8B,deepseek-ai-DeepSeek-R1-Distill-Qwen-32B,meta-llama-Llama-3.1-8B-Instruct,meta-llama-Llama-3.2-3B-Instruct}.jinja
)

copy() {    # copy <collection> <relative path>
    local from="$SRC/$1/$2" to="$DEST/$1/$2"
    [ -f "$from" ] || { echo "missing $from" >&2; exit 1; }
    mkdir -p "$(dirname "$to")"
    rm -f "$to" "$to.gz"
    if [ "$(stat -c %s "$from")" -gt "$LARGE" ]; then
        gzip -9n -c "$from" > "$to.gz"
    else
        install -m 644 "$from" "$to"
    fi
}

rm -rf "$DEST/samples" "$DEST/tokenizers"
for f in "${SAMPLES[@]}"; do copy samples "$f"; done
for f in "${TOKENIZERS[@]}"; do copy tokenizers "$f"; done
install -m 644 "$SRC/samples/SOURCES.md" "$DEST/samples/SOURCES.md"
echo "Tests/Data: $(find "$DEST" -type f | wc -l) files, $(du -sh --apparent-size "$DEST" | cut -f1)"
