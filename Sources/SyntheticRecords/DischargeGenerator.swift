import ClinicalDocuments
/// Terse clinical notes and their discharge-summary references.
///
/// Each part of a record is written twice from one set of facts: once the way a clinician jots it in
/// a note (abbreviations, varied phrasing, several date forms, the odd typo), once the way the summary
/// states it (expanded terms, ISO dates, numbers and units verbatim). Parts go missing at random, and
/// a missing part is `Not documented.` in the summary.
public enum DischargeGenerator {
    public static func record(seed: UInt64, index: Int) -> SyntheticRecord {
        var rng = SplitMix64(seed: seed, stream: UInt64(index) &* 2)
        // Diagnoses are drawn uniformly, not groups, so every diagnosis turns up in a few thousand records.
        let (groupIndex, diagnosis) = rng.pick(Conditions.diagnoses)
        let group = Conditions.groups[groupIndex]
        let sex = group.sex ?? (rng.chance(0.5) ? .female : .male)
        let admission = PatientFactory.date(&rng)
        let stay = rng.chance(0.2) ? 0 : rng.int(1...(rng.chance(0.8) ? 7 : 21))
        let discharge = admission.adding(days: stay)
        let patient = PatientFactory.make(sex: sex, ages: max(group.ages.lowerBound, 16)...group.ages.upperBound, on: admission, &rng)

        var w = NoteWriter(rng: rng)
        w.dateStyle = rng.chance(0.45) ? .iso : rng.pick(NoteDates.Style.allCases)
        let parts = w.parts(group: group, diagnosis: diagnosis, patient: patient, admission: admission, discharge: discharge)
        let note = w.assemble(parts)
        var sections: [ReferenceSection] = []
        var facts = FactList()
        for heading in DocumentTask.dischargeSummary.headings {
            if let part = parts.first(where: { $0.heading == heading }), let ref = part.reference {
                sections.append(ReferenceSection(heading: heading, text: ref))
                facts.add(part.facts)
            } else {
                sections.append(ReferenceSection(heading: heading, text: PlainTextReference.notDocumented))
            }
        }
        return SyntheticRecord(id: "ds-\(seed)-\(pad(index, 5))", index: index, task: .dischargeSummary, input: note,
                               patient: patient, admission: parts.contains { $0.heading == "Admission" } ? admission : nil,
                               discharge: parts.contains { $0.heading == "Discharge" } ? discharge : nil, visit: nil,
                               sections: sections, facts: facts.items)
    }
}

/// One part of a note: the text in the note, the summary section it feeds and that section's text.
struct NotePart {
    var heading: String
    var note: String
    var reference: String?
    var facts: [String]
    /// Opening parts (who, admitted, complaint) are joined into the note's first sentence.
    var opening = false
}

struct NoteWriter {
    var rng: SplitMix64
    var dateStyle: NoteDates.Style = .iso
    let typoRate = 0.05

    mutating func date(_ d: CalendarDate) -> String {
        // Now and then a note mixes date forms.
        NoteDates.write(d, rng.chance(0.1) ? rng.pick(NoteDates.Style.allCases) : dateStyle)
    }

    mutating func connective(_ options: [String]) -> String {
        Phrasing.typo(rng.pick(options), p: typoRate, &rng)
    }

    mutating func parts(group: ConditionGroup, diagnosis: ConditionGroup.Diagnosis, patient: SyntheticPatient,
                        admission: CalendarDate, discharge: CalendarDate) -> [NotePart] {
        var parts: [NotePart] = []
        parts.append(who(patient))
        if rng.chance(0.97) { parts.append(admitted(admission)) }
        if rng.chance(0.95) { parts.append(complaint(group)) }
        parts.append(diagnosed(diagnosis))
        if rng.chance(0.78) { parts.append(history(patient.sex)) }
        if rng.chance(0.93) { parts.append(treatment(group)) }
        let imaging = rng.chance(0.6) ? imagingPart(group) : nil
        let labs = rng.chance(0.72) ? labsPart(group) : nil
        if imaging != nil || labs != nil { parts.append(contentsOf: investigations(imaging, labs)) }
        if rng.chance(0.95) { parts.append(discharged(discharge)) }
        if rng.chance(0.6) { parts.append(followUp(group)) }
        return parts
    }

