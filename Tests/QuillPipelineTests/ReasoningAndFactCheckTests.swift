import Foundation
import XCTest
@testable import QuillPipeline

final class ReasoningTextTests: XCTestCase {
    func testThinkingIsNeverWritten() {
        XCTAssertEqual(ReasoningText.strip("<think>plan the note</think>Admitted on 2025-03-07."), "Admitted on 2025-03-07.")
        XCTAssertEqual(ReasoningText.strip("A <think>x</think>B <think>y</think>C"), "A B C")
        XCTAssertEqual(ReasoningText.strip("Fine.<think>unfinished"), "Fine.")
        // The prompt opened the thought: everything before the stray close is reasoning.
        XCTAssertEqual(ReasoningText.strip("still thinking</think>\n\nAnswer."), "\n\nAnswer.")
    }

    func testReasoningPromptIsRecognised() {
        XCTAssertTrue(ReasoningText.opensThinking("<｜User｜>Hi<｜Assistant｜><think>\n"))
        XCTAssertFalse(ReasoningText.opensThinking("<｜User｜>Hi<｜Assistant｜>"))
        XCTAssertFalse(ReasoningText.opensThinking("<think>a</think>"))
        XCTAssertEqual(ReasoningText.reasoning(in: "\nI list the facts.\n</think>\n\nAdmission: x"), "I list the facts.")
    }
}

final class FactCheckTests: XCTestCase {
    let checker = FactChecker(medications: ["azithromycin", "albuterol", "amoxicillin", "warfarin"])
    let input = "36 y/o female, adm 03/07/2025, c/o headache x 1 week. Dx: appendicitis. Tx: azithromycin 500mg x 1 then 250 mg QD x 4 days, albuterol PRN. BP 120/80. Labs: CRP 15 mg/L, Hb 11.2 g/dL."

    func findings(_ text: String, heading: String = "Treatment") -> [FactFinding] {
        checker.check(sections: [(heading, text)], input: input)
    }

    func testSupportedStatementsPass() {
        XCTAssertEqual(findings("Azithromycin 500 mg x 1 then 250 mg QD x 4 days; albuterol PRN."), [])
        XCTAssertEqual(findings("Admitted on 2025-03-07 with headache for 1 week.", heading: "Admission"), [])
        XCTAssertEqual(findings("BP 120/80. CRP 15 mg/L, Hb 11.2 g/dL.", heading: "Investigations"), [])
        XCTAssertEqual(findings(notDocumented, heading: "Follow-up"), [])
    }

    func testChangedDoseAddedDrugShiftedDateAndInventedFollowUpAreFound() {
        XCTAssertEqual(findings("Azithromycin 750 mg daily.").map(\.kind), [.quantity])
        XCTAssertEqual(findings("Warfarin was started.").map(\.kind), [.medication])
        XCTAssertEqual(findings("Admitted on 2025-03-08.", heading: "Admission").map(\.kind), [.date])
        let followUp = findings("Follow up with cardiology in 2 weeks.", heading: "Follow-up")
        XCTAssertTrue(followUp.contains { $0.kind == .quantity && $0.text == "2 weeks" }, "\(followUp)")
        XCTAssertTrue(followUp.contains { $0.kind == .term && $0.text == "cardiology" }, "\(followUp)")
    }

    func testDatesCompareInAnyWrittenForm() {
        for written in ["2025-03-07", "03/07/2025", "7 March 2025", "Mar 7, 2025"] {
            XCTAssertEqual(findings("Admitted on \(written).", heading: "Admission"), [], written)
        }
    }

    func testDashedDatesCompare() {
        let checker = FactChecker(medications: [])
        XCTAssertEqual(checker.check(sections: [("Admission", "Admitted on 2025-03-07.")], input: "adm 07-Mar-2025"), [])
        XCTAssertEqual(checker.check(sections: [("Admission", "Admitted on 2025-03-08.")], input: "adm 07-Mar-2025").map(\.kind), [.date])
    }

    func testShortAndLayFormsSupportTheirTermOnly() {
        let checker = FactChecker(medications: [], synonyms: ["hypertension": ["HTN", "high blood pressure"], "emergency department": ["ED"]])
        XCTAssertEqual(checker.check(sections: [("History", "Hypertension.")], input: "PMH: HTN."), [])
        XCTAssertEqual(checker.check(sections: [("History", "Hypertension.")], input: "I have high blood pressure."), [])
        XCTAssertEqual(checker.check(sections: [("Admission", "Admitted via the emergency department.")], input: "adm via ED"), [])
        // A form inside a longer word does not count ("MED" is not "ED"), and other terms stay findings.
        XCTAssertEqual(checker.check(sections: [("Admission", "Via the emergency department.")], input: "MEDS reviewed").map(\.text),
                       ["emergency", "department"])
        XCTAssertEqual(checker.check(sections: [("History", "Hypertension and epilepsy.")], input: "PMH: HTN.").map(\.text), ["epilepsy"])
    }

    func testMedicationNamesOfSeveralWordsAreMatchedAsPhrases() {
        let checker = FactChecker(medications: ["insulin", "insulin glargine", "tranexamic acid"])
        XCTAssertEqual(checker.check(sections: [("Treatment", "Insulin glargine 10 units at night.")], input: "insulin glargine 10 units at night"), [])
        let added = checker.check(sections: [("Treatment", "Tranexamic acid 1 g IV.")], input: "no drugs given")
        XCTAssertTrue(added.contains { $0.kind == .medication && $0.text == "tranexamic acid" }, "\(added)")
        XCTAssertFalse(added.contains { $0.kind == .term && $0.text == "tranexamic" }, "a medication's word is not an unknown term too")
    }

    func testLexiconLoadsFromTheEditableFile() throws {
        let checker = try FactChecker(lexicon: PipelineFixtures.templates.appendingPathComponent("lexicon/medications.txt"))
        XCTAssertTrue(checker.medications.contains("amoxicillin"))
        XCTAssertFalse(checker.medications.contains { $0.hasPrefix("#") })
        XCTAssertTrue(checker.synonyms.contains { $0.words == ["hypertension"] && $0.forms.contains("htn") }, "synonyms.txt beside the lexicon")
    }
}
