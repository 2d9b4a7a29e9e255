import ClinicalDocuments
import XCTest
@testable import SyntheticRecords

/// The plain-text reference: fixed title, a patient line from structured data, every heading once
/// in order, one line per section, and `Not documented.` for a section without facts.
final class ReferenceTests: XCTestCase {
    func testTheSeedExampleRendersExactly() {
        let sections = [
            ReferenceSection(heading: "Admission", text: "Admitted on 2025-03-07."),
            ReferenceSection(heading: "Presenting complaint", text: "Headache for 1 week."),
            ReferenceSection(heading: "Diagnosis", text: "Appendicitis."),
            ReferenceSection(heading: "History", text: "Hyperlipidemia."),
            ReferenceSection(heading: "Treatment", text: "Azithromycin 500 mg x 1 then 250 mg QD x 4 days; albuterol PRN."),
            ReferenceSection(heading: "Investigations", text: "CT scan: 90% RCA occlusion. CRP 15 mg/L."),
            ReferenceSection(heading: "Discharge", text: "Discharged on 2025-03-07."),
        ]
        let patient = PlainTextReference.PatientLine(name: "Joseph Morton", sex: "female", ageYears: 36, mrn: "4821937")
        XCTAssertEqual(PlainTextReference.render(task: .dischargeSummary, patient: patient, sections: sections), """
            Discharge summary
            Patient: Joseph Morton, female, 36 years, MRN 4821937
            Admission: Admitted on 2025-03-07.
            Presenting complaint: Headache for 1 week.
            Diagnosis: Appendicitis.
            History: Hyperlipidemia.
            Treatment: Azithromycin 500 mg x 1 then 250 mg QD x 4 days; albuterol PRN.
            Investigations: CT scan: 90% RCA occlusion. CRP 15 mg/L.
            Discharge: Discharged on 2025-03-07.
            Follow-up: Not documented.

            """)
    }

    func testUnknownPatientPartsAreLeftOutAndBodiesStayOnOneLine() {
        let text = PlainTextReference.render(task: .soapNote, patient: .init(sex: "female", ageYears: 36),
                                             sections: [ReferenceSection(heading: "Plan", text: "Rest.\nFluids.")])
        XCTAssertEqual(text, "SOAP note\nPatient: female, 36 years\nSubjective: Not documented.\nObjective: Not documented.\nAssessment: Not documented.\nPlan: Rest. Fluids.\n")
    }

    func testGeneratedReferencesFollowTheTemplate() {
        for task in DocumentTask.allCases {
            for r in SyntheticRecords.generate(task: task, count: 500, seed: 11) {
                let lines = r.reference.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                XCTAssertEqual(lines.count, task.headings.count + 3, r.id)   // title, patient, sections, final empty
                XCTAssertEqual(lines[0], task.title)
                XCTAssertTrue(lines[1].hasPrefix("Patient: "))
                for (line, heading) in zip(lines.dropFirst(2), task.headings) {
                    XCTAssertTrue(line.hasPrefix(heading + ": "), "\(r.id): \(line)")
                    XCTAssertTrue(line.hasSuffix("."), "\(r.id): \(line)")
                }
                XCTAssertEqual(lines.last, "")
                XCTAssertEqual(r.sections.map(\.heading), task.headings)
            }
        }
    }

    func testPatientLineComesFromStructuredDataAndAgeFitsTheDates() {
        for task in DocumentTask.allCases {
            for r in SyntheticRecords.generate(task: task, count: 500, seed: 12) {
                let p = r.patient
                let on = r.admission ?? r.visit ?? r.discharge
                if let on { XCTAssertEqual(p.birthDate.years(until: on), p.age, r.id) }
                var expected = [String]()
                if let name = p.name { expected.append(name) }
                expected += [p.sex.rawValue, "\(p.age) years"]
                if let mrn = p.mrn { expected.append("MRN \(mrn)") }
                XCTAssertEqual(r.reference.split(separator: "\n")[1], Substring("Patient: " + expected.joined(separator: ", ")))
            }
        }
    }

    func testCalendarArithmetic() {
        XCTAssertEqual(CalendarDate(year: 1970, month: 1, day: 1).dayNumber, 0)
        XCTAssertEqual(CalendarDate(year: 2024, month: 2, day: 28).adding(days: 1).iso, "2024-02-29")
        XCTAssertEqual(CalendarDate(year: 2025, month: 12, day: 31).adding(days: 1).iso, "2026-01-01")
        XCTAssertEqual(CalendarDate(year: 1988, month: 3, day: 8).years(until: CalendarDate(year: 2025, month: 3, day: 7)), 36)
        XCTAssertEqual(NoteDates.isoDates(in: "adm 7 Mar 2025, seen March 8, 2025 and 09-Mar-2025; d/c 2025-03-10."),
                       ["2025-03-07", "2025-03-08", "2025-03-09", "2025-03-10"])
    }
}
