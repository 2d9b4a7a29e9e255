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
    private var acts = LayerActivations(tokens: 0, config: nil, maxRank: 0, threads: 1)

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

        for (t, id) in ids.enumerated() { model.embedding.dequantizeRow(id, into: inputs[0].p + t * C) }
        for l in 0..<c.layers {
            frozen.load(model.layers[l], threads: threads)
            forwardLayer(l, x: inputs[l].p, out: inputs[l + 1].p, tokens: T, seed: seed)
        }
        guard let lossScale else {
            return head.run(x: inputs[c.layers].p, tokens: T, targets: targets, lossScale: 0, dx: nil, threads: threads)
        }
        let dx = acts.dOut.p
        dx.update(repeating: 0, count: T * C)
        let result = head.run(x: inputs[c.layers].p, tokens: T, targets: targets, lossScale: lossScale, dx: dx, threads: threads)
        for l in stride(from: c.layers - 1, through: 0, by: -1) {
            frozen.load(model.layers[l], threads: threads, backward: true)
            forwardLayer(l, x: inputs[l].p, out: acts.x2.p, tokens: T, seed: seed)
            backwardLayer(l, x: inputs[l].p, tokens: T, seed: seed)   // dOut ← d(input of layer l)
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
        acts = LayerActivations(tokens: T, config: c, maxRank: lora.modules.map(\.rank).max() ?? 0, threads: threads)
    }

    private func linear(_ l: Int, _ p: Projection, seed: UInt64?) -> TrainingLinear {
        let layer = model.layers[l], w = layer.matrix(p)
        let module = lora.module(layer: l, p)
        let drop = seed.flatMap { s in module.map { _ in (keep: 1 - dropout, seed: s, stream: UInt64(l * 8 + Projection.allCases.firstIndex(of: p)!)) } }
        var linear = TrainingLinear(weight: frozen[p], outputs: w.rows, inputs: w.columns, bias: layer.bias(p), lora: module, dropout: drop)
        if let products, let forward = frozen.forwardPacked[p] { linear.packed = (forward, frozen.backwardPacked[p], products) }
        return linear
    }

    // MARK: - One layer, forward and backward

    private func forwardLayer(_ l: Int, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, tokens T: Int, seed: UInt64?) {
        let c = model.config, C = c.hidden, I = c.intermediate, layer = model.layers[l], A = acts
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
    private func backwardLayer(_ l: Int, x: UnsafePointer<Float>, tokens T: Int, seed: UInt64?) {
        let c = model.config, C = c.hidden, I = c.intermediate, layer = model.layers[l], A = acts
        let dOut = A.dOut.p
        // x2 = x1 + down(h): dx1 = dOut, dh = dOut·Wd (+ LoRA)
        A.dx1.p.update(from: dOut, count: T * C)
        linear(l, .down, seed: seed).backward(dy: dOut, x: A.h.p, tokens: T, hidden: A.hidden[.down]!.p, dropped: A.dropped[.down]!.p,
                                             dx: A.dh.p, accumulate: false, dHidden: A.dHidden.p, dDropped: A.dDropped.p)
        rows(T) { r in
            let o = r.lowerBound * I
            SwiGLUGradient.backward(gate: A.g.p + o, up: A.u.p + o, dh: A.dh.p + o, count: r.count * I, dGate: A.dg.p + o, dUp: A.du.p + o)
        }
        linear(l, .gate, seed: seed).backward(dy: A.dg.p, x: A.m.p, tokens: T, hidden: A.hidden[.gate]!.p, dropped: A.dropped[.gate]!.p,
                                             dx: A.dm.p, accumulate: false, dHidden: A.dHidden.p, dDropped: A.dDropped.p)
        linear(l, .up, seed: seed).backward(dy: A.du.p, x: A.m.p, tokens: T, hidden: A.hidden[.up]!.p, dropped: A.dropped[.up]!.p,
                                           dx: A.dm.p, accumulate: true, dHidden: A.dHidden.p, dDropped: A.dDropped.p)
        normGradient(A.x1.p, layer.postNorm, dy: A.dm.p, tokens: T, into: A.dx1.p)
        // x1 = x + o(att): dx = dx1, datt = dx1·Wo (+ LoRA)
        linear(l, .o, seed: seed).backward(dy: A.dx1.p, x: A.att.p, tokens: T, hidden: A.hidden[.o]!.p, dropped: A.dropped[.o]!.p,
                                          dx: A.datt.p, accumulate: false, dHidden: A.dHidden.p, dDropped: A.dDropped.p)
        attention.backward(q: A.q.p, k: A.k.p, v: A.v.p, tokens: T, probabilities: A.probabilities.p, dOut: A.datt.p,
                           dq: A.dq.p, dk: A.dk.p, dv: A.dv.p, scratch: A.dScores.p)
        rotate(A.dq.p, A.dk.p, tokens: T, inverse: true)
        for (i, (p, dy)) in [(Projection.q, A.dq), (.k, A.dk), (.v, A.dv)].enumerated() {
            linear(l, p, seed: seed).backward(dy: dy.p, x: A.a.p, tokens: T, hidden: A.hidden[p]!.p, dropped: A.dropped[p]!.p,
                                             dx: A.da.p, accumulate: i > 0, dHidden: A.dHidden.p, dDropped: A.dDropped.p)
        }
        // d(input) = dx1 + the gradient through the input norm
        dOut.update(from: A.dx1.p, count: T * C)
        normGradient(x, layer.inputNorm, dy: A.da.p, tokens: T, into: dOut)
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

/// One layer's internals and their gradients for T tokens (see `DecoderGradients` for the names).
final class LayerActivations {
    let a, q, k, v, att, x1, m, g, u, h, x2: FloatBuffer
    let probabilities: FloatBuffer                  // [nH, T, T]
    let hidden: [Projection: FloatBuffer]           // D(x)·Aᵀ [T, r] per projection
    let dropped: [Projection: FloatBuffer]          // D(x) [T, in] per projection (dropout only)
    let dOut, dx1, dh, dg, du, dm, datt, dq, dk, dv, da, dHidden, dDropped, dScores: FloatBuffer
    let ropeScratch: FloatBuffer

    init(tokens T: Int, config c: ModelConfig?, maxRank r: Int, threads: Int = 1) {
        let C = c?.hidden ?? 0, I = c?.intermediate ?? 0
        let qDim = (c?.heads ?? 0) * (c?.headDim ?? 0), kvDim = (c?.kvHeads ?? 0) * (c?.headDim ?? 0)
        func b(_ n: Int) -> FloatBuffer { FloatBuffer(n) }
        a = b(T * C); q = b(T * qDim); k = b(T * kvDim); v = b(T * kvDim); att = b(T * qDim)
        x1 = b(T * C); m = b(T * C); g = b(T * I); u = b(T * I); h = b(T * I); x2 = b(T * C)
        probabilities = b((c?.heads ?? 0) * T * T)
        let widths: [Projection: Int] = [.q: C, .k: C, .v: C, .o: qDim, .gate: C, .up: C, .down: I]
        hidden = Dictionary(uniqueKeysWithValues: Projection.allCases.map { ($0, b(T * r)) })
        dropped = Dictionary(uniqueKeysWithValues: Projection.allCases.map { ($0, b(T * widths[$0]!)) })
        dOut = b(T * C); dx1 = b(T * C); dh = b(T * I); dg = b(T * I); du = b(T * I); dm = b(T * C)
        datt = b(T * qDim); dq = b(T * qDim); dk = b(T * kvDim); dv = b(T * kvDim); da = b(T * C)
        dHidden = b(T * r); dDropped = b(T * max(C, I, qDim)); dScores = b(threads * T * T)
        ropeScratch = b(c?.headDim ?? 0)
    }
}
