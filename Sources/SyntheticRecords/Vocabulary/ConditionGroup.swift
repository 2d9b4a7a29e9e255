/// A family of diagnoses that share complaints, tests, treatments and follow-up, so that what a
/// record says hangs together (a pneumonia gets a chest X-ray and antibiotics, not a DEXA scan).
struct ConditionGroup: Sendable {
    /// `Diagnosis` or `Diagnosis|ABBREV` where notes sometimes write the abbreviation.
    let diagnoses: [String]
    /// Only for one sex (obstetric, prostate…); nil for both.
    var sex: PatientSex? = nil
    var ages: ClosedRange<Int> = 18...92
    /// Presenting complaints in lower case ("chest pain").
    let complaints: [String]
    /// Keys into `LabTests.byKey`.
    let labs: [String]
    /// `modality:finding`; `{lo-hi}` in a finding is replaced by a whole number in that range.
    let findings: [String]
    /// Names in `Drugs.table`.
    let drugs: [String]
    /// Who sees the patient next ("cardiology clinic", "GP").
    let followUp: [String]
    /// What a doctor finds on examination, in the words a summary repeats.
    let exam: [String]
    /// Symptoms a doctor asks about in a visit.
    let symptoms: [String]

    struct Diagnosis: Sendable { let name: String; let abbreviation: String? }

    var parsedDiagnoses: [Diagnosis] {
        diagnoses.map { d in
            let p = d.split(separator: "|").map(String.init)
            return Diagnosis(name: p[0], abbreviation: p.count > 1 ? p[1] : nil)
        }
    }
}
