import Foundation
import QuillEval
import QuillPipeline
import SyntheticRecords
import XCTest

/// The fact check's lexicons are frozen without the vocabulary held out for measuring it (`HeldOutVocabulary`),
/// and the held-out measurement counts only what it should.
final class HeldOutVocabularyTests: XCTestCase {
    static let lexiconFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("templates/lexicon")

    func entries(_ file: String) throws -> [String] {
        try String(contentsOf: Self.lexiconFolder.appendingPathComponent(file), encoding: .utf8).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    func testLexiconsHoldNoHeldOutName() throws {
        let held = HeldOutVocabulary.allNames
        let medications = try entries("medications.txt").map { $0.lowercased() }
        XCTAssertEqual(medications.filter(held.contains), [], "medications.txt holds held-out names")
        var synonymEntries: [String] = []
        for line in try entries("synonyms.txt") {
            let parts = line.split(separator: "=", maxSplits: 1)
            synonymEntries.append(parts[0].trimmingCharacters(in: .whitespaces).lowercased())
            if parts.count > 1 { synonymEntries += parts[1].split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces).lowercased() } }
        }
        XCTAssertEqual(synonymEntries.filter(held.contains), [], "synonyms.txt holds held-out names")
        // The checker as the pipeline loads it knows none of them either.
        let checker = try FactChecker(lexicon: Self.lexiconFolder.appendingPathComponent("medications.txt"))
        XCTAssertEqual(checker.medications.filter(held.contains).sorted(), [])
        XCTAssertFalse(checker.synonyms.contains { held.contains($0.words.joined(separator: " ")) })
    }

    func testTheSplitIsAFifthByNameAndCoversBrandNames() {
        // The hash of the name decides, whatever the tables' order: fixed answers for a few names.
        XCTAssertTrue(HeldOutVocabulary.isHeldOut("atorvastatin"))
        XCTAssertTrue(HeldOutVocabulary.isHeldOut("Atorvastatin"))
        XCTAssertFalse(HeldOutVocabulary.isHeldOut("amoxicillin"))
        let share = Double(HeldOutVocabulary.drugs.count) / Double(HeldOutVocabulary.allDrugNames.count - HeldOutVocabulary.brandNames.count)
        XCTAssertEqual(share, 0.2, accuracy: 0.07)
        XCTAssertGreaterThan(HeldOutVocabulary.conditions.count, 40)
        for brand in ["Eliquis", "Lasix", "Keppra", "Zosyn"] { XCTAssertTrue(HeldOutVocabulary.brandNames.contains(brand), brand) }
    }

    /// The measurement on held-out words: records that use them, planted drugs only from the held-out side.
    func testHeldOutMeasurementUsesHeldOutWords() throws {
        let checker = try FactChecker(lexicon: Self.lexiconFolder.appendingPathComponent("medications.txt"))
        let e = try FactCheckEvaluation.measureHeldOut(checker: checker, task: .dischargeSummary, count: 40, seed: 909)
        XCTAssertEqual(e.records, 40)
        var plantedDrugs = 0
        for index in 0..<400 {
            let r = SyntheticRecords.record(task: .dischargeSummary, seed: 909, index: index)
            guard HeldOutVocabulary.isUsed(in: r.input + "\n" + r.reference) else { continue }
            let planted = FactPlanting.plant(2, into: r.reference, input: r.input, seed: 909 &* 1_000_003 &+ UInt64(r.index), drugs: .heldOut)
            for p in planted.planted where p.kind == .drugAdded {
                plantedDrugs += 1
                XCTAssertTrue(HeldOutVocabulary.drugs.contains { p.text.hasPrefix($0 + " ") }
                              || HeldOutVocabulary.brandNames.contains { p.text.hasPrefix($0 + " ") }, p.text)
            }
        }
        XCTAssertGreaterThan(plantedDrugs, 10)
    }

    /// A finding on a planted reference is true only when it covers planted text: recomputed here from the
    /// plantings and the checker's findings, it must equal what the evaluation counts. A checker with no phrasing
    /// words flags "start" and "follow-up", words planting adds around a planted fact without being one.
    func testTrueFindingsAreOnlyThoseCoveringPlantedText() throws {
        let lexicon = Self.lexiconFolder.appendingPathComponent("medications.txt")
        let full = try FactChecker(lexicon: lexicon)
        let bare = FactChecker(medications: full.medications, phrasing: [])
        let e = try FactCheckEvaluation.measure(checker: bare, task: .soapNote, count: 30, seed: 4242)
        var expectedTrue = 0, newOnPlanted = 0
        for r in SyntheticRecords.generate(task: .soapNote, count: 30, seed: 4242) {
            let eval = EvalRecord(r)
            let input = ClinicalPrompt.documentText(try eval.document())
            func findings(_ reference: String) -> [FactFinding] {
                bare.check(sections: Scorer.sections(of: Metrics.modelWrittenPart(of: reference), task: .soapNote), input: input)
            }
            var clean = findings(r.reference)
            let planted = FactPlanting.plant(2, into: r.reference, input: r.input, seed: 4242 &* 1_000_003 &+ UInt64(r.index))
            for f in findings(planted.reference) {
                if let i = clean.firstIndex(of: f) { clean.remove(at: i); continue }
                newOnPlanted += 1
                let squeezed = f.text.lowercased().filter { !$0.isWhitespace }
                let covered = planted.planted.contains { p in
                    ([p.text] + (p.span.map { [$0] } ?? [])).map { $0.lowercased().filter { !$0.isWhitespace } }
                        .contains { !squeezed.isEmpty && ($0.contains(squeezed) || squeezed.contains($0)) }
                }
                if covered { expectedTrue += 1 }
            }
        }
        XCTAssertGreaterThan(newOnPlanted, expectedTrue, "the bare checker should flag planting's connecting words")
        XCTAssertEqual(e.overall.trueFindings, expectedTrue)
    }
}
