#!/usr/bin/env python3
"""Training records for Quill's task adapters, from the public training splits only.

  tools/adapters/make_corpus.py --samples ../shared/samples --out build/corpus.jsonl

Reads ACI-Bench's train split (67 full encounters, note → SOAP sections) and MTS-Dialog's training set (1,201
dialogue snippets, one note section each) and writes records for `quill pairs` (id, task, input_name, input,
sections by heading). Never the validation or test splits: `quill eval` scores on those.

Both sets are CC BY 4.0: ACI-Bench, Yim et al., Sci Data 2023; MTS-Dialog, Ben Abacha et al., EACL 2023.

How the references become Quill's four SOAP lines (Quill writes one line per section):
- ACI-Bench notes have upper-case headings. History-like ones go to Subjective, exam/vitals/results to
  Objective, ASSESSMENT/IMPRESSION to Assessment, PLAN/INSTRUCTIONS to Plan, each kept as "Heading: text"
  inside the line. A combined ASSESSMENT AND PLAN is split by sentence: a sentence that says what will be done
  (will, plan, order, continue, start, refer, …; the "Medical Treatment", "Additional Testing" bullets) goes to
  Plan, the rest to Assessment, in order.
- MTS-Dialog snippets are about one section (their header). That text goes to the SOAP section the header
  belongs to; the other three say "Not documented.", which is what Quill's instruction asks for a section the
  dialogue does not cover.
"""
import argparse, csv, hashlib, json, re, sys

SUBJECTIVE = {"CHIEF COMPLAINT", "CC", "HISTORY OF PRESENT ILLNESS", "HPI", "REVIEW OF SYSTEMS", "ROS",
              "SOCIAL HISTORY", "MEDICATIONS", "CURRENT MEDICATIONS", "MEDICAL HISTORY", "PAST MEDICAL HISTORY",
              "FAMILY HISTORY", "PAST HISTORY", "ALLERGIES", "SURGICAL HISTORY", "PAST SURGICAL HISTORY"}
OBJECTIVE = {"PHYSICAL EXAM", "PHYSICAL EXAMINATION", "EXAM", "VITALS", "VITALS REVIEWED", "RESULTS"}
ASSESSMENT = {"ASSESSMENT", "IMPRESSION"}
PLAN = {"PLAN", "INSTRUCTIONS", "PROCEDURE"}
COMBINED = {"ASSESSMENT AND PLAN"}
KNOWN = SUBJECTIVE | OBJECTIVE | ASSESSMENT | PLAN | COMBINED

MTS_SECTION = {
    **{h: "Subjective" for h in ["GENHX", "CC", "ROS", "PASTMEDICALHX", "PASTSURGICAL", "FAM/SOCHX", "ALLERGY",
                                 "MEDICATIONS", "OTHER_HISTORY", "GYNHX", "IMMUNIZATIONS"]},
    **{h: "Objective" for h in ["EXAM", "LABS", "IMAGING"]},
    **{h: "Assessment" for h in ["ASSESSMENT", "DIAGNOSIS"]},
    **{h: "Plan" for h in ["PLAN", "DISPOSITION", "EDCOURSE", "PROCEDURES"]},
}
SOAP = ["Subjective", "Objective", "Assessment", "Plan"]
NOT_DOCUMENTED = "Not documented."
PLAN_WORDS = re.compile(r"\b(will|plan|plans|planned|order|ordered|continue|start|started|initiate|refer|referral|"
                        r"schedule|follow up|follow-up|return|recommend|recommended|prescribe|prescribed|advised|"
                        r"instructed|encouraged)\b", re.I)
PLAN_BULLETS = re.compile(r"^•?\s*(Medical Treatment|Additional Testing|Patient Education and Counseling|Plan|"
                          r"Follow[- ]up|Referrals?)\s*:", re.I)


def one_line(text):
    return re.sub(r"\s+", " ", text).strip()


def heading_of(line):
    """The upper-case heading a note line is, if it is one ("CC:" and "HPI:" too)."""
    s = line.strip().rstrip(":").strip()
    return s if s.upper() == s and s in KNOWN else None


