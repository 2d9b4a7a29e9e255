/// Doctor–patient dialogues of 6 to 16 turns and their SOAP-note references.
///
/// The visit runs in the usual order (complaint, symptoms, history, medicines, allergies, vitals and
/// examination, assessment, tests, plan and follow-up); the optional exchanges come and go at random.
/// The patient speaks in plain words, the doctor states vitals and findings aloud, and the reference
/// restates them in the note's terms with numbers, doses and units verbatim.
public enum SOAPGenerator {
    public static func record(seed: UInt64, index: Int) -> SyntheticRecord {
        var rng = SplitMix64(seed: seed, stream: UInt64(index) &* 2 &+ 1)
        let (groupIndex, diagnosis) = rng.pick(Conditions.diagnoses)
        let group = Conditions.groups[groupIndex]
        let sex = group.sex ?? (rng.chance(0.5) ? .female : .male)
        let visit = PatientFactory.date(&rng)
        let patient = PatientFactory.make(sex: sex, ages: max(group.ages.lowerBound, 16)...group.ages.upperBound, on: visit, &rng)
        var v = Visit(rng: rng, group: group, diagnosis: diagnosis, patient: patient)
        v.run()
        let dialogue = v.turns.map { v.speakers.line($0.doctor, $0.text) }.joined(separator: "\n")
        var facts = FactList()
        facts.add(v.facts)
        let sections = [
            ReferenceSection(heading: "Subjective", text: v.subjective.isEmpty ? PlainTextReference.notDocumented : v.subjective.joined(separator: " ")),
            ReferenceSection(heading: "Objective", text: v.objective.isEmpty ? PlainTextReference.notDocumented : v.objective.joined(separator: " ")),
            ReferenceSection(heading: "Assessment", text: v.assessment),
            ReferenceSection(heading: "Plan", text: v.plan.isEmpty ? PlainTextReference.notDocumented : v.plan.joined(separator: " ")),
        ]
        return SyntheticRecord(id: "soap-\(seed)-\(pad(index, 5))", index: index, task: .soapNote, input: dialogue + "\n",
                               patient: patient, admission: nil, discharge: nil, visit: visit, sections: sections, facts: facts.items)
    }
}

/// The speaker-label forms the dialogue reader accepts, one form per transcript.
struct Speakers {
    var doctor: String
    var patient: String
    var brackets = false

    func line(_ isDoctor: Bool, _ text: String) -> String {
        let label = isDoctor ? doctor : patient
        return brackets ? "[\(label)] \(text)" : "\(label): \(text)"
    }

    static func random(patient: SyntheticPatient, _ rng: inout SplitMix64) -> Speakers {
        switch rng.int(0...7) {
        case 0, 1: return Speakers(doctor: "Doctor", patient: "Patient")
        case 2: return Speakers(doctor: "Dr", patient: "Pt")
        case 3: return Speakers(doctor: "doctor", patient: "patient", brackets: true)
        case 4: return Speakers(doctor: "D", patient: "P")
        case 5:
            let doc = "Dr. \(rng.pick(PersonNames.last))"
            if let name = patient.name { return Speakers(doctor: doc, patient: "\(name) (patient)") }
            return Speakers(doctor: doc, patient: "Patient")
        case 6: return Speakers(doctor: "Physician", patient: "Patient")
        default: return Speakers(doctor: "DOCTOR", patient: "PATIENT")
        }
    }
}

struct Visit {
    var rng: SplitMix64
    let group: ConditionGroup
    let diagnosis: ConditionGroup.Diagnosis
    let patient: SyntheticPatient
    var speakers = Speakers(doctor: "Doctor", patient: "Patient")
    var turns: [(doctor: Bool, text: String)] = []
    var subjective: [String] = [], objective: [String] = [], plan: [String] = []
    var assessment = ""
    var facts: [String] = []

    init(rng: SplitMix64, group: ConditionGroup, diagnosis: ConditionGroup.Diagnosis, patient: SyntheticPatient) {
        self.rng = rng; self.group = group; self.diagnosis = diagnosis; self.patient = patient
        speakers = Speakers.random(patient: patient, &self.rng)
    }

    mutating func say(doctor: String, patient reply: String) {
        turns.append((true, doctor)); turns.append((false, reply))
    }

    mutating func run() {
        opening()
        // Optional exchanges, each a doctor turn and a patient turn: 0 to 5 of them gives 6 to 16 turns.
        if rng.chance(0.8) { symptoms() }
        if rng.chance(0.7) { history() }
        if rng.chance(0.6) { medications() }
        if rng.chance(0.4) { allergies() }
        if rng.chance(0.45) { tests() }
        examination()
        assessmentAndPlan()
    }

