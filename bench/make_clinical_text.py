#!/usr/bin/env python3
"""Writes about 1 MB of synthetic clinical text (notes, HL7 fragments, dialogue) to stdout, deterministically.

No real patient data: everything is drawn from small word lists with a fixed seed, so every run and machine
tokenizes the same bytes.
"""
import random
import sys

TARGET_BYTES = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
rng = random.Random(20240315)

DRUGS = ["amoxicillin", "metoprolol", "lisinopril", "atorvastatin", "metformin", "furosemide", "apixaban",
         "ceftriaxone", "vancomycin", "pantoprazole", "enoxaparin", "prednisone", "insulin glargine", "ondansetron"]
ROUTES = ["PO", "IV", "SC", "IM"]
FREQ = ["daily", "BID", "TID", "q6h", "q8h", "q12h", "PRN", "qHS"]
PROBLEMS = ["community-acquired pneumonia", "CHF exacerbation", "NSTEMI", "cellulitis of the left leg",
            "DKA", "acute kidney injury", "COPD exacerbation", "UTI with sepsis", "atrial fibrillation with RVR"]
SYMPTOMS = ["shortness of breath", "chest pain", "fever", "productive cough", "dysuria", "palpitations",
            "nausea and vomiting", "lower-extremity edema", "fatigue"]
LABS = ["WBC", "Hgb", "Plt", "Na", "K", "Cr", "BUN", "Glucose", "Trop", "BNP", "Lactate"]
NAMES = ["Dr. Alvarez", "Dr. Chen", "Dr. O'Brien", "Dr. Okafor", "Dr. Schmidt", "Dr. Nguyễn"]


def vitals():
    return (f"BP {rng.randint(90, 170)}/{rng.randint(50, 100)}, HR {rng.randint(55, 130)}, "
            f"RR {rng.randint(12, 28)}, T {rng.uniform(36.1, 39.4):.1f}°C, SpO2 {rng.randint(88, 100)}% on "
            f"{rng.choice(['RA', '2L NC', '4L NC', 'NRB'])}")


def note():
    d = rng.randint(1, 28)
    m = rng.randint(1, 12)
    lines = [
        f"DISCHARGE NOTE  {m:02d}/{d:02d}/2024  MRN {rng.randint(10**7, 10**8 - 1)}",
        f"Pt is a {rng.randint(18, 95)} y/o {rng.choice(['M', 'F'])} admitted {m:02d}/{d:02d}/2024 with "
        f"{rng.choice(PROBLEMS)}. Presented with {rng.choice(SYMPTOMS)} x {rng.randint(1, 14)} days and "
        f"{rng.choice(SYMPTOMS)}.",
        f"Vitals on arrival: {vitals()}.",
        "Labs: " + ", ".join(f"{l} {rng.uniform(0.5, 150):.1f}" for l in rng.sample(LABS, 5)) + ".",
        "Meds:",
    ]
    for k in range(rng.randint(2, 6)):
        lines.append(f"  {k + 1}. {rng.choice(DRUGS)} {rng.choice([5, 10, 20, 25, 40, 250, 500, 875, 1000])} mg "
                     f"{rng.choice(ROUTES)} {rng.choice(FREQ)} x {rng.randint(3, 14)} days")
    lines.append(f"Plan: f/u with {rng.choice(NAMES)} in {rng.randint(1, 6)} wks; repeat CBC/BMP in 48-72h. "
                 f"Pt's family was updated; they'll call if symptoms recur.")
    return "\n".join(lines)


def hl7():
    return (f"MSH|^~\\&|EPIC|HOSP|||2024{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}0830||ORU^R01|"
            f"{rng.randint(100000, 999999)}|P|2.5\r"
            f"OBX|1|TX|||Pt c/o {rng.choice(SYMPTOMS)}\\X0D\\\\X0A\\denies CP\\F\\ fever\\S\\chills||||||F")


def dialogue():
    turns = [
        f"Doctor: What brings you in today?",
        f"Patient: I've had {rng.choice(SYMPTOMS)} for about {rng.randint(2, 10)} days, and it's getting worse.",
        f"Doctor: Any {rng.choice(SYMPTOMS)}? Are you taking your {rng.choice(DRUGS)}?",
        f"Patient: Yes, {rng.choice([1, 2, 3])} times a day... I can't remember the dose, maybe {rng.choice([10, 20, 500])} mg.",
        f"Doctor: OK. We'll check labs and an ECG.",
    ]
    return "\n".join(turns)


out = []
size = 0
while size < TARGET_BYTES:
    piece = rng.choice([note, note, note, hl7, dialogue])()
    out.append(piece)
    size += len(piece.encode("utf-8")) + 2
sys.stdout.write("\n\n".join(out) + "\n")