    // MARK: - Parts

    mutating func who(_ p: SyntheticPatient) -> NotePart {
        let f = p.sex == .female
        let a = p.age
        var text: String
        switch rng.int(0...8) {
        case 0: text = "\(a) y/o \(f ? "female" : "male")"
        case 1: text = "\(a) y/o \(f ? "F" : "M")"
        case 2: text = "\(a)yo \(f ? "F" : "M")"
        case 3: text = "\(a)-year-old \(f ? "woman" : "man")"
        case 4: text = "\(a) year old \(f ? "female" : "male")"
        case 5: text = "\(a)\(f ? "F" : "M")"
        case 6: text = "\(a) yo \(f ? "female" : "male")"
        case 7: text = "Pt"
        default: text = "\(a)-year-old \(f ? "female" : "male")"
        }
        if let name = p.name, rng.chance(0.15) { text = text == "Pt" ? name : "\(name), \(text)" }
        return NotePart(heading: "", note: text, reference: nil, facts: [], opening: true)
    }

    mutating func admitted(_ d: CalendarDate) -> NotePart {
        let ds = date(d)
        let viaED = rng.chance(0.25)
        let note: String
        switch rng.int(0...4) {
        case 0: note = viaED ? "adm via ED \(ds)" : "adm \(ds)"
        case 1: note = viaED ? "\(connective(["admitted via ED on"])) \(ds)" : "\(connective(["admitted on", "admitted"])) \(ds)"
        case 2: note = viaED ? "presented to ED \(ds)" : "\(connective(["admitted"])) \(ds)"
        case 3: note = viaED ? "adm via ED on \(ds)" : "adm on \(ds)"
        default: note = viaED ? "\(connective(["admitted through ED"])) \(ds)" : "adm \(ds)"
        }
        let ref = viaED ? "Admitted on \(d.iso) via the emergency department." : "Admitted on \(d.iso)."
        return NotePart(heading: "Admission", note: note, reference: ref, facts: [d.iso], opening: true)
    }

    mutating func complaint(_ g: ConditionGroup) -> NotePart {
        let complaints = rng.sample(g.complaints, rng.chance(0.25) ? 2 : 1)
        let what = complaints.joined(separator: " and ")
        let span = Phrasing.randomDuration(&rng)
        let note: String
        switch rng.int(0...5) {
        case 0: note = "c/o \(what) x \(span)"
        case 1: note = "\(connective(["presents with", "presenting with"])) \(what) for \(span)"
        case 2: note = "\(connective(["complaining of"])) \(what) x \(span)"
        case 3: note = "with \(span) of \(what)"
        case 4: note = "c/o \(what) for \(span)"
        default: note = "\(connective(["with"])) \(what) x \(span)"
        }
        return NotePart(heading: "Presenting complaint", note: note,
                        reference: Phrasing.sentence(Phrasing.capitalized("\(what) for \(span)")),
                        facts: complaints + [span], opening: true)
    }

    mutating func diagnosed(_ d: ConditionGroup.Diagnosis) -> NotePart {
        let abbreviated = d.abbreviation != nil && rng.chance(0.4)
        let written = abbreviated ? d.abbreviation! : d.name
        let label = rng.pick(["Dx:", "Dx:", "Diagnosis:", "Imp:", "dx:"])
        return NotePart(heading: "Diagnosis", note: "\(label) \(written).", reference: Phrasing.sentence(Phrasing.capitalized(d.name)),
                        facts: abbreviated ? [] : [d.name])
    }

