import XCTest
@testable import ClinicalDocuments

/// Dialogue rules: each label form gives turns with roles, lines without a label continue a turn,
/// and the detection rule keeps notes with "Patient:" header lines out.
final class DialogueTests: XCTestCase {
    func testColonLabelsWithMultiLineTurnsAndAHeader() throws {
        let doc = try readOne(TestFiles.fixture("dialogue_colon.txt"))
        XCTAssertEqual(doc.kind, .dialogue)
        XCTAssertEqual(doc.task, .soapNote)
        XCTAssertEqual(doc.sections, [Section(title: "Header", code: nil, text: "Visit 2025-03-02, GP surgery")])
        XCTAssertEqual(doc.turns.map(\.role), [.doctor, .patient, .doctor, .patient, .other, .doctor])
        XCTAssertEqual(doc.turns[1], DialogueTurn(role: .patient, speaker: "Patient",
                                                  text: "I've had a cough for three weeks,\nand it keeps me up at night."))
        XCTAssertEqual(doc.turns[4].speaker, "Guest_family")
    }

    func testBracketTags() throws {
        let doc = try readOne(TestFiles.fixture("dialogue_brackets.txt"))
        XCTAssertEqual(doc.turns.map(\.role), [.doctor, .patient, .doctor, .patient, .other])
        XCTAssertEqual(doc.turns[4], DialogueTurn(role: .other, speaker: "patient_guest", text: "he's been very tired ."))
    }

    func testBracketTagsRunningOnWithinALineGetALineEach() throws {
        let inline = "Visit 2023-04-01\n[doctor] hi , how are you ? [patient] fine , thanks . [doctor] any pain ?\n"
            + "[patient] my knee [patient_guest] she fell on it . [patient] the [patient name] stays , and so does a [ tag"
        let text = DialogueReader.bracketTagsOnTheirOwnLines(inline)
        XCTAssertEqual(text, "Visit 2023-04-01\n[doctor] hi , how are you ? \n[patient] fine , thanks . \n[doctor] any pain ?\n"
            + "[patient] my knee \n[patient_guest] she fell on it . \n[patient] the [patient name] stays , and so does a [ tag")
        let doc = try DialogueReader.read(text: text, encoding: .utf8, file: "inline.txt")
        XCTAssertEqual(doc.turns.map(\.role), [.doctor, .patient, .doctor, .patient, .other, .patient])
        XCTAssertEqual(doc.turns[1], DialogueTurn(role: .patient, speaker: "patient", text: "fine , thanks ."))
        XCTAssertEqual(doc.sections, [Section(title: "Header", code: nil, text: "Visit 2023-04-01")])
        // Without the split, a line's later tags are part of its first turn's text.
        XCTAssertEqual(try DialogueReader.read(text: inline, encoding: .utf8, file: "inline.txt").turns.count, 2)
    }

    func testBracketTagsAlreadyOnTheirOwnLinesAreLeftAsTheyAre() throws {
        let text = try String(contentsOf: TestFiles.fixture("dialogue_brackets.txt"), encoding: .utf8)
        XCTAssertEqual(DialogueReader.bracketTagsOnTheirOwnLines(text), text)
    }

    func testSingleLetterLabelsWhenBothLettersOccur() throws {
        let doc = try readOne(TestFiles.fixture("dialogue_letters.txt"))
        XCTAssertEqual(doc.kind, .dialogue)
        XCTAssertEqual(doc.turns.map(\.role), [.doctor, .patient, .doctor, .patient])
        XCTAssertEqual(doc.turns[1].text, "My knee hurts when I climb stairs.")
    }

    func testNamesWithRoles() throws {
        let doc = try readOne(TestFiles.fixture("dialogue_names.txt"))
        XCTAssertEqual(doc.turns.map(\.role), [.doctor, .patient, .doctor, .patient, .other])
        XCTAssertEqual(doc.turns.map(\.speaker), ["Dr. Patel", "Maria Lopez (patient)", "Dr. Patel", "Maria Lopez (patient)", "Carlos (husband)"])
    }

    func testWebVTTVoicesMergeConsecutiveCuesOfOneSpeaker() throws {
        let doc = try readOne(TestFiles.fixture("visit.vtt"))
        XCTAssertEqual(doc.sourceFormat, .webVTT)
        XCTAssertEqual(doc.kind, .dialogue)
        XCTAssertEqual(doc.turns, [
            DialogueTurn(role: .doctor, speaker: "Dr. Patel", text: "Good morning. What brings you in?"),
            DialogueTurn(role: .other, speaker: "Maria Lopez", text: "I have had a headache\nfor a week.\nIt is worse at night & in the morning."),
            DialogueTurn(role: .doctor, speaker: "Doctor", text: "Any vision changes?"),
        ])
    }

    func testWebVTTWithoutVoicesFallsBackToLabelledLines() throws {
        let vtt = "WEBVTT\n\n00:01.000 --> 00:02.000\nDoctor: Hello.\n\n00:02.000 --> 00:03.000\nPatient: Hi.\n"
        let doc = try DialogueReader.read(text: vtt, encoding: .utf8, file: "x.vtt")
        XCTAssertEqual(doc.turns.map(\.text), ["Hello.", "Hi."])
    }

    func testNoteWithPatientAndDoctorHeaderLinesIsNotADialogue() throws {
        let doc = try readOne(TestFiles.fixture("note_with_header_labels.txt"))
        XCTAssertEqual(doc.kind, .clinicalNote)
        XCTAssertEqual(doc.patient.name, "Ann Lee")
        XCTAssertEqual(doc.sections.titled("Plan")?.text, "continue current inhalers.")
    }

