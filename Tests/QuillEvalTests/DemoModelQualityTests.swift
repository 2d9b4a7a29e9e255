import ClinicalDocuments
import Foundation
import QuillEval
import QuillPipeline
import SyntheticRecords
import XCTest

/// The committed demo model, loaded by Quill's own loader and tokenizer, does the task on records it never saw
/// (seeds other than its training seeds 11 and 12 and the evaluation seeds 101 and 102), greedy, through the
/// whole pipeline: reader, prompt, section-structured generation, text template.
final class DemoModelQualityTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let templates = repo.appendingPathComponent("templates")

    static let run: PipelineRun? = {
        guard let pipeline = try? DocumentPipeline(modelFolder: repo.appendingPathComponent("models/demo"), quantization: .q8_0,
                                                   settings: PipelineRun.settings(templates: templates)) else { return nil }
        return PipelineRun(pipeline: pipeline, threads: ProcessInfo.processInfo.activeProcessorCount)
    }()

    func report(_ task: DocumentTask, seed: UInt64) throws -> EvalReport {
        let run = try XCTUnwrap(Self.run, "the demo model in models/demo loads with Quill's loader and tokenizer")
        let scorer = Scorer(checker: run.pipeline.factChecker)
        var scores: [OutputScore] = []
        for record in SyntheticRecords.generate(task: task, count: 20, seed: seed).map(EvalRecord.init) {
            scores.append(try scorer.score(record, output: try run.output(for: record).text))
        }
        return EvalReport(task: task == .soapNote ? .soapNote : .dischargeSummary, source: "demo", scores: scores)
    }

    func testDischargeSummariesOnHeldOutNotes() throws {
        let r = try report(.dischargeSummary, seed: 301)
        XCTAssertGreaterThanOrEqual(r.rougeL, 0.85)
        XCTAssertGreaterThanOrEqual(r.factRecall, 0.95)
    }

    func testSOAPNotesOnHeldOutDialogues() throws {
        let r = try report(.soapNote, seed: 302)
        XCTAssertGreaterThanOrEqual(r.rougeL, 0.75)
        XCTAssertGreaterThanOrEqual(r.factRecall, 0.90)
    }
}