def note_blocks(note):
    """(heading, text) blocks of an ACI-Bench note; text before any heading has heading None."""
    blocks, heading, lines = [], None, []
    for line in note.split("\n"):
        h = heading_of(line)
        if h:
            if lines or heading:
                blocks.append((heading, "\n".join(lines)))
            heading, lines = h, []
        else:
            lines.append(line)
    blocks.append((heading, "\n".join(lines)))
    return [(h, t.strip()) for h, t in blocks if t.strip()]


def split_assessment_and_plan(text):
    assessment, plan = [], []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        if PLAN_BULLETS.match(line):
            plan.append(line)
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            (plan if PLAN_WORDS.search(sentence) else assessment).append(sentence)
    return " ".join(assessment), " ".join(plan)


def titled(heading, text):
    return f"{heading.capitalize()}: {one_line(text)}"


def aci_sections(note):
    parts = {s: [] for s in SOAP}
    for heading, text in note_blocks(note):
        if heading is None or heading in SUBJECTIVE:
            parts["Subjective"].append(titled(heading, text) if heading else one_line(text))
        elif heading in OBJECTIVE:
            parts["Objective"].append(titled(heading, text))
        elif heading in ASSESSMENT:
            parts["Assessment"].append(one_line(text))
        elif heading in PLAN:
            parts["Plan"].append(titled(heading, text) if heading != "PLAN" else one_line(text))
        else:  # ASSESSMENT AND PLAN
            a, p = split_assessment_and_plan(text)
            if a: parts["Assessment"].append(one_line(a))
            if p: parts["Plan"].append(one_line(p))
    return {s: " ".join(v) if v else NOT_DOCUMENTED for s, v in parts.items()}


def aci_dialogue(text):
    """ACI-Bench's [doctor]/[patient] tags as the "Doctor: …" lines Quill's dialogue reader reads."""
    turns = re.split(r"\[(doctor|patient)\]", text)
    out = []
    for role, said in zip(turns[1::2], turns[2::2]):
        said = one_line(said)
        if said:
            out.append(f"{role.capitalize()}: {said}")
    return "\n".join(out)


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", required=True, help="the samples folder (aci-bench/, MTS-Dialog/)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--hashes", help="write the source files' SHA-256 here (JSON)")
    args = ap.parse_args()
    aci = f"{args.samples}/aci-bench/data/challenge_data/train.csv"
    mts = f"{args.samples}/MTS-Dialog/Main-Dataset/MTS-Dialog-TrainingSet.csv"
    records = []
    for row in csv.DictReader(open(aci, newline="", encoding="utf-8")):
        records.append({"id": f"aci-train-{row['encounter_id']}", "task": "soap_note",
                        "input_name": f"aci-train-{row['encounter_id']}.dialogue.txt",
                        "input": aci_dialogue(row["dialogue"]), "sections": aci_sections(row["note"])})
    for row in csv.DictReader(open(mts, newline="", encoding="utf-8")):
        header = row["section_header"].strip()
        if header not in MTS_SECTION:
            sys.exit(f"{mts}: row ID {row['ID']}: section header {header!r} has no SOAP section")
        sections = {s: NOT_DOCUMENTED for s in SOAP}
        sections[MTS_SECTION[header]] = one_line(row["section_text"])
        dialogue = "\n".join(one_line(l) for l in row["dialogue"].replace("\r", "").split("\n") if l.strip())
        records.append({"id": f"mts-train-{row['ID']}", "task": "soap_note", "input_name": f"mts-train-{row['ID']}.dialogue.txt",
                        "input": dialogue, "sections": sections})
    with open(args.out, "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
    if args.hashes:
        json.dump({"aci-bench/data/challenge_data/train.csv": sha256(aci),
                   "MTS-Dialog/Main-Dataset/MTS-Dialog-TrainingSet.csv": sha256(mts)}, open(args.hashes, "w"), indent=1)
    print(f"{len(records)} records -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
