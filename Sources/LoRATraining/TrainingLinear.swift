import CBLAS
import LLM

/// A projection while training: Y = X·Wᵀ + b + s·(D(X)·Aᵀ)·Bᵀ, with W [out, in] frozen (dense f32, see
/// `FrozenLayer`), b [out] frozen, (A [r, in], B [out, r]) the trainable pair and D PEFT's dropout on the
/// adapter's input (inverted: kept values scaled by 1 / keep). Forward and backward side by side; every buffer
/// is the caller's, row-major, T tokens.
package struct TrainingLinear {
    package let weight: UnsafePointer<Float>?     // [out, in]; nil with bf16 products (`packed`)
    package let outputs: Int, inputs: Int
    package let bias: [Float]?
    package let lora: LoRAParameters.Module?
    /// Dropout on the adapter's input: the keep probability and the draw's stream, or nil for none.
    package let dropout: (keep: Float, seed: UInt64, stream: UInt64)?
    /// bf16 products: Wᵀ and W packed, and the product engine (nil: sgemm on `weight`).
    package var packed: (forward: PackedOperand?, backward: PackedOperand?, products: BF16Products)? = nil

    /// y [T, out] = x·Wᵀ + b (+ s·hidden·Bᵀ with hidden [T, r] = D(x)·Aᵀ, D(x) [T, in] left in `dropped`).
    package func forward(x: UnsafePointer<Float>, tokens T: Int, y: UnsafeMutablePointer<Float>,
                         hidden: UnsafeMutablePointer<Float>, dropped: UnsafeMutablePointer<Float>) {
        let o = Int32(outputs), n = Int32(inputs), t = Int32(T)
        if let packed {
            guard let forward = packed.forward else { preconditionFailure("the layer was loaded without its forward") }
            packed.products.multiply(x, rows: T, ldx: inputs, forward, into: y, ldOut: outputs, accumulate: false)
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, t, o, n, 1, x, n, weight, n, 0, y, o)
        }
        if let bias {
            bias.withUnsafeBufferPointer { b in
                for row in 0..<T { let yr = y + row * outputs; for i in 0..<outputs { yr[i] += b[i] } }
            }
        }
        guard let lora else { return }
        let r = Int32(lora.rank)
        let input = applyDropout(x, tokens: T, into: dropped)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, t, r, n, 1, input, n, lora.a.p, n, 0, hidden, r)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, t, o, r, lora.scale, hidden, r, lora.b.p, r, 1, y, o)
    }

    /// Given dy [T, out]: dB += s·dyᵀ·hidden, dA += (s·dy·B)ᵀ·D(x), and dx [T, in] = dy·W + D'(s·dy·B·A), added to
    /// what dx holds when `accumulate` (q, k and v read one input; so do gate and up). `dHidden` is [T, r] scratch,
    /// `dDropped` [T, in] scratch (used with dropout only).
    package func backward(dy: UnsafePointer<Float>, x: UnsafePointer<Float>, tokens T: Int, hidden: UnsafePointer<Float>,
                          dropped: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>, accumulate: Bool,
                          dHidden: UnsafeMutablePointer<Float>, dDropped: UnsafeMutablePointer<Float>) {
        let o = Int32(outputs), n = Int32(inputs), t = Int32(T)
        if let packed, let backward = packed.backward {
            packed.products.multiply(dy, rows: T, ldx: outputs, backward, into: dx, ldOut: inputs, accumulate: accumulate)
        } else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, t, n, o, 1, dy, o, weight, n, accumulate ? 1 : 0, dx, n)
        }
        guard let lora else { return }
        let r = Int32(lora.rank)
        let input = dropout == nil ? x : UnsafePointer(dropped)
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, o, r, t, lora.scale, dy, o, hidden, r, 1, lora.gradB.p, r)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, t, r, o, lora.scale, dy, o, lora.b.p, r, 0, dHidden, r)
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, r, n, t, 1, dHidden, r, input, n, 1, lora.gradA.p, n)
        guard let dropout else {
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, t, n, r, 1, dHidden, r, lora.a.p, n, 1, dx, n)
            return
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, t, n, r, 1, dHidden, r, lora.a.p, n, 0, dDropped, n)
        let inverse = 1 / dropout.keep
        for i in 0..<(T * inputs) where TrainingRandom.keeps(seed: dropout.seed, stream: dropout.stream, index: i, keep: dropout.keep) {
            dx[i] += dDropped[i] * inverse
        }
    }

    /// D(x): x itself without dropout, else `into` filled with the kept values scaled by 1 / keep.
    private func applyDropout(_ x: UnsafePointer<Float>, tokens T: Int, into out: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        guard let dropout else { return x }
        let inverse = 1 / dropout.keep
        for i in 0..<(T * inputs) {
            out[i] = TrainingRandom.keeps(seed: dropout.seed, stream: dropout.stream, index: i, keep: dropout.keep) ? x[i] * inverse : 0
        }
        return UnsafePointer(out)
    }
}