    mutating func opening() {
        let greeting = patient.familyName.map { "\(patient.sex == .female ? "Ms." : "Mr.") \($0)" } ?? "there"
        let ask = rng.pick(["Hello \(greeting), what brings you in today?", "Hi \(greeting). How can I help you today?",
                            "Good morning \(greeting). What seems to be the problem?", "Come in, \(greeting). What's been going on?"])
        let complaints = rng.sample(group.complaints, rng.chance(0.25) ? 2 : 1)
        let what = complaints.joined(separator: " and ")
        let span = Phrasing.randomDuration(&rng)
        let reply = rng.pick(["I've had \(what) for \(span).", "I've been having \(what) for about \(span).",
                              "It's \(what). It started \(span) ago.", "Well, \(what), for \(span) now.",
                              "I have had \(what) for the last \(span)."])
        say(doctor: ask, patient: reply)
        subjective.append(Phrasing.sentence(Phrasing.capitalized("\(what) for \(span)")))
        facts += complaints + [span]
    }

    mutating func symptoms() {
        let asked = rng.sample(group.symptoms, 2)
        let yes = asked.filter { _ in rng.chance(0.5) }
        let no = asked.filter { !yes.contains($0) }
        let question = rng.pick(["Any \(asked[0]) or \(asked[1])?", "Have you noticed any \(asked[0]) or \(asked[1])?",
                                 "Do you have \(asked[0]) or \(asked[1]) at all?"])
        var reply: String
        switch (yes.count, no.count) {
        case (2, _): reply = "Yes, both \(asked[0]) and \(asked[1])."
        case (1, _): reply = "Some \(yes[0]), yes. No \(no[0]) though."
        default: reply = rng.pick(["No, neither.", "No, none of that.", "No."])
        }
        say(doctor: question, patient: reply)
        var parts: [String] = []
        if !yes.isEmpty { parts.append("associated \(Phrasing.list(yes))") }
        if !no.isEmpty { parts.append("denies \(Phrasing.list(no))") }
        subjective.append(Phrasing.sentence(Phrasing.capitalized(parts.joined(separator: "; "))))
        facts += asked
    }

    var chosenHistory: [HistoryItem] = []

    mutating func history() {
        let question = rng.pick(["Do you have any medical problems?", "Any past medical history I should know about?",
                                 "Have you had any other health problems?"])
        if rng.chance(0.2) {
            say(doctor: question, patient: rng.pick(["No, I'm generally healthy.", "No, nothing.", "Not really, no."]))
            subjective.append("No significant past medical history.")
            return
        }
        let pool = History.items.filter { patient.sex == .male || $0.full != "benign prostatic hyperplasia" }
        chosenHistory = rng.sample(pool, rng.int(1...2))
        say(doctor: question, patient: "I have \(Phrasing.list(chosenHistory.map(\.lay))).")
        subjective.append("History of \(Phrasing.list(chosenHistory.map(\.full))).")
        facts += chosenHistory.filter { $0.lay == $0.full }.map(\.full)
    }

    mutating func medications() {
        let question = rng.pick(["What medications are you taking?", "Are you on any regular medicines?", "Do you take anything regularly?"])
        var names = chosenHistory.flatMap(\.medicines)
        if names.isEmpty, rng.chance(0.5) { names = [rng.pick(["atenolol", "simvastatin", "valsartan", "losartan", "levothyroxine", "omeprazole"])] }
        let drugs = rng.sample(names, 2).map(Drugs.named)
        if drugs.isEmpty {
            say(doctor: question, patient: rng.pick(["Nothing regularly.", "None.", "No, nothing."]))
            subjective.append("No regular medications.")
            return
        }
        let spoken = drugs.map { "\($0.name) \(Regimen.spoken(rng.pick($0.regimens)))" }
        say(doctor: question, patient: "I take \(Phrasing.list(spoken)).")
        subjective.append("Medications: \(spoken.joined(separator: "; ")).")
        for (d, s) in zip(drugs, spoken) { facts.append(d.name); facts += Quantities.find(in: s) }
    }

    mutating func allergies() {
        let question = rng.pick(["Any allergies?", "Are you allergic to anything?", "Any drug allergies?"])
        if rng.chance(0.5) {
            say(doctor: question, patient: rng.pick(["No allergies.", "None that I know of.", "No."]))
            subjective.append("No known drug allergies.")
            return
        }
        let allergen = rng.pick(History.allergens)
        say(doctor: question, patient: rng.pick(["I'm allergic to \(allergen).", "Yes, \(allergen)."]))
        subjective.append("Allergies: \(allergen).")
        facts.append(allergen)
    }

    var testsOrdered: [String] = []

