import Foundation
import LLM
@testable import LoRATraining
import XCTest

/// Quill's trainer against transformers + PEFT (float64) on the same tiny bases and adapters: the loss to 1e-5
/// relative, every LoRA gradient (A and B of all seven projections, every layer) to 1e-4 relative, and the
/// adapter after AdamW steps with warm-up, schedules, weight decay and clipping to 1e-5.
final class PEFTParityTests: XCTestCase {
    func checkGradients(fixture name: String, base: String? = nil, case key: String = "gradients") throws {
        let fixture = try TrainingFixtures.json(name)
        let reference = try XCTUnwrap(fixture[key] as? [String: Any])
        let model = try TrainingFixtures.model(base ?? name)
        let lora = LoRAParameters(adapter: try TrainingFixtures.adapter(name, for: model), config: model.config)
        XCTAssertEqual(lora.modules.count, 2 * 7)
        let loss = TrainingFixtures.lossAndGradients(model, lora, try TrainingFixtures.examples(fixture))
        let expectedLoss = try XCTUnwrap(reference["loss"] as? Double)
        XCTAssertEqual(loss, expectedLoss, accuracy: 1e-5 * expectedLoss, "\(name) \(key) loss")
        let grads = try TrainingFixtures.tensors(reference["gradients"])
        var worst = 0.0
        for m in lora.modules {
            let r = try XCTUnwrap(grads[m.path], m.path)
            let a = TrainingFixtures.relativeError(m.gradA.array, try XCTUnwrap(r["A"]))
            let b = TrainingFixtures.relativeError(TrainingFixtures.hfOrder(m.gradB.array, m, model.config), try XCTUnwrap(r["B"]))
            XCTAssertLessThan(a, 1e-4, "\(name) \(key) \(m.path) lora_A gradient")
            XCTAssertLessThan(b, 1e-4, "\(name) \(key) \(m.path) lora_B gradient")
            worst = max(worst, a, b)
        }
        print("\(name) \(key): loss \(loss) vs \(expectedLoss), worst gradient relative error \(worst)")
    }

    func testQwen2UntiedGradients() throws { try checkGradients(fixture: "qwen2-untied") }
    func testLlama3TiedRSLoRAGradients() throws { try checkGradients(fixture: "llama-tied") }
    func testQwen2Q8_0BaseGradients() throws { try checkGradients(fixture: "qwen2-untied", base: "qwen2-untied-q8_0.gguf", case: "q8_0") }
    func testQwen2Q4_0BaseGradients() throws { try checkGradients(fixture: "qwen2-untied", base: "qwen2-untied-q4_0.gguf", case: "q4_0") }
    func testLlamaQ8_0PermutedBaseGradients() throws { try checkGradients(fixture: "llama-tied", base: "llama-tied-q8_0.gguf", case: "q8_0") }

    /// A reference run replayed through `Trainer`: the same batches, schedule, decay and clipping.
    func replay(fixture name: String, case key: String, groups: [[[Int]]]? = nil) throws -> Trainer {
        let fixture = try TrainingFixtures.json(name)
        let reference = try XCTUnwrap(fixture[key] as? [String: Any])
        let model = try TrainingFixtures.model(name)
        var settings = TrainingSettings()
        settings.lora = LoRASettings(targets: ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"], rank: 4,
                                     alpha: 8, dropout: 0, rslora: name.hasPrefix("llama"))
        settings.learningRate = try XCTUnwrap(reference["lr"] as? Double)
        settings.warmup = try XCTUnwrap(reference["warmup"] as? Int)
        settings.schedule = try XCTUnwrap(LearningRateSchedule(rawValue: try XCTUnwrap(reference["schedule"] as? String)))
        settings.weightDecay = try XCTUnwrap(reference["weight_decay"] as? Double)
        settings.clip = try XCTUnwrap(reference["clip"] as? Double)
        let data = TrainingData(file: "fixture", examples: try TrainingFixtures.examples(fixture), sha256: "fixture")
        let trainer = try Trainer(model: model, settings: settings, data: data, initial: try TrainingFixtures.adapter(name, for: model), threads: 1)
        let steps = try XCTUnwrap(reference["groups"] as? [[Int]])
        trainer.fixedGroups = groups ?? steps.map { [$0] }
        XCTAssertEqual(try trainer.run(), .finished)

        let losses = try XCTUnwrap(reference["losses"] as? [Double]), norms = try XCTUnwrap(reference["gradient_norms"] as? [Double])
        XCTAssertEqual(trainer.history.steps.count, losses.count)
        for (s, (loss, norm)) in zip(trainer.history.steps, zip(losses, norms)) {
            XCTAssertEqual(s.loss, loss, accuracy: 1e-5 * loss, "\(name) \(key) step \(s.step) loss")
            XCTAssertEqual(s.gradientNorm, norm, accuracy: 1e-4 * norm, "\(name) \(key) step \(s.step) gradient norm")
        }
        let after = try TrainingFixtures.tensors(reference["adapter"])
        var worst = 0.0
        for m in trainer.lora.modules {
            let r = try XCTUnwrap(after[m.path])
            let a = TrainingFixtures.maxAbsoluteError(m.a.array, try XCTUnwrap(r["A"]))
            let b = TrainingFixtures.maxAbsoluteError(m.b.array, try XCTUnwrap(r["B"]))
            XCTAssertLessThan(a, 1e-5, "\(name) \(key) \(m.path) lora_A after the steps")
            XCTAssertLessThan(b, 1e-5, "\(name) \(key) \(m.path) lora_B after the steps")
            worst = max(worst, a, b)
        }
        print("\(name) \(key): adapter after \(losses.count) steps within \(worst) of PEFT's")
        return trainer
    }

    func testQwen2FiveAdamWStepsWithWarmupCosineAndClipping() throws { _ = try replay(fixture: "qwen2-untied", case: "adamw") }
    func testLlamaFiveAdamWStepsWithWarmupCosineAndClipping() throws { _ = try replay(fixture: "llama-tied", case: "adamw") }

    /// Four sequences per step as one micro-batch of four and as two micro-batches of two: both are PEFT's run.
    func testGradientAccumulationTwoByTwoEqualsFourByOne() throws {
        let one = try replay(fixture: "qwen2-untied", case: "accumulation", groups: [[[0, 1, 2, 3]]] + [[[0, 1, 2, 3]]] + [[[0, 1, 2, 3]]])
        let two = try replay(fixture: "qwen2-untied", case: "accumulation", groups: Array(repeating: [[0, 1], [2, 3]], count: 3))
        for (a, b) in zip(one.lora.modules, two.lora.modules) {
            XCTAssertLessThan(TrainingFixtures.maxAbsoluteError(a.b.array, b.b.array.map(Double.init)), 1e-6)
        }
    }
}
