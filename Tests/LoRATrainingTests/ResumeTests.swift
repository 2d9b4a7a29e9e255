import Foundation
import LLM
@testable import LoRATraining
import XCTest

/// A run stopped and resumed from its checkpoint gives the same loss curve and the same adapter as one never
/// stopped (dropout on, shuffled data, two epochs, warm-up and cosine); a checkpoint of another run is refused.
final class ResumeTests: XCTestCase {
    var folder: URL!
    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("quill-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func setup() throws -> (LanguageModel, TrainingSettings, TrainingData) {
        let model = try TrainingFixtures.model("qwen2-untied")
        let base = try TrainingFixtures.examples(try TrainingFixtures.json("qwen2-untied"))
        let data = TrainingData(file: "fixture", examples: base + base + base, sha256: "fixture-x3")
        var s = TrainingSettings()
        s.lora = LoRASettings(targets: ["q_proj", "v_proj", "down_proj"], rank: 4, alpha: 8, dropout: 0.1)
        s.epochs = 2; s.batch = 2; s.accumulation = 2; s.warmup = 2; s.learningRate = 1e-2; s.weightDecay = 0.01; s.seed = 42
        return (model, s, data)
    }

    func testAStoppedAndResumedRunEqualsAnUninterruptedOne() throws {
        let (model, s, data) = try setup()
        let whole = try Trainer(model: model, settings: s, data: data, validation: data, threads: 1)
        XCTAssertEqual(try whole.run(), .finished)
        XCTAssertEqual(whole.history.steps.count, 6)

        let first = try Trainer(model: model, settings: s, data: data, validation: data, threads: 1)
        let outcome = try first.run(progress: { if $0.step == 4 { first.requestStop() } },
                                    checkpoint: { try TrainingCheckpoint.write($0, to: self.folder) })
        XCTAssertEqual(outcome, .interrupted)
        XCTAssertEqual(first.position.step, 4)

        let second = try Trainer(model: model, settings: try TrainingCheckpoint.settings(in: folder), data: data, validation: data, threads: 1)
        try TrainingCheckpoint.restore(second, from: folder)
        XCTAssertEqual(try second.run(), .finished)
        func curve(_ t: Trainer) -> [[Double]] { t.history.steps.map { [$0.loss, $0.gradientNorm, $0.learningRate, Double($0.epoch)] } }
        XCTAssertEqual(curve(second), curve(whole))
        XCTAssertEqual(second.history.validations, whole.history.validations)
        for (a, b) in zip(second.lora.modules, whole.lora.modules) {
            XCTAssertEqual(a.a.array, b.a.array); XCTAssertEqual(a.b.array, b.b.array)
        }
    }

    func testACheckpointOfOtherSettingsOrDataIsRefused() throws {
        let (model, s, data) = try setup()
        let t = try Trainer(model: model, settings: s, data: data, threads: 1)
        try TrainingCheckpoint.write(t, to: folder)
        var other = s
        other.learningRate = 5e-3
        XCTAssertThrowsError(try TrainingCheckpoint.restore(try Trainer(model: model, settings: other, data: data, threads: 1), from: folder)) {
            XCTAssertTrue("\($0)".contains("other settings"), "\($0)")
        }
        let otherData = TrainingData(file: "other", examples: data.examples, sha256: "different")
        XCTAssertThrowsError(try TrainingCheckpoint.restore(try Trainer(model: model, settings: s, data: otherData, threads: 1), from: folder)) {
            XCTAssertTrue("\($0)".contains("other training data"), "\($0)")
        }
        try Data("QLORACK1 truncated".utf8).write(to: folder.appendingPathComponent(TrainingCheckpoint.fileName))
        XCTAssertThrowsError(try TrainingCheckpoint.restore(t, from: folder))
    }

    /// Validation picks the adapter to keep; patience stops a run whose validation loss stops falling.
    func testEarlyStoppingKeepsTheBestAdapter() throws {
        let (model, base, data) = try setup()
        var s = base
        s.epochs = 20; s.evalEvery = 1; s.patience = 2; s.learningRate = 0.2; s.warmup = 0; s.schedule = .constant
        let t = try Trainer(model: model, settings: s, data: data, validation: data, threads: 1)
        XCTAssertEqual(try t.run(), .stoppedEarly)
        let best = try XCTUnwrap(t.history.bestValidation)
        XCTAssertEqual(t.history.validations.last!.step - best.step, 2)
        let kept = t.adapter(folder: folder)
        let check = try Trainer(model: model, settings: s, data: data, initial: kept, threads: 1)
        XCTAssertEqual(check.loss(on: data), best.loss, accuracy: 1e-9 * best.loss)
    }
}
