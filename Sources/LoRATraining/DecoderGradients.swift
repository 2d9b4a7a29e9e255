import CBLAS
import Foundation
import LLM
import Tensors

/// The decoder's forward and backward pass for one sequence, with only the LoRA pairs receiving gradients.
///
/// Memory is bounded by activation recomputation per layer (gradient checkpointing, Chen et al. 2016): the
/// forward keeps only each layer's input x_l [T, C]; the backward recomputes one layer's internals from it, then
/// walks back through that layer. One extra forward per step buys activations of one layer instead of all.
///
/// Per layer (C hidden, I intermediate, r rank, T tokens):
///   a = RMSNorm(x) ; q, k, v = a·Wᵀ + b + LoRA ; RoPE(q, k) ; att = softmax(q·kᵀ/√hd, causal)·v
///   x1 = x + att·Woᵀ + LoRA ; m = RMSNorm(x1) ; h = SiLU(m·Wgᵀ) ⊙ (m·Wuᵀ) ; x2 = x1 + h·Wdᵀ + LoRA
package final class DecoderGradients {
    package let model: LanguageModel
    package let lora: LoRAParameters
    package let threads: Int
    /// PEFT's lora_dropout (0: none).
    package let dropout: Float
    private let frozen: FrozenLayer
    private let products: BF16Products?
    private let head: CrossEntropyHead
    private let attention: CausalAttentionGradient
    private var capacity = 0
    private var inputs: [FloatBuffer] = []            // x_l [T, C] for l in 0...L (the last: final hidden)
    private var acts = LayerActivations(tokens: 0, config: nil, maxRank: 0, adapted: [], dropout: false, threads: 1)

    package init(model: LanguageModel, lora: LoRAParameters, dropout: Float, threads: Int, precision: FrozenProductPrecision = .f32) {
        self.model = model; self.lora = lora; self.dropout = dropout; self.threads = max(1, threads)
        frozen = FrozenLayer(precision: precision)
        products = precision == .bf16 ? BF16Products(threads: self.threads) : nil
        head = CrossEntropyHead(model: model, products: products)
        let c = model.config
        attention = CausalAttentionGradient(heads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim,
                                            threads: precision == .bf16 ? self.threads : 1, precision: precision)
    }

    /// Loss summed over the labelled positions of `ids` (labels[t] ≥ 0 is the target at t, predicted from
    /// position t − 1; −100 or any negative: no loss there) and its count. With `lossScale`, gradients scaled by it
    /// are added to the LoRA pairs' gradient buffers. `dropoutSeed` (nil: no dropout, as in evaluation) fixes the
    /// masks for this sequence in this step.
    package func run(ids: [Int], labels: [Int], lossScale: Float?, dropoutSeed: UInt64?) -> (loss: Double, count: Int) {
        precondition(ids.count == labels.count && !ids.isEmpty, "one label per token")
        let c = model.config, T = ids.count, C = c.hidden
        reserve(T)
        // targets[t]: the label that position t predicts.
        var targets = [Int](repeating: -1, count: T)
        for t in 0..<(T - 1) where labels[t + 1] >= 0 { targets[t] = labels[t + 1] }
        let seed = dropout > 0 ? dropoutSeed : nil

        // With gradients, the top `keep` layers hold on to their internals (as much as the memory budget allows)
        // and skip the recomputation; the recomputed forward is the same arithmetic, so results do not depend on it.
        let keep = lossScale == nil ? 0 : keptLayers(tokens: T)
        let firstKept = c.layers - keep
        for (t, id) in ids.enumerated() { model.embedding.dequantizeRow(id, into: inputs[0].p + t * C) }
        for l in 0..<c.layers {
            frozen.load(model.layers[l], threads: threads)
            forwardLayer(l, x: inputs[l].p, out: inputs[l + 1].p, tokens: T, seed: seed, into: l >= firstKept ? kept[l - firstKept] : acts)
        }
        guard let lossScale else {
            return head.run(x: inputs[c.layers].p, tokens: T, targets: targets, lossScale: 0, dx: nil, threads: threads)
        }
        let dx = acts.dOut.p
        dx.update(repeating: 0, count: T * C)
        let result = head.run(x: inputs[c.layers].p, tokens: T, targets: targets, lossScale: lossScale, dx: dx, threads: threads)
        for l in stride(from: c.layers - 1, through: 0, by: -1) {
            if l >= firstKept {
                frozen.load(model.layers[l], threads: threads, forward: false, backward: true)
                backwardLayer(l, x: inputs[l].p, tokens: T, seed: seed, from: kept[l - firstKept])
            } else {
                frozen.load(model.layers[l], threads: threads, backward: true)
                forwardLayer(l, x: inputs[l].p, out: acts.x2.p, tokens: T, seed: seed, into: acts)
                backwardLayer(l, x: inputs[l].p, tokens: T, seed: seed, from: acts)   // dOut ← d(input of layer l)
            }
        }
        return result
    }

    /// Threads for the element-wise work (norms, SwiGLU, residuals): the trainer's with bf16 products; one with
    /// f32 products, whose OpenBLAS threads spin between calls and would compete.
    private var elementThreads: Int { products == nil ? 1 : threads }

    /// `body` over `count` rows of `width` values (a contiguous range of rows per thread).
    private func rows(_ count: Int, _ body: (Range<Int>) -> Void) {
        let shares = min(elementThreads, count)
        if shares <= 1 { body(0..<count); return }
        DispatchQueue.concurrentPerform(iterations: shares) { share in
            let r = ThreadPool.range(of: share, shares: shares, count: count)
            if !r.isEmpty { body(r) }
        }
    }

    private func norm(_ x: UnsafePointer<Float>, _ w: [Float], tokens T: Int, into y: UnsafeMutablePointer<Float>) {
        let C = model.config.hidden, eps = model.config.rmsNormEps
        rows(T) { r in RMSNorm.forward(x + r.lowerBound * C, weight: w, eps: eps, rows: r.count, width: C, into: y + r.lowerBound * C) }
    }

    private func normGradient(_ x: UnsafePointer<Float>, _ w: [Float], dy: UnsafePointer<Float>, tokens T: Int, into dx: UnsafeMutablePointer<Float>) {
        let C = model.config.hidden, eps = model.config.rmsNormEps
        rows(T) { r in
            RMSNormGradient.backward(x: x + r.lowerBound * C, weight: w, eps: eps, dy: dy + r.lowerBound * C, rows: r.count, width: C,
                                     addingInto: dx + r.lowerBound * C)
        }
    }

    private func reserve(_ T: Int) {
        guard T > capacity else { return }
        let c = model.config
        capacity = T
        inputs = (0...c.layers).map { _ in FloatBuffer(T * c.hidden) }
        acts = LayerActivations(tokens: T, config: c, maxRank: maxRank, adapted: adapted, dropout: dropout > 0, threads: threads)
        kept = []
    }

    private var maxRank: Int { lora.modules.map(\.rank).max() ?? 0 }
    private var adapted: Set<Projection> { Set(lora.modules.map(\.projection)) }
    /// Forward internals of the top layers, kept from the forward pass to the backward pass.
    private var kept: [LayerActivations] = []

    /// Bytes of peak memory the trainer may plan for (nil: recompute every layer, the least memory).
    package var memoryBudget: Int?

    /// How many of the top layers keep their internals for `T` tokens within `memoryBudget`: the budget less
    /// the weights and what a step holds anyway (every layer's input, one layer's internals and gradients, the
    /// logits of the labelled rows, one layer's frozen matrices expanded or packed, a margin for the rest),
    /// divided by one layer's internals.
    func keptLayers(tokens T: Int) -> Int {
        guard let memoryBudget else { return 0 }
        let c = model.config
        let perLayer = LayerActivations.forwardBytes(tokens: T, config: c, maxRank: maxRank, adapted: adapted, dropout: dropout > 0)
        let layerWeights = model.layers.first.map { l in Projection.allCases.reduce(0) { $0 + l.matrix($1).rows * l.matrix($1).columns } } ?? 0
        let frozenBytes = products == nil ? 4 * layerWeights : 3 * 2 * layerWeights
        let fixed = model.weightBytes + (c.layers + 1) * T * c.hidden * 4 + acts.bytes + min(T, 512) * c.vocabulary * 4
            + frozenBytes + 8192 * c.hidden * 4 + 400 << 20
        let n = max(0, min(c.layers, (memoryBudget - fixed) / max(1, perLayer)))
        while kept.count < n { kept.append(LayerActivations(tokens: capacity, config: c, maxRank: maxRank, adapted: adapted,
                                                             dropout: dropout > 0, forwardOnly: true)) }
        return n
    }

    private func linear(_ l: Int, _ p: Projection, seed: UInt64?) -> TrainingLinear {
        let layer = model.layers[l], w = layer.matrix(p)
        let module = lora.module(layer: l, p)
        let drop = seed.flatMap { s in module.map { _ in (keep: 1 - dropout, seed: s, stream: UInt64(l * 8 + Projection.allCases.firstIndex(of: p)!)) } }
        var linear = TrainingLinear(weight: frozen[p], outputs: w.rows, inputs: w.columns, bias: layer.bias(p), lora: module, dropout: drop)
        if let products { linear.packed = (frozen.forwardPacked[p], frozen.backwardPacked[p], products) }
        linear.lora32 = SplitSGEMM(threads: elementThreads)
        return linear
    }

    // MARK: - One layer, forward and backward

    /// The layer's forward from x into `out`, its internals left in `A`.
    private func forwardLayer(_ l: Int, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, tokens T: Int, seed: UInt64?,
                              into A: LayerActivations) {
        let c = model.config, C = c.hidden, I = c.intermediate, layer = model.layers[l]
        norm(x, layer.inputNorm, tokens: T, into: A.a.p)
        for (p, y) in [(Projection.q, A.q), (.k, A.k), (.v, A.v)] {
            linear(l, p, seed: seed).forward(x: A.a.p, tokens: T, y: y.p, hidden: A.hidden[p]!.p, dropped: A.dropped[p]!.p)
        }
        rotate(A.q.p, A.k.p, tokens: T, inverse: false)
        attention.forward(q: A.q.p, k: A.k.p, v: A.v.p, tokens: T, probabilities: A.probabilities.p, out: A.att.p)
        linear(l, .o, seed: seed).forward(x: A.att.p, tokens: T, y: A.x1.p, hidden: A.hidden[.o]!.p, dropped: A.dropped[.o]!.p)
        rows(T) { r in for i in (r.lowerBound * C)..<(r.upperBound * C) { A.x1.p[i] += x[i] } }
        norm(A.x1.p, layer.postNorm, tokens: T, into: A.m.p)
        linear(l, .gate, seed: seed).forward(x: A.m.p, tokens: T, y: A.g.p, hidden: A.hidden[.gate]!.p, dropped: A.dropped[.gate]!.p)
        linear(l, .up, seed: seed).forward(x: A.m.p, tokens: T, y: A.u.p, hidden: A.hidden[.up]!.p, dropped: A.dropped[.up]!.p)
        rows(T) { r in
            let o = r.lowerBound * I
            SwiGLU.forward(gate: A.g.p + o, up: A.u.p + o, count: r.count * I, into: A.h.p + o)
        }
        linear(l, .down, seed: seed).forward(x: A.h.p, tokens: T, y: out, hidden: A.hidden[.down]!.p, dropped: A.dropped[.down]!.p)
        rows(T) { r in for i in (r.lowerBound * C)..<(r.upperBound * C) { out[i] += A.x1.p[i] } }
    }

    /// With the layer's internals in `acts` (just recomputed) and dOut = ∂loss/∂(layer output): dOut becomes
    /// ∂loss/∂(layer input), and the layer's LoRA gradients are added.
    private func backwardLayer(_ l: Int, x: UnsafePointer<Float>, tokens T: Int, seed: UInt64?, from A: LayerActivations) {
        let c = model.config, C = c.hidden, I = c.intermediate, layer = model.layers[l], G = acts
        let dOut = G.dOut.p
        // x2 = x1 + down(h): dx1 = dOut, dh = dOut·Wd (+ LoRA)
        G.dx1.p.update(from: dOut, count: T * C)
        linear(l, .down, seed: seed).backward(dy: dOut, x: A.h.p, tokens: T, hidden: A.hidden[.down]!.p, dropped: A.dropped[.down]!.p,
                                             dx: G.dh.p, accumulate: false, dHidden: G.dHidden.p, dDropped: G.dDropped.p)
        rows(T) { r in
            let o = r.lowerBound * I
            SwiGLUGradient.backward(gate: A.g.p + o, up: A.u.p + o, dh: G.dh.p + o, count: r.count * I, dGate: G.dg.p + o, dUp: G.du.p + o)
        }
        linear(l, .gate, seed: seed).backward(dy: G.dg.p, x: A.m.p, tokens: T, hidden: A.hidden[.gate]!.p, dropped: A.dropped[.gate]!.p,
                                             dx: G.dm.p, accumulate: false, dHidden: G.dHidden.p, dDropped: G.dDropped.p)
        linear(l, .up, seed: seed).backward(dy: G.du.p, x: A.m.p, tokens: T, hidden: A.hidden[.up]!.p, dropped: A.dropped[.up]!.p,
                                           dx: G.dm.p, accumulate: true, dHidden: G.dHidden.p, dDropped: G.dDropped.p)
        normGradient(A.x1.p, layer.postNorm, dy: G.dm.p, tokens: T, into: G.dx1.p)
        // x1 = x + o(att): dx = dx1, datt = dx1·Wo (+ LoRA)
        linear(l, .o, seed: seed).backward(dy: G.dx1.p, x: A.att.p, tokens: T, hidden: A.hidden[.o]!.p, dropped: A.dropped[.o]!.p,
                                          dx: G.datt.p, accumulate: false, dHidden: G.dHidden.p, dDropped: G.dDropped.p)
        attention.backward(q: A.q.p, k: A.k.p, v: A.v.p, tokens: T, probabilities: A.probabilities.p, dOut: G.datt.p,
                           dq: G.dq.p, dk: G.dk.p, dv: G.dv.p, scratch: G.dScores.p)
        rotate(G.dq.p, G.dk.p, tokens: T, inverse: true)
        for (i, (p, dy)) in [(Projection.q, G.dq), (.k, G.dk), (.v, G.dv)].enumerated() {
            linear(l, p, seed: seed).backward(dy: dy.p, x: A.a.p, tokens: T, hidden: A.hidden[p]!.p, dropped: A.dropped[p]!.p,
                                             dx: G.da.p, accumulate: i > 0, dHidden: G.dHidden.p, dDropped: G.dDropped.p)
        }
        // d(input) = dx1 + the gradient through the input norm
        dOut.update(from: G.dx1.p, count: T * C)
        normGradient(x, layer.inputNorm, dy: G.da.p, tokens: T, into: dOut)
    }

    /// RoPE on every position's q and k heads (or its transpose, for their gradients).
    private func rotate(_ q: UnsafeMutablePointer<Float>, _ k: UnsafeMutablePointer<Float>, tokens T: Int, inverse: Bool) {
        let c = model.config, qDim = c.heads * c.headDim, kvDim = c.kvHeads * c.headDim, half = c.headDim / 2
        let cos = acts.ropeScratch.p, sin = cos + half
        for t in 0..<T {
            model.rope.apply(q + t * qDim, heads: c.heads, position: t, cos: cos, sin: sin, inverse: inverse)
            model.rope.apply(k + t * kvDim, heads: c.kvHeads, position: t, cos: cos, sin: sin, inverse: inverse)
        }
    }
}

