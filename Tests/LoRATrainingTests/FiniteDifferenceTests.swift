import Foundation
import LLM
@testable import LoRATraining
import XCTest

/// Every parameter path's analytic gradient against central differences of the loss: A and B of each of the
/// seven projections, through q/k/v biases and a separate head (Qwen2) and a tied head with llama3 rope (Llama),
/// with LoRA dropout on (the masks are fixed by the seed, so the loss is a function of the pairs alone).
final class FiniteDifferenceTests: XCTestCase {
    func check(_ name: String, dropout: Float) throws {
        let fixture = try TrainingFixtures.json(name)
        let model = try TrainingFixtures.model(name)
        let lora = LoRAParameters(adapter: try TrainingFixtures.adapter(name, for: model), config: model.config)
        let examples = try TrainingFixtures.examples(fixture)
        let g = DecoderGradients(model: model, lora: lora, dropout: dropout, threads: 1)
        let labelled = examples.reduce(0) { $0 + $1.labelCount }
        func loss(grad: Bool) -> Double {
            var sum = 0.0
            for (i, e) in examples.enumerated() {
                sum += g.run(ids: e.ids, labels: e.labels, lossScale: grad ? 1 / Float(labelled) : nil, dropoutSeed: UInt64(1000 + i)).loss
            }
            return sum / Double(labelled)
        }
        lora.zeroGradients()
        _ = loss(grad: true)
        let h: Float = 1e-3
        var checked = 0
        for m in lora.modules {
            for (value, gradient, label) in [(m.a, m.gradA, "A"), (m.b, m.gradB, "B")] {
                let analytic = gradient.array
                // The three largest entries (a wrong gradient is wrong where it is large) and one more.
                let picks = Array(analytic.indices.sorted { abs(analytic[$0]) > abs(analytic[$1]) }.prefix(3)) + [analytic.count / 2]
                let scale = analytic.map { abs($0) }.max() ?? 0
                for i in picks {
                    let saved = value.p[i]
                    value.p[i] = saved + h; let up = loss(grad: false)
                    value.p[i] = saved - h; let down = loss(grad: false)
                    value.p[i] = saved
                    let numeric = (up - down) / Double(2 * h)
                    XCTAssertEqual(Double(analytic[i]), numeric, accuracy: 2e-2 * Double(scale) + 2e-5,
                                   "\(name) \(m.path) lora_\(label)[\(i)]")
                    checked += 1
                }
            }
        }
        XCTAssertEqual(checked, lora.modules.count * 2 * 4)
    }

    /// Keeping layers' internals instead of recomputing them changes nothing: the same gradients, bit for bit.
    func testKeptLayersGiveTheRecomputedGradients() throws {
        let fixture = try TrainingFixtures.json("qwen2-untied")
        let model = try TrainingFixtures.model("qwen2-untied")
        let examples = try TrainingFixtures.examples(fixture)
        func gradients(budget: Int?) throws -> [[Float]] {
            let lora = LoRAParameters(adapter: try TrainingFixtures.adapter("qwen2-untied", for: model), config: model.config)
            let g = DecoderGradients(model: model, lora: lora, dropout: 0.1, threads: 1)
            g.memoryBudget = budget
            for (i, e) in examples.enumerated() { _ = g.run(ids: e.ids, labels: e.labels, lossScale: 0.01, dropoutSeed: UInt64(i)) }
            if let budget { XCTAssertEqual(g.keptLayers(tokens: examples[0].ids.count), budget > 1 << 40 ? 2 : 0) }
            return lora.modules.flatMap { [$0.gradA.array, $0.gradB.array] }
        }
        let recomputed = try gradients(budget: nil)
        XCTAssertEqual(try gradients(budget: 1 << 50), recomputed)
        XCTAssertEqual(try gradients(budget: 0), recomputed)
    }

    func testQwen2UntiedWithBiasesAndDropout() throws { try check("qwen2-untied", dropout: 0.1) }
    func testLlama3TiedWithoutDropout() throws { try check("llama-tied", dropout: 0) }
    func testLlama3TiedWithDropout() throws { try check("llama-tied", dropout: 0.2) }
}