    func testSOAPLettersAloneDoNotMakeADialogue() {
        let t = DialogueReader.turns(in: "S: cough\nO: clear chest\nA: viral URTI\nP: fluids\n")
        XCTAssertFalse(t.looksLikeDialogue)
    }

    func testShortFullyLabelledExchangeIsADialogue() {
        XCTAssertTrue(DialogueReader.turns(in: "Doctor: Any pain?\nPatient: No.").looksLikeDialogue)
    }

    func testSpeakerLabelClassification() {
        func role(_ s: String) -> SpeakerRole? { SpeakerLabels.classify(Substring(s))?.role }
        XCTAssertEqual(role("Dr. Okafor"), .doctor)
        XCTAssertEqual(role("Doctor Patel"), .doctor)
        XCTAssertEqual(role("Jane Doe, MD"), .doctor)
        XCTAssertEqual(role("PATIENT"), .patient)
        XCTAssertEqual(role("Pt"), .patient)
        XCTAssertEqual(role("Speaker 2"), .other)
        XCTAssertEqual(role("Nurse Ann"), .other)
        XCTAssertEqual(role("Guest_clinician"), .other)
        XCTAssertNil(role("BP"))
        XCTAssertNil(role("Plan"))
        XCTAssertNil(role("Maria"))
    }
}

/// Plain-text notes: sections where headings exist, one narrative otherwise, and the facts
/// clinicians write in passing.
final class TextNoteTests: XCTestCase {
    func testTerseNoteIsCutAtInlineHeadings() throws {
        let doc = try readOne(TestFiles.fixture("terse_note.txt"))
        XCTAssertEqual(doc.kind, .clinicalNote)
        XCTAssertEqual(doc.task, .dischargeSummary)
        XCTAssertEqual(doc.sections, [
            Section(title: "Narrative", code: nil, text: "36 y/o female, adm 2025-03-07, c/o headache x 1 week."),
            Section(title: "Diagnosis", code: nil, text: "migraine without aura."),
            Section(title: "Past medical history", code: "11348-0", text: "HTN, asthma."),
            Section(title: "Treatment", code: nil, text: "IV fluids, metoclopramide 10 mg, paracetamol 1 g. D/c 2025-03-10 home, f/u GP 2/52."),
        ])
        XCTAssertEqual(doc.patient.ageYears, 36)
        XCTAssertEqual(doc.patient.sex, .female)
        XCTAssertEqual(doc.encounter.admission, "2025-03-07")
        XCTAssertEqual(doc.encounter.discharge, "2025-03-10")
    }

    func testHeaderFieldsCapitalHeadingsAndLineHeadings() throws {
        let doc = try readOne(TestFiles.fixture("sectioned_note.txt"))
        XCTAssertEqual(doc.patient, Patient(name: "John Carter", id: "00482913", birthDate: "1958-04-12", sex: .male))
        XCTAssertEqual(doc.encounter, Encounter(admission: "2025-02-01", discharge: "2025-02-05", location: "Cardiology B"))
        XCTAssertEqual(doc.sections.map(\.title), ["Narrative", "History of present illness", "Past medical history", "Medications",
                                                   "Allergies", "Hospital course", "Plan", "Follow-up"])
        XCTAssertEqual(doc.sections.titled("Allergies")?.code, "48765-2")
        XCTAssertEqual(doc.sections.coded("10164-2")?.text, "66 year old man with central chest pain radiating to the left arm for 2 hours.")
        // "BP: 128/76" is not a heading: it stays in the hospital course.
        XCTAssertEqual(doc.sections.coded("8648-8")?.text, "Troponin rise, NSTEMI. Angiography: LAD stenosis, stented.\nBP: 128/76 on discharge.")
        XCTAssertEqual(doc.sections.titled("Follow-up")?.text, "cardiology clinic 6 weeks.")
    }

    func testNoteWithoutHeadingsIsOneNarrative() {
        let doc = TextNoteReader.read(text: "Seen in clinic.\nWell.\n", encoding: .utf8, file: "n.txt")
        XCTAssertEqual(doc.sections, [Section(title: "Narrative", code: nil, text: "Seen in clinic.\nWell.")])
    }

    func testAgeAndSexShorthand() {
        func facts(_ s: String) -> Patient {
            var d = ClinicalDocument(kind: .clinicalNote, task: .dischargeSummary, sourceFormat: .plainText, encoding: .utf8, sourceFile: "x")
            TextFacts.extract(from: s, into: &d)
            return d.patient
        }
        XCTAssertEqual(facts("58-year-old man with chest pain").ageYears, 58)
        XCTAssertEqual(facts("58-year-old man with chest pain").sex, .male)
        XCTAssertEqual(facts("45F, SOB").sex, .female)
        XCTAssertEqual(facts("pt 72 yo m").ageYears, 72)
        XCTAssertNil(facts("headache x 1 week").ageYears)
    }

    func testAmbiguousDatesAreKeptAsWritten() {
        var d = ClinicalDocument(kind: .clinicalNote, task: .dischargeSummary, sourceFormat: .plainText, encoding: .utf8, sourceFile: "x")
        TextFacts.extract(from: "admitted on 03/07/2025 with sepsis", into: &d)
        XCTAssertEqual(d.encounter.admission, "03/07/2025")
    }
}