/// One layer's internals and their gradients for T tokens (see `DecoderGradients` for the names). A kept layer's
/// holds the internals only (`forwardOnly`); D(x) is held for the adapted projections only, and only with dropout.
final class LayerActivations {
    let a, q, k, v, att, x1, m, g, u, h: FloatBuffer
    let probabilities: FloatBuffer                  // [nH, T, T]
    let hidden: [Projection: FloatBuffer]           // D(x)·Aᵀ [T, r] per projection
    let dropped: [Projection: FloatBuffer]          // D(x) [T, in] per adapted projection (dropout only)
    let x2, dOut, dx1, dh, dg, du, dm, datt, dq, dk, dv, da, dHidden, dDropped, dScores: FloatBuffer
    let ropeScratch: FloatBuffer

    init(tokens T: Int, config c: ModelConfig?, maxRank r: Int, adapted: Set<Projection>, dropout: Bool, threads: Int = 1,
         forwardOnly: Bool = false) {
        let s = Self.sizes(tokens: T, config: c, maxRank: r, adapted: adapted, dropout: dropout)
        func b(_ n: Int) -> FloatBuffer { FloatBuffer(n) }
        a = b(s.C); q = b(s.q); k = b(s.kv); v = b(s.kv); att = b(s.q)
        x1 = b(s.C); m = b(s.C); g = b(s.I); u = b(s.I); h = b(s.I)
        probabilities = b(s.P)
        hidden = Dictionary(uniqueKeysWithValues: Projection.allCases.map { ($0, b(s.hidden)) })
        dropped = Dictionary(uniqueKeysWithValues: Projection.allCases.map { ($0, b(s.dropped[$0]!)) })
        let gT = forwardOnly ? 0 : 1
        let C = c?.hidden ?? 0, I = c?.intermediate ?? 0, qDim = (c?.heads ?? 0) * (c?.headDim ?? 0)
        x2 = b(gT * s.C); dOut = b(gT * s.C); dx1 = b(gT * s.C); dh = b(gT * s.I); dg = b(gT * s.I); du = b(gT * s.I)
        dm = b(gT * s.C); datt = b(gT * s.q); dq = b(gT * s.q); dk = b(gT * s.kv); dv = b(gT * s.kv); da = b(gT * s.C)
        dHidden = b(gT * s.hidden); dDropped = b(gT * T * max(C, I, qDim)); dScores = b(gT * threads * T * T)
        ropeScratch = b(c?.headDim ?? 0)
    }

