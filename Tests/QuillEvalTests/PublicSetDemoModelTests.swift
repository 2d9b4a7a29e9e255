import ClinicalDocuments
import Foundation
import QuillEval
import QuillPipeline
import SyntheticRecords
import XCTest

/// The public-set evaluation end to end on the committed demo model: two documents of one ACI-Bench and one
/// MTS-Dialog set through the pipeline, every figure of the report filled, and the ROUGE figures what rescoring
/// the written outputs (JSONL) against their references gives. The demo model does not summarise; the test is
/// about the measurement, not the scores.
final class PublicSetDemoModelTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let samples = repo.appendingPathComponent("Tests/Data/samples")

    func demoEvaluation() throws -> PublicSetEvaluation {
        let pipeline = try DocumentPipeline(modelFolder: Self.repo.appendingPathComponent("models/demo"), quantization: .q8_0,
                                            settings: PipelineRun.settings(templates: Self.repo.appendingPathComponent("templates")))
        return PublicSetEvaluation(run: PipelineRun(pipeline: pipeline, threads: ProcessInfo.processInfo.activeProcessorCount))
    }

    /// On the HL7 v2 lab message the demo model writes "home" over and over: the repetition check's loop, counted
    /// as a degenerate output and written with its phrase.
    func testALoopingOutputIsCountedAsDegenerate() throws {
        let documents = try PublicSet.hl7.documents(samples: Self.samples, limit: 3)
        XCTAssertEqual(documents.last?.id, "data/SampleData/Hl7v2/LAB-ORU-1.hl7")
        let (report, lines) = try demoEvaluation().evaluate(.hl7, documents: documents)
        let looping = try XCTUnwrap(report.scores.first { $0.id == "data/SampleData/Hl7v2/LAB-ORU-1.hl7" })
        XCTAssertEqual(looping.repetition?.phrase, "home home home home home home home home")
        XCTAssertTrue(looping.needsReview)
        XCTAssertEqual(report.degenerateOutputs, report.scores.filter { $0.repetition != nil }.count)
        XCTAssertGreaterThanOrEqual(report.degenerateOutputs, 1)
        let line = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(lines.last).utf8)) as? [String: Any])
        let scores = try XCTUnwrap(line["scores"] as? [String: Any])
        XCTAssertEqual(scores["degenerate"] as? Bool, true)
        XCTAssertEqual((scores["repetition"] as? [String: Any])?["section"] as? String, "Admission")
    }

    func testReportOnTwoDocumentsOfEachDialogueSetAgreesWithItsWrittenOutputs() throws {
        let evaluation = try demoEvaluation()
        let samples = Self.samples
        var reports: [PublicSetReport] = [], lines: [String] = []
        for set in [PublicSet.aciBenchValid, .mtsDialogValid] {
            let (report, written) = try evaluation.evaluate(set, documents: try set.documents(samples: samples, limit: 2))
            reports.append(report); lines += written
        }

        for r in reports {
            XCTAssertEqual(r.documents, 2, r.set.rawValue)
            XCTAssertGreaterThanOrEqual(r.scores.count, 1, "\(r.set.rawValue): \(r.failures)")
            for value in [r.rouge1, r.rouge2, r.rougeL, r.allSectionsPresentRate, r.documentedSectionShare, r.reviewRate] {
                let v = try XCTUnwrap(value, r.set.rawValue)
                XCTAssertTrue((0...1).contains(v), "\(r.set.rawValue): \(v)")
            }
            XCTAssertEqual(r.allSectionsPresentRate, 1, "sectioned generation writes every heading")
            XCTAssertGreaterThan(try XCTUnwrap(r.meanSeconds), 0)
            let byKind = try XCTUnwrap(r.findingsPerOutputByKind)
            XCTAssertEqual(byKind.values.reduce(0, +), try XCTUnwrap(r.findingsPerOutput), accuracy: 1e-12)
            XCTAssertEqual(r.reviewRate, Double(r.scores.filter(\.needsReview).count) / Double(r.scores.count))
            // Degenerate: what the pipeline's repetition check found, and every such output went to review.
            XCTAssertEqual(r.degenerateOutputs, r.scores.filter { $0.repetition != nil }.count)
            XCTAssertTrue(r.scores.filter(\.degenerate).allSatisfy(\.needsReview))
        }
        // The first ACI-Bench encounter is longer than the demo model's 2,048 positions: an error with its reason.
        XCTAssertEqual(reports[0].failures.map(\.id), ["D2N068"])
        XCTAssertTrue(reports[0].failures[0].reason.contains("context holds 2048"), reports[0].failures[0].reason)

        // Rescoring the written outputs: the candidate taken from the rendered text, as anyone reading the file would.
        let decoded = try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        XCTAssertEqual(decoded.count, 4)
        XCTAssertEqual(decoded.map { $0["id"] as? String }, ["D2N068", "D2N069", "0", "1"])
        for r in reports {
            var rescored: [Metrics.RougeScores] = []
            for line in decoded where line["set"] as? String == r.set.rawValue && line["error"] == nil {
                let output = try XCTUnwrap(line["output"] as? String), reference = try XCTUnwrap(line["reference"] as? String)
                let sections = Scorer.sections(of: Metrics.modelWrittenPart(of: output), task: .soapNote)
                let candidate = (line["scored_section"] as? String).map { heading in sections.first { $0.heading == heading }?.text ?? "" }
                    ?? sections.map(\.text).joined(separator: "\n")
                let s = Metrics.rouge(reference: reference, candidate: candidate)
                let scores = try XCTUnwrap(line["scores"] as? [String: Any])
                XCTAssertEqual(scores["rouge1_f1"] as? Double, s.rouge1.f1)
                XCTAssertEqual(scores["rouge2_f1"] as? Double, s.rouge2.f1)
                XCTAssertEqual(scores["rougeL_f1"] as? Double, s.rougeL.f1)
                rescored.append(s)
            }
            XCTAssertEqual(rescored.count, r.scores.count)
            func mean(_ f: (Metrics.RougeScores) -> Double) -> Double { rescored.map(f).reduce(0, +) / Double(rescored.count) }
            XCTAssertEqual(try XCTUnwrap(r.rouge1), mean(\.rouge1.f1), accuracy: 1e-12, r.set.rawValue)
            XCTAssertEqual(try XCTUnwrap(r.rouge2), mean(\.rouge2.f1), accuracy: 1e-12, r.set.rawValue)
            XCTAssertEqual(try XCTUnwrap(r.rougeL), mean(\.rougeL.f1), accuracy: 1e-12, r.set.rawValue)
        }
        // MTS-Dialog's reference is one section: what is scored is that section's text alone.
        XCTAssertEqual(decoded[2]["scored_section"] as? String, "Subjective")
        XCTAssertTrue(decoded[1]["scored_section"] is NSNull)

        let json = PublicEvalReport(source: "demo", sets: reports).json
        let sets = try XCTUnwrap(json["sets"] as? [[String: Any]])
        XCTAssertEqual(sets.map { $0["set"] as? String }, ["aci-bench-valid", "mts-dialog-valid"])
        for set in sets {
            for key in ["documents", "outputs", "errors", "rouge", "all_sections_present_rate", "documented_section_share", "findings_per_output",
                        "findings_per_output_by_kind", "review_rate", "degenerate_outputs", "mean_seconds_per_document"] {
                XCTAssertNotNil(set[key], key)
            }
            XCTAssertNotNil((set["rouge"] as? [String: Any])?["rouge2_f1"] as? Double)
        }
        XCTAssertTrue(PublicEvalReport(source: "demo", sets: reports).table.contains("D2N068: prompt plus output need"))
    }
}
