import CBLAS
import Foundation

/// Why a forward pass or a generation was refused.
public enum InferenceError: Error, CustomStringConvertible, Equatable {
    case tokenOutOfRange(id: Int, vocabulary: Int)
    case contextExceeded(needed: Int, capacity: Int)
    case emptyPrompt

    public var description: String {
        switch self {
        case let .tokenOutOfRange(id, vocabulary): return "token id \(id) is outside the vocabulary (0..<\(vocabulary))"
        case let .contextExceeded(needed, capacity):
            return "prompt plus output need \(needed) positions but the context holds \(capacity); shorten the input or lower the maximum of new tokens"
        case .emptyPrompt: return "the prompt has no tokens"
        }
    }
}

/// One running sequence over a shared model: its KV cache, its scratch buffers (allocated once, sized for
/// `batchCapacity` tokens per forward call), its thread budget and its LoRA adapter. Not thread-safe:
/// one worker owns a session. `adapter` may be swapped between sequences without touching the model.
public final class InferenceSession {
    public let model: LanguageModel
    package let pool: ThreadPool
    package let cache: KVCache
    public let batchCapacity: Int
    public var adapter: LoRAAdapter? { didSet { linears = Self.linears(model, adapter, outputs: outputs); ensureLoRAScratch() } }
    /// Number of positions already in the cache.
    public private(set) var position = 0

    // Activations, row-major [batch, width]. Names follow the forward pass.
    private let x, a, q, k, v, att, proj, gate, up, h: UnsafeMutablePointer<Float>
    private let aq, attq, hq: QuantizedActivations?
    /// A·x of the LoRA pair being applied [batch, r], overwritten by every adapted projection.
    private var loraHidden: UnsafeMutablePointer<Float>
    private var loraHiddenCapacity: Int
    /// Each layer's projections with this session's adapter pairs, grouped by the input they read.
    private var linears: [BlockLinears] = []
    private let scores: [UnsafeMutablePointer<Float>]
    private let ropeScratch: [UnsafeMutablePointer<Float>]
    private let logitsBuffer: UnsafeMutablePointer<Float>

