import Foundation
import LLM

/// The trainable half of a LoRA run: one (A [r, in], B [out, r]) pair per adapted projection of every layer,
/// each with its gradient, in the row order of the loaded base (a llama GGUF base has W_q/W_k rows permuted,
/// and B's rows with them; saving undoes it).
package final class LoRAParameters: @unchecked Sendable {
    package final class Module: @unchecked Sendable {
        package let layer: Int
        package let projection: Projection
        package let outputs: Int, inputs: Int, rank: Int
        package let scale: Float
        package let a: FloatBuffer, b: FloatBuffer           // [r, in], [out, r]
        package let gradA: FloatBuffer, gradB: FloatBuffer

        init(layer: Int, projection: Projection, outputs: Int, inputs: Int, rank: Int, scale: Float, a: [Float], b: [Float]) {
            self.layer = layer; self.projection = projection; self.outputs = outputs; self.inputs = inputs
            self.rank = rank; self.scale = scale
            self.a = FloatBuffer(a); self.b = FloatBuffer(b)
            gradA = FloatBuffer(a.count); gradB = FloatBuffer(b.count)
        }

        /// PEFT's module path, `model.layers.{i}.self_attn.q_proj`.
        package var path: String { "model.layers.\(layer).\(projection.modulePath)" }
    }

    package let modules: [Module]
    private let index: [Int: [Projection: Int]]

    package init(modules: [Module]) {
        self.modules = modules
        var index: [Int: [Projection: Int]] = [:]
        for (i, m) in modules.enumerated() { index[m.layer, default: [:]][m.projection] = i }
        self.index = index
    }

    /// Fresh pairs for `config`'s shapes: A drawn as PEFT draws it, B zero.
    package convenience init(config: ModelConfig, settings: LoRASettings, seed: UInt64) {
        var random = TrainingRandom(seed: seed)
        var modules: [Module] = []
        for layer in 0..<config.layers {
            for p in settings.projections {
                let (out, inp) = LoRAAdapter.dimensions(p, config)
                let r = settings.rank
                var a = [Float](repeating: 0, count: r * inp)
                switch settings.initialisation {
                case .kaiming:
                    let bound = 1 / Float(inp).squareRoot()
                    for i in a.indices { a[i] = (2 * random.uniform() - 1) * bound }
                case .gaussian:
                    let std = 1 / Float(r)
                    for i in a.indices { a[i] = random.normal() * std }
                }
                modules.append(Module(layer: layer, projection: p, outputs: out, inputs: inp, rank: r, scale: settings.scale,
                                      a: a, b: [Float](repeating: 0, count: out * r)))
            }
        }
        self.init(modules: modules)
    }

    /// The pairs of a loaded adapter (to continue training it), in its layer and projection order.
    package convenience init(adapter: LoRAAdapter, config: ModelConfig) {
        var modules: [Module] = []
        for layer in adapter.modules.keys.sorted() {
            for p in Projection.allCases {
                guard let pair = adapter.pair(layer: layer, p) else { continue }
                let (out, inp) = LoRAAdapter.dimensions(p, config)
                modules.append(Module(layer: layer, projection: p, outputs: out, inputs: inp, rank: pair.rank, scale: pair.scale,
                                      a: pair.a, b: pair.b))
            }
        }
        self.init(modules: modules)
    }

    package func module(layer: Int, _ p: Projection) -> Module? { index[layer]?[p].map { modules[$0] } }

    package func zeroGradients() { for m in modules { m.gradA.zero(); m.gradB.zero() } }

    /// Every parameter buffer with its gradient, in a fixed order (the optimizer's and the checkpoint's).
    package var parameters: [(value: FloatBuffer, gradient: FloatBuffer)] {
        modules.flatMap { [($0.a, $0.gradA), ($0.b, $0.gradB)] }
    }

    package var parameterCount: Int { modules.reduce(0) { $0 + $1.a.count + $1.b.count } }

    /// A snapshot as an inference adapter (copies: training may go on).
    package func adapter(folder: URL) -> LoRAAdapter {
        var pairs: [Int: [Projection: LoRAAdapter.Pair]] = [:]
        for m in modules {
            pairs[m.layer, default: [:]][m.projection] = LoRAAdapter.Pair(a: m.a.array, b: m.b.array, rank: m.rank, scale: m.scale)
        }
        return LoRAAdapter(folder: folder, modules: pairs)
    }
}