    mutating func history(_ sex: PatientSex) -> NotePart {
        let label = rng.pick(["PMH:", "PMH:", "Hx:", "PMHx:", "Past history:", "Background:"])
        if rng.chance(0.1) {
            let note = rng.pick(["\(label) nil.", "\(label) nil of note.", "No significant PMH.", "\(label) none."])
            return NotePart(heading: "History", note: note, reference: "No significant past medical history.", facts: [])
        }
        let pool = History.items.filter { sex == .male || $0.full != "benign prostatic hyperplasia" }
        let items = rng.sample(pool, rng.int(1...3))
        var written: [String] = [], facts: [String] = []
        for item in items {
            if let abbr = item.abbreviation, rng.chance(0.5) { written.append(abbr) } else { written.append(item.full); facts.append(item.full) }
        }
        return NotePart(heading: "History", note: "\(label) \(written.joined(separator: rng.chance(0.7) ? ", " : "; ")).",
                        reference: Phrasing.sentence(Phrasing.capitalized(items.map(\.full).joined(separator: ", "))), facts: facts)
    }

    mutating func treatment(_ g: ConditionGroup) -> NotePart {
        let drugs = rng.sample(g.drugs, rng.int(1...4)).map(Drugs.named)
        let regimens = drugs.map { "\($0.name) \(rng.pick($0.regimens))" }
        var facts: [String] = []
        for (d, r) in zip(drugs, regimens) { facts.append(d.name); facts.append(contentsOf: Quantities.find(in: r)) }
        let listed = regimens.joined(separator: rng.chance(0.75) ? ", " : "; ")
        let note: String
        switch rng.int(0...5) {
        case 0, 1: note = "Tx: \(listed)."
        case 2: note = "Rx: \(listed)."
        case 3: note = "\(connective(["Treated with"])) \(listed)."
        case 4: note = "Treatment: \(listed)."
        default: note = "\(connective(["Given", "Started on"])) \(listed)."
        }
        return NotePart(heading: "Treatment", note: note,
                        reference: Phrasing.sentence(Phrasing.capitalized(regimens.joined(separator: "; "))), facts: facts)
    }

    /// (note text, reference text, facts) for each imaging finding.
    mutating func imagingPart(_ g: ConditionGroup) -> [(String, String, [String])] {
        guard !g.findings.isEmpty else { return [] }
        return rng.sample(g.findings, rng.chance(0.3) ? 2 : 1).map { spec in
            let colon = spec.firstIndex(of: ":")!
            let modality = Imaging.named(String(spec[..<colon]))
            let finding = fillRanges(String(spec[spec.index(after: colon)...]))
            let written = rng.pick(modality.noteForms)
            var facts = [finding]
            if written.lowercased() == modality.name.lowercased() { facts.append(modality.name) }
            return ("\(written): \(finding)", "\(modality.name): \(finding)", facts)
        }
    }