    /// A session whose context holds `contextLength` positions (capped by the model's maximum).
    public init(model: LanguageModel, contextLength: Int, threads: Int, batchCapacity: Int = 512) {
        let c = model.config
        self.model = model
        self.pool = ThreadPool(threads: threads)
        let capacity = max(1, min(contextLength, c.maxPositions))
        self.cache = KVCache(layers: c.layers, capacity: capacity, rowWidth: c.kvHeads * c.headDim)
        self.batchCapacity = max(1, min(batchCapacity, capacity))
        let B = self.batchCapacity, C = c.hidden, I = c.intermediate
        let qDim = c.heads * c.headDim, kvDim = c.kvHeads * c.headDim
        func buffer(_ n: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, n)); p.initialize(repeating: 0, count: max(1, n)); return p
        }
        x = buffer(B * C); a = buffer(B * C); q = buffer(B * qDim); k = buffer(B * kvDim); v = buffer(B * kvDim)
        att = buffer(B * qDim); proj = buffer(B * C); gate = buffer(B * I); up = buffer(B * I); h = buffer(B * I)
        // Per matrix, not `model.format`: a GGUF file mixes formats, and one quantized matrix needs quantized inputs.
        let quantized = model.layers.contains { l in Projection.allCases.contains { l.matrix($0).format != .f32 } }
        aq = quantized || model.lmHead.format != .f32 ? QuantizedActivations(capacityRows: B, columns: C) : nil
        attq = quantized ? QuantizedActivations(capacityRows: B, columns: qDim) : nil
        hq = quantized ? QuantizedActivations(capacityRows: B, columns: I) : nil
        loraHiddenCapacity = 0
        loraHidden = buffer(0)
        // Prefill writes T × P scores per head; decode writes the `group` heads of one kv head at once, group × P,
        // which is more than B × capacity when the context is shorter than the group (a 1-token `lm logits`).
        let group = c.heads / c.kvHeads
        scores = (0..<pool.threads).map { _ in buffer(max(B, group) * capacity) }
        ropeScratch = (0..<pool.threads).map { _ in buffer(c.headDim) }
        logitsBuffer = buffer(c.vocabulary)
        linears = Self.linears(model, nil, outputs: outputs)
        _ = Self.singleThreadedBLAS
    }

    /// Quill shares out the work itself; OpenBLAS calls made inside a share must not start threads of their own.
    /// Set once per process: workers create their sessions at the same time, and OpenBLAS's thread-count
    /// setter is not safe to call from several threads at once.
    private static let singleThreadedBLAS: Void = openblas_set_num_threads(1)

    deinit {
        for p in [x, a, q, k, v, att, proj, gate, up, h, loraHidden, logitsBuffer] { p.deallocate() }
        scores.forEach { $0.deallocate() }; ropeScratch.forEach { $0.deallocate() }
    }

    private func ensureLoRAScratch() {
        let need = batchCapacity * (adapter?.maxRank ?? 0)
        if need > loraHiddenCapacity { loraHidden.deallocate(); loraHidden = .allocate(capacity: need); loraHiddenCapacity = need }
    }

    /// One block's seven projections as four groups, one per input: a → q, k, v; att → o; m → gate, up; h → down.
    private struct BlockLinears {
        let qkv, o, gateUp, down: LinearGroup
    }

    /// Where each projection writes, in this session's buffers.
    private var outputs: [Projection: UnsafeMutablePointer<Float>] {
        [.q: q, .k: k, .v: v, .o: proj, .gate: gate, .up: up, .down: proj]
    }

    /// Built when the session starts and when its adapter changes, never per token.
    private static func linears(_ model: LanguageModel, _ adapter: LoRAAdapter?,
                                outputs: [Projection: UnsafeMutablePointer<Float>]) -> [BlockLinears] {
        model.layers.enumerated().map { l, layer in
            func group(_ projections: [Projection]) -> LinearGroup {
                LinearGroup(projections.map { p in (layer.linear(p, lora: adapter?.pair(layer: l, p)), outputs[p]!) })
            }
            return BlockLinears(qkv: group([.q, .k, .v]), o: group([.o]), gateUp: group([.gate, .up]), down: group([.down]))
        }
    }

    /// Forgets the sequence; the next forward starts at position 0.
    public func reset() { position = 0 }

    /// Runs `tokens` at the next positions. Returns the logits of the last token [V], or of every token
    /// [T, V] with `allLogits`.
    public func forward(_ tokens: [Int], allLogits: Bool = false) throws -> [Float] {
        guard !tokens.isEmpty else { throw InferenceError.emptyPrompt }
        let V = model.config.vocabulary
        if let bad = tokens.first(where: { $0 < 0 || $0 >= V }) { throw InferenceError.tokenOutOfRange(id: bad, vocabulary: V) }
        guard position + tokens.count <= cache.capacity else {
            throw InferenceError.contextExceeded(needed: position + tokens.count, capacity: cache.capacity)
        }
        var result: [Float] = []
        var start = 0
        while start < tokens.count {
            let chunk = Array(tokens[start..<min(tokens.count, start + batchCapacity)])
            let isLast = start + chunk.count == tokens.count
            runBlocks(chunk)
            if allLogits {
                result += logits(rows: chunk.count)
            } else if isLast {
                result = logits(rows: 1, lastOf: chunk.count)
            }
            position += chunk.count
            start += chunk.count
        }
        return result
    }

    // MARK: - The decoder blocks

    private func runBlocks(_ tokens: [Int]) {
        let c = model.config, T = tokens.count, C = c.hidden, I = c.intermediate
        let qDim = c.heads * c.headDim, kvDim = c.kvHeads * c.headDim
        for (t, id) in tokens.enumerated() { model.embedding.dequantizeRow(id, into: x + t * C) }

        for (l, layer) in model.layers.enumerated() {
            let linear = linears[l]
            // a = RMSNorm(x); q, k, v = a·Wᵀ (+ b) (+ LoRA)
            RMSNorm.forward(x, weight: layer.inputNorm, eps: c.rmsNormEps, rows: T, width: C, into: a)
            aq?.quantize(a, rows: T)
            linear.qkv.forward(x: a, xq: aq, tokens: T, loraHidden: loraHidden, pool: pool)

            // RoPE on q and k, then k, v into the cache at their positions.
            // One token's rotation is too small to share out; a batch's is not.
            runShared(T) { share, shares in
                let scratch = self.ropeScratch[share], half = c.headDim / 2
                for t in ThreadPool.range(of: share, shares: shares, count: T) {
                    let pos = self.position + t
                    self.model.rope.apply(self.q + t * qDim, heads: c.heads, position: pos, cos: scratch, sin: scratch + half)
                    self.model.rope.apply(self.k + t * kvDim, heads: c.kvHeads, position: pos, cos: scratch, sin: scratch + half)
                }
            }
            let keys = cache.keys(layer: l), values = cache.values(layer: l)
            (keys + position * kvDim).update(from: k, count: T * kvDim)
            (values + position * kvDim).update(from: v, count: T * kvDim)

            Attention.forward(q: q, keys: keys, values: values, start: position, tokens: T, heads: c.heads,
                              kvHeads: c.kvHeads, headDim: c.headDim, out: att, scores: scores, pool: pool)
            // x += att·Woᵀ
            attq?.quantize(att, rows: T)
            linear.o.forward(x: att, xq: attq, tokens: T, loraHidden: loraHidden, pool: pool)
            addInPlace(x, proj, count: T * C)

            // x += down(SiLU(gate(m)) ⊙ up(m)), m = RMSNorm(x)
            RMSNorm.forward(x, weight: layer.postNorm, eps: c.rmsNormEps, rows: T, width: C, into: a)
            aq?.quantize(a, rows: T)
            linear.gateUp.forward(x: a, xq: aq, tokens: T, loraHidden: loraHidden, pool: pool)
            runShared(T) { share, shares in
                let r = ThreadPool.range(of: share, shares: shares, count: T * I, alignment: 64)
                if !r.isEmpty { SwiGLU.forward(gate: self.gate + r.lowerBound, up: self.up + r.lowerBound, count: r.count, into: self.h + r.lowerBound) }
            }
            hq?.quantize(h, rows: T)
            linear.down.forward(x: h, xq: hq, tokens: T, loraHidden: loraHidden, pool: pool)
            addInPlace(x, proj, count: T * C)
        }
    }

    /// Final norm and output head for `rows` rows ending at row `lastOf` (or the first `rows` rows).
    private func logits(rows: Int, lastOf: Int? = nil) -> [Float] {
        let c = model.config, C = c.hidden, V = c.vocabulary
        let first = (lastOf ?? rows) - rows
        var out = [Float](repeating: 0, count: rows * V)
        for r in 0..<rows {
            RMSNorm.forward(x + (first + r) * C, weight: model.finalNorm, eps: c.rmsNormEps, rows: 1, width: C, into: a)
            aq?.quantize(a, rows: 1)
            model.lmHead.matvec(x: a, xq: aq, y: logitsBuffer, pool: pool)
            out.withUnsafeMutableBufferPointer { ($0.baseAddress! + r * V).update(from: logitsBuffer, count: V) }
        }
        return out
    }

    // MARK: - Pieces

    /// Element-wise work: inline for a single token (a parallel region costs more than the work), shared for a batch.
    private func runShared(_ tokens: Int, _ body: (Int, Int) -> Void) {
        if tokens == 1 { body(0, 1) } else { pool.run { body($0, pool.threads) } }
    }

    private func addInPlace(_ y: UnsafeMutablePointer<Float>, _ d: UnsafePointer<Float>, count: Int) {
        for i in 0..<count { y[i] += d[i] }
    }
}