    mutating func tests() {
        var names = rng.sample(group.labs, rng.int(1...2)).map { rng.pick(LabTests.named($0).names) }
        if !group.findings.isEmpty, rng.chance(0.5) {
            let key = String(rng.pick(group.findings).split(separator: ":")[0])
            names.append(Phrasing.lowerFirst(Imaging.named(key).name))
        }
        testsOrdered = names
        say(doctor: rng.pick(["I'd like to get some tests: \(Phrasing.list(names)).", "We'll check \(Phrasing.list(names)) today.",
                              "I'm going to order \(Phrasing.list(names))."]),
            patient: rng.pick(["Okay.", "Sure, that's fine.", "Alright. Will it take long?"]))
        facts += names
    }

    mutating func examination() {
        let bp = "\(rng.int(95...185))/\(rng.int(55...110))"
        let hr = String(rng.int(48...135))
        let temp = rng.decimal(36.1...39.6, decimals: 1)
        let spo2 = "\(rng.int(88...100))%"
        var spoken: [String] = [], written: [String] = []
        if rng.chance(0.85) { spoken.append(rng.pick(["your blood pressure is \(bp)", "BP is \(bp)", "blood pressure \(bp)"])); written.append("BP \(bp)"); facts.append(bp) }
        if rng.chance(0.75) { spoken.append(rng.pick(["heart rate \(hr)", "your pulse is \(hr)", "heart rate is \(hr)"])); written.append("HR \(hr)"); facts.append(hr) }
        if rng.chance(0.6) { spoken.append(rng.pick(["temperature \(temp)", "your temperature is \(temp)", "temp \(temp)"])); written.append("temperature \(temp)"); facts.append(temp) }
        if rng.chance(0.6) { spoken.append(rng.pick(["oxygen saturation \(spo2)", "your oxygen level is \(spo2)", "sats \(spo2)"])); written.append("SpO2 \(spo2)"); facts.append(spo2) }
        let finding = rng.chance(0.85) ? rng.pick(group.exam) : nil
        var text = spoken.isEmpty ? "" : Phrasing.capitalized(Phrasing.list(spoken)) + "."
        if let finding {
            text += (text.isEmpty ? "" : " ") + rng.pick(["On examination there is \(finding).", "On exam I can see \(finding).",
                                                          "Examining you, I find \(finding)."])
            facts.append(finding)
        }
        if text.isEmpty { text = "Let me examine you. Everything looks fine there." }
        say(doctor: text, patient: rng.pick(["Okay.", "Is that bad?", "What does that mean?", "Alright."]))
        if !written.isEmpty { objective.append(Phrasing.sentence(written.joined(separator: ", "))) }
        if let finding { objective.append("Exam: \(finding).") }
    }

    mutating func assessmentAndPlan() {
        let abbreviated = diagnosis.abbreviation != nil && rng.chance(0.2)
        let named = abbreviated ? diagnosis.abbreviation! : diagnosis.name
        assessment = Phrasing.sentence(Phrasing.capitalized(diagnosis.name))
        if !abbreviated { facts.append(diagnosis.name) }
        var doctor = rng.pick(["I think this is \(named).", "This looks like \(named).", "It's most likely \(named).",
                               "My impression is \(named)."])
        let drugs = rng.sample(group.drugs, rng.int(1...2)).map(Drugs.named)
        let spoken = drugs.map { "\($0.name) \(Regimen.spoken(rng.pick($0.regimens)))" }
        doctor += " " + rng.pick(["I'll start you on \(Phrasing.list(spoken)).", "We'll give you \(Phrasing.list(spoken)).",
                                  "I'm prescribing \(Phrasing.list(spoken))."])
        plan.append("Start \(spoken.joined(separator: "; ")).")
        for (d, s) in zip(drugs, spoken) { facts.append(d.name); facts += Quantities.find(in: s) }
        if !testsOrdered.isEmpty { plan.append("Tests: \(testsOrdered.joined(separator: ", ")).") }
        if rng.chance(0.8) {
            let when = Phrasing.followUpInterval(&rng)
            if rng.chance(0.4) {
                let service = rng.pick(group.followUp)
                doctor += " " + rng.pick(["Please follow up with \(service) in \(when).", "I'll refer you to \(service) to be seen in \(when)."])
                plan.append("Follow-up with \(service) in \(when).")
                facts += [service, when]
            } else {
                doctor += " " + rng.pick(["Come back and see me in \(when).", "Let's see you again in \(when).", "Book a follow-up in \(when)."])
                plan.append("Follow-up in \(when).")
                facts.append(when)
            }
        }
        say(doctor: doctor, patient: rng.pick(["Thank you, doctor.", "Okay, thanks.", "Thanks, I will.", "Great, thank you."]))
    }
}