    /// Float counts of the internals for T tokens.
    static func sizes(tokens T: Int, config c: ModelConfig?, maxRank r: Int, adapted: Set<Projection>, dropout: Bool)
        -> (C: Int, q: Int, kv: Int, I: Int, P: Int, hidden: Int, dropped: [Projection: Int]) {
        let C = c?.hidden ?? 0, I = c?.intermediate ?? 0
        let qDim = (c?.heads ?? 0) * (c?.headDim ?? 0), kvDim = (c?.kvHeads ?? 0) * (c?.headDim ?? 0)
        let widths: [Projection: Int] = [.q: C, .k: C, .v: C, .o: qDim, .gate: C, .up: C, .down: I]
        let dropped = Dictionary(uniqueKeysWithValues: Projection.allCases.map { ($0, dropout && adapted.contains($0) ? T * widths[$0]! : 0) })
        return (T * C, T * qDim, T * kvDim, T * I, (c?.heads ?? 0) * T * T, T * r, dropped)
    }

    /// Bytes of a kept layer's internals.
    static func forwardBytes(tokens T: Int, config c: ModelConfig, maxRank r: Int, adapted: Set<Projection>, dropout: Bool) -> Int {
        let s = sizes(tokens: T, config: c, maxRank: r, adapted: adapted, dropout: dropout)
        return 4 * (3 * s.C + 2 * s.q + 2 * s.kv + 3 * s.I + s.P + 7 * s.hidden + s.dropped.values.reduce(0, +))
    }

    /// Bytes of every buffer.
    var bytes: Int {
        let all = [a, q, k, v, att, x1, m, g, u, h, probabilities, x2, dOut, dx1, dh, dg, du, dm, datt, dq, dk, dv, da, dHidden, dDropped, dScores]
        return 4 * (all.reduce(0) { $0 + $1.count } + hidden.values.reduce(0) { $0 + $1.count } + dropped.values.reduce(0) { $0 + $1.count })
    }
}