    /// "{70-99}% RCA occlusion" → "84% RCA occlusion".
    mutating func fillRanges(_ s: String) -> String {
        var out = ""
        var rest = Substring(s)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            out += rest[..<open]
            let bounds = rest[rest.index(after: open)..<close].split(separator: "-").compactMap { Int($0) }
            out += String(rng.int(bounds[0]...bounds[1]))
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    mutating func labsPart(_ g: ConditionGroup) -> [(String, String, [String])] {
        rng.sample(g.labs, rng.int(1...4)).map { key in
            let test = LabTests.named(key)
            let name = rng.pick(test.names)
            let u = rng.pick(test.units)
            let value = rng.decimal(rng.chance(0.7) ? u.abnormal : u.normal, decimals: u.decimals)
            let quantity = u.unit.isEmpty ? value : (u.unit == "%" ? value + "%" : "\(value) \(u.unit)")
            let note = rng.chance(0.8) ? "\(name) \(quantity)" : "\(name): \(quantity)"
            return (note, "\(name) \(quantity)", [name, quantity])
        }
    }

    /// Imaging and labs are separate sentences in a note but one Investigations section: imaging first, then labs.
    mutating func investigations(_ imaging: [(String, String, [String])]?, _ labs: [(String, String, [String])]?) -> [NotePart] {
        var parts: [NotePart] = []
        var refs: [String] = [], facts: [String] = []
        if let imaging, !imaging.isEmpty {
            parts.append(NotePart(heading: "Investigations", note: imaging.map { Phrasing.sentence($0.0) }.joined(separator: " "), reference: nil, facts: []))
            refs += imaging.map { Phrasing.sentence($0.1) }
            facts += imaging.flatMap(\.2)
        }
        if let labs, !labs.isEmpty {
            let label = rng.pick(["Labs:", "Labs:", "Bloods:", "Lab:", ""])
            let joined = labs.map(\.0).joined(separator: ", ")
            parts.append(NotePart(heading: "Investigations", note: label.isEmpty ? Phrasing.sentence(joined) : "\(label) \(joined).", reference: nil, facts: []))
            refs.append(Phrasing.sentence(labs.map(\.1).joined(separator: ", ")))
            facts += labs.flatMap(\.2)
        }
        guard !parts.isEmpty else { return [] }
        parts[0].reference = refs.joined(separator: " ")
        parts[0].facts = facts
        return parts
    }

    mutating func discharged(_ d: CalendarDate) -> NotePart {
        let ds = date(d)
        let home = rng.chance(0.3)
        let note: String
        switch rng.int(0...4) {
        case 0: note = home ? "D/c home \(ds)." : "D/c \(ds)."
        case 1: note = home ? "\(connective(["Discharged home"])) \(ds)." : "\(connective(["Discharged"])) \(ds)."
        case 2: note = home ? "\(connective(["Discharged home on"])) \(ds)." : "\(connective(["Discharged on"])) \(ds)."
        case 3: note = home ? "d/c'd home \(ds)." : "d/c'd \(ds)."
        default: note = home ? "DC home \(ds)." : "D/c \(ds)."
        }
        return NotePart(heading: "Discharge", note: note, reference: home ? "Discharged home on \(d.iso)." : "Discharged on \(d.iso).", facts: [d.iso])
    }

    mutating func followUp(_ g: ConditionGroup) -> NotePart {
        let service = rng.pick(g.followUp)
        let when = Phrasing.followUpInterval(&rng)
        let note: String
        switch rng.int(0...4) {
        case 0: note = "F/u \(service) in \(when)."
        case 1: note = "\(connective(["Follow up with", "Follow-up with"])) \(service) in \(when)."
        case 2: note = "F/u: \(service) in \(when)."
        case 3: note = "\(connective(["Review in"])) \(service) in \(when)."
        default: note = "FU \(service) in \(when)."
        }
        return NotePart(heading: "Follow-up", note: note, reference: Phrasing.sentence(Phrasing.capitalized("\(service) in \(when)")),
                        facts: [service, when])
    }

    // MARK: - Assembly

    /// The opening parts make the first sentence ("36 y/o female, adm 2025-03-07, c/o headache x 1 week.");
    /// the middle parts are sometimes reordered; discharge and follow-up close the note. Sentences go
    /// on one line or one per line.
    mutating func assemble(_ parts: [NotePart]) -> String {
        let opening = parts.filter(\.opening).map(\.note)
        let closingHeadings: Set<String> = ["Discharge", "Follow-up"]
        var middle = parts.filter { !$0.opening && !closingHeadings.contains($0.heading) }.map(\.note)
        let closing = parts.filter { closingHeadings.contains($0.heading) }.map(\.note)
        if rng.chance(0.3) { middle = rng.shuffled(middle) }
        let separator = rng.chance(0.7) ? ", " : rng.pick([" ", "; "])
        let first = Phrasing.sentence(opening.joined(separator: separator))
        let sentences = [first] + middle + closing
        return sentences.joined(separator: rng.chance(0.7) ? " " : "\n")
    }
}
