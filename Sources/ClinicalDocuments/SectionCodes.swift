/// Known section names and their LOINC document-section codes, in one table per source.
/// Codes are given only where the match is certain; an unknown heading keeps its words and no code.
enum SectionCodes {
    struct Known { let title: String; let loinc: String? }

    /// HL7 table 0270 (document type, TXA-2) with the LOINC document codes C-CDA uses.
    static let hl7DocumentTypes: [String: Known] = [
        "AR": Known(title: "Autopsy report", loinc: "18743-5"),
        "CD": Known(title: "Cardiodiagnostics", loinc: nil),
        "CN": Known(title: "Consultation note", loinc: "11488-4"),
        "DI": Known(title: "Diagnostic imaging", loinc: "18748-4"),
        "DS": Known(title: "Discharge summary", loinc: "18842-5"),
        "ED": Known(title: "Emergency department report", loinc: nil),
        "HP": Known(title: "History and physical", loinc: "34117-2"),
        "OP": Known(title: "Operative report", loinc: "11504-8"),
        "PC": Known(title: "Psychiatric consultation", loinc: nil),
        "PH": Known(title: "Psychiatric history and physical", loinc: nil),
        "PN": Known(title: "Procedure note", loinc: "28570-0"),
        "PR": Known(title: "Progress note", loinc: "11506-3"),
        "SP": Known(title: "Surgical pathology", loinc: "11526-1"),
        "TS": Known(title: "Transfer summary", loinc: "18761-7"),
    ]

    /// HL7 table 0052 (diagnosis type, DG1-6).
    static let hl7DiagnosisTypes: [String: String] = ["A": "admitting", "W": "working", "F": "final"]

    /// Headings clinicians write in plain-text notes, lower-cased, with their canonical title and code.
    /// Abbreviations are recognised in the middle of a line too ("… x 1 week. Dx: migraine. PMH: HTN"),
    /// longer headings only at the start of a line.
    static let textHeadings: [String: Known] = {
        var t: [String: Known] = [:]
        func add(_ names: [String], _ title: String, _ code: String?) {
            for n in names { t[n] = Known(title: title, loinc: code) }
        }
        add(["cc", "chief complaint", "c/c", "presenting complaint", "pc"], "Chief complaint", "10154-3")
        add(["reason for visit", "rfv"], "Reason for visit", "29299-5")
        add(["reason for admission", "reason for hospitalization"], "Reason for admission", "46241-6")
        add(["reason for referral"], "Reason for referral", "42349-1")
        add(["hpi", "history of present illness", "history of presenting complaint", "hpc", "history"], "History of present illness", "10164-2")
        add(["pmh", "pmhx", "past medical history", "medical history", "past history"], "Past medical history", "11348-0")
        add(["psh", "past surgical history", "surgical history"], "Past surgical history", "47519-4")
        add(["meds", "medications", "current medications", "medication", "dhx", "drug history"], "Medications", "10160-0")
        add(["discharge medications", "discharge meds", "d/c meds", "tto", "ttos"], "Discharge medications", "10183-2")
        add(["allergies", "allergy", "all"], "Allergies", "48765-2")
        add(["sh", "shx", "social history"], "Social history", "29762-2")
        add(["fh", "fhx", "family history"], "Family history", "10157-6")
        add(["ros", "review of systems", "systems review"], "Review of systems", "10187-3")
        add(["pe", "exam", "examination", "physical exam", "physical examination", "o/e", "oe"], "Physical examination", "29545-1")
        add(["vitals", "vital signs", "obs"], "Vital signs", "8716-3")
        add(["labs", "investigations", "ix", "results", "lab results", "laboratory"], "Investigations", "30954-2")
        add(["imaging", "radiology"], "Imaging", "18782-3")
        add(["dx", "diagnosis", "diagnoses", "ddx", "differential"], "Diagnosis", nil)
        add(["admission diagnosis", "adm dx"], "Admission diagnosis", "46241-6")
        add(["discharge diagnosis", "discharge diagnoses", "d/c dx", "final diagnosis"], "Discharge diagnosis", "11535-2")
        add(["problems", "problem list"], "Problem list", "11450-4")
        add(["imp", "impression", "assessment", "a"], "Assessment", "51848-0")
        add(["a/p", "a&p", "assessment and plan", "assessment & plan", "impression and plan"], "Assessment and plan", "51847-2")
        add(["plan", "p", "mgmt", "management"], "Plan", "18776-5")
        add(["tx", "treatment", "rx", "therapy"], "Treatment", nil)
        add(["procedures", "procedure", "procs"], "Procedures", "47519-4")
        add(["hospital course", "course", "clinical course", "course in hospital", "progress"], "Hospital course", "8648-8")
        add(["d/c", "dc", "discharge", "disposition", "dispo"], "Discharge", nil)
        add(["discharge instructions", "instructions"], "Discharge instructions", "8653-8")
        add(["condition on discharge", "discharge condition"], "Condition on discharge", nil)
        add(["f/u", "fu", "follow-up", "follow up", "followup"], "Follow-up", nil)
        add(["s", "subjective"], "Subjective", "61150-9")
        add(["o", "objective"], "Objective", "61149-1")
        add(["immunizations", "immunisations", "vaccinations"], "Immunizations", "11369-6")
        return t
    }()

    /// Headings short enough to be mistaken for words: recognised only at the start of a line.
    static let lineStartOnly: Set<String> = ["a", "p", "s", "o", "all", "obs", "history", "course", "progress",
                                              "exam", "results", "labs", "procedure", "dc", "pc", "oe", "medication"]
}
