import CBLAS
import Tensors

/// A linear layer of a decoder block: y = W·x + b + s·B(A·x) for each token, i.e. for X [tokens, in] row-major,
/// Y [tokens, out] = X·Wᵀ + b + s·(X·Aᵀ)·Bᵀ. W [out, in] is the model's (shared and read-only, in any
/// `WeightFormat`), b [out] its optional bias, and (A [r, in], B [out, r], s) an optional unmerged LoRA pair from
/// a session's adapter. One token runs the mat-vec kernels, a batch the mat-mul kernels.
///
/// The sum is always formed in the same order: W·x, then + b, then + the LoRA term (merged and unmerged
/// adapters are compared against PEFT to 1e-4, and the quantized paths rely on the f32 path's order).
///
/// It holds weights only; every buffer is the caller's. A backward pass (to come, for training the LoRA pair)
/// needs the input x and the LoRA hidden A·x: both are in buffers the caller passes, so a trainer that keeps
/// them per layer passes buffers it keeps, and inference passes one scratch that every layer overwrites.
package struct Linear {
    package let weight: WeightMatrix
    package let bias: [Float]?
    package let lora: LoRAAdapter.Pair?

    package init(weight: WeightMatrix, bias: [Float]? = nil, lora: LoRAAdapter.Pair? = nil) {
        precondition(bias == nil || bias!.count == weight.rows, "a bias has one value per output row")
        precondition(lora == nil || (lora!.a.count == lora!.rank * weight.columns && lora!.b.count == weight.rows * lora!.rank),
                     "a LoRA pair's A is [r, in] and its B is [out, r]")
        self.weight = weight; self.bias = bias; self.lora = lora
    }

    package var inputs: Int { weight.columns }
    package var outputs: Int { weight.rows }
    /// Floats of LoRA hidden (A·x) that `tokens` tokens need.
    package func loraHiddenCount(tokens: Int) -> Int { tokens * (lora?.rank ?? 0) }

    /// Y = X·Wᵀ + b + s·(X·Aᵀ)·Bᵀ for `tokens` rows of `x` (and `xq`, its quantized form, which quantized
    /// weights read), W·x shared out over `pool`. `loraHidden` holds `loraHiddenCount(tokens:)` floats.
    package func forward(x: UnsafePointer<Float>, xq: QuantizedActivations?, tokens: Int, y: UnsafeMutablePointer<Float>,
                         loraHidden: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        pool.run { share in
            self.multiplyRows(ThreadPool.range(of: share, shares: pool.threads, count: outputs, alignment: 16),
                              x: x, xq: xq, tokens: tokens, y: y)
        }
        addLoRA(x: x, tokens: tokens, y: y, loraHidden: loraHidden)
    }

    /// Step one, for one thread's share: the output rows `range` of X·Wᵀ + b, every token. Threads may run
    /// disjoint ranges at once; callers fuse several layers' shares into one parallel region (`LinearGroup`).
    package func multiplyRows(_ range: Range<Int>, x: UnsafePointer<Float>, xq: QuantizedActivations?, tokens: Int,
                              y: UnsafeMutablePointer<Float>) {
        if range.isEmpty { return }
        if tokens == 1 {
            weight.matvecRows(range, x: x, xq: xq, xRow: 0, y: y)
        } else {
            weight.matmulRows(range, x: x, xq: xq, tokens: tokens, y: y, ldy: outputs)
        }
        guard let bias else { return }
        bias.withUnsafeBufferPointer { b in
            for t in 0..<tokens {
                let row = y + t * outputs
                for i in range { row[i] += b[i] }
            }
        }
    }

    /// Step two, on the calling thread once every share of step one is done: Y += s·(X·Aᵀ)·Bᵀ, with
    /// X·Aᵀ [tokens, r] left in `loraHidden`. Nothing without a LoRA pair. OpenBLAS must be single-threaded
    /// (InferenceSession sets it): the products are small and the pool's threads are the engine's budget.
    package func addLoRA(x: UnsafePointer<Float>, tokens: Int, y: UnsafeMutablePointer<Float>,
                         loraHidden: UnsafeMutablePointer<Float>) {
        guard let lora else { return }
        let r = Int32(lora.rank), n = Int32(inputs), m = Int32(outputs), T = Int32(tokens)
        lora.a.withUnsafeBufferPointer { A in lora.b.withUnsafeBufferPointer { B in
            // hidden [T, r] = X [T, in] · Aᵀ
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, r, n, 1, x, n, A.baseAddress, n, 0, loraHidden, r)
            // Y [T, out] += s · hidden · Bᵀ
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, m, r, lora.scale, loraHidden, r, B.baseAddress, r, 1, y, m)
        } }
    }
}

/// Linear layers that read the same input (q, k and v; gate and up), each with its own output buffer, computed
/// in one parallel region: a decode step runs a few hundred regions, and each costs a wake-up of every thread.
package struct LinearGroup {
    package let members: [(layer: Linear, output: UnsafeMutablePointer<Float>)]

    package init(_ members: [(layer: Linear, output: UnsafeMutablePointer<Float>)]) { self.members = members }

    /// Floats of LoRA hidden the largest member needs for `tokens` tokens.
    package func loraHiddenCount(tokens: Int) -> Int { members.map { $0.layer.loraHiddenCount(tokens: tokens) }.max() ?? 0 }

    /// Every member's Y = X·Wᵀ + b + s·(X·Aᵀ)·Bᵀ from the same `x`/`xq`. `loraHidden` is scratch shared by
    /// the members one after another (`loraHiddenCount(tokens:)` floats).
    package func forward(x: UnsafePointer<Float>, xq: QuantizedActivations?, tokens: Int,
                         loraHidden: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        pool.run { share in
            for (layer, output) in members {
                layer.multiplyRows(ThreadPool.range(of: share, shares: pool.threads, count: layer.outputs, alignment: 16),
                                   x: x, xq: xq, tokens: tokens, y: output)
            }
        }
        for (layer, output) in members where layer.lora != nil {
            layer.addLoRA(x: x, tokens: tokens, y: output, loraHidden: loraHidden)
        }
    }
}
