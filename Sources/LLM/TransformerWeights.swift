/// The seven linear projections of a decoder block, by their Hugging Face / PEFT module names.
package enum Projection: String, CaseIterable, Sendable, Codable {
    case q = "q_proj", k = "k_proj", v = "v_proj", o = "o_proj"
    case gate = "gate_proj", up = "up_proj", down = "down_proj"

    /// The module path inside a layer (`self_attn.q_proj`, `mlp.down_proj`).
    package var modulePath: String {
        switch self {
        case .q, .k, .v, .o: return "self_attn.\(rawValue)"
        case .gate, .up, .down: return "mlp.\(rawValue)"
        }
    }
}

/// One decoder block's weights. Shapes use C = hidden, I = intermediate, nH·hd and nKV·hd.
package final class LayerWeights: @unchecked Sendable {
    package let inputNorm: [Float]           // [C]
    package let q: WeightMatrix              // [nH·hd, C]
    package let k: WeightMatrix              // [nKV·hd, C]
    package let v: WeightMatrix              // [nKV·hd, C]
    package let qBias: [Float]?              // [nH·hd]
    package let kBias: [Float]?              // [nKV·hd]
    package let vBias: [Float]?              // [nKV·hd]
    package let o: WeightMatrix              // [C, nH·hd]
    package let postNorm: [Float]            // [C]
    package let gate: WeightMatrix           // [I, C]
    package let up: WeightMatrix             // [I, C]
    package let down: WeightMatrix           // [C, I]

    package init(inputNorm: [Float], q: WeightMatrix, k: WeightMatrix, v: WeightMatrix, qBias: [Float]?, kBias: [Float]?,
                vBias: [Float]?, o: WeightMatrix, postNorm: [Float], gate: WeightMatrix, up: WeightMatrix, down: WeightMatrix) {
        self.inputNorm = inputNorm; self.q = q; self.k = k; self.v = v
        self.qBias = qBias; self.kBias = kBias; self.vBias = vBias; self.o = o
        self.postNorm = postNorm; self.gate = gate; self.up = up; self.down = down
    }

    package func matrix(_ p: Projection) -> WeightMatrix {
        switch p {
        case .q: return q
        case .k: return k
        case .v: return v
        case .o: return o
        case .gate: return gate
        case .up: return up
        case .down: return down
        }
    }

    /// The projection's bias: q, k and v may carry one (Qwen2; Llama with `attention_bias`), the others never do.
    package func bias(_ p: Projection) -> [Float]? {
        switch p {
        case .q: return qBias
        case .k: return kBias
        case .v: return vBias
        case .o, .gate, .up, .down: return nil
        }
    }

    /// The projection as a layer: its weights and bias, with `lora` (a session's adapter pair) applied unmerged.
    package func linear(_ p: Projection, lora: LoRAAdapter.Pair? = nil) -> Linear {
        Linear(weight: matrix(p), bias: bias(p), lora: lora)
    }

    /// A copy with some projections replaced (used when an adapter is merged into the weights).
    package func replacing(_ replacements: [Projection: WeightMatrix]) -> LayerWeights {
        func pick(_ p: Projection) -> WeightMatrix { replacements[p] ?? matrix(p) }
        return LayerWeights(inputNorm: inputNorm, q: pick(.q), k: pick(.k), v: pick(.v), qBias: qBias, kBias: kBias,
                            vBias: vBias, o: pick(.o), postNorm: postNorm, gate: pick(.gate), up: pick(.up), down: pick(.down))
    }

    package var byteCount: Int {
        Projection.allCases.reduce(0) { $0 + matrix($1).byteCount }
            + 4 * (inputNorm.count + postNorm.count + (qBias?.count ?? 0) + (kBias?.count ?? 0) + (vBias?.count ?? 0))
    }
}
