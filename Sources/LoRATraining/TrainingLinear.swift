import CBLAS
import Foundation
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
    /// The LoRA pairs' f32 products and the dropout masks, shared over threads (one where OpenBLAS has the threads).
    package var lora32 = SplitSGEMM(threads: 1)

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
        let r = lora.rank
        let input = applyDropout(x, tokens: T, into: dropped)
        lora32.run(transA: false, transB: true, m: T, n: r, k: inputs, alpha: 1, a: input, lda: inputs, b: lora.a.p, ldb: inputs,
                   beta: 0, c: hidden, ldc: r)
        lora32.run(transA: false, transB: true, m: T, n: outputs, k: r, alpha: lora.scale, a: hidden, lda: r, b: lora.b.p, ldb: r,
                   beta: 1, c: y, ldc: outputs)
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
        let r = lora.rank, input = dropout == nil ? x : UnsafePointer(dropped)
        // dB [out, r] += s · dyᵀ · hidden ; dHidden [T, r] = s · dy · B ; dA [r, in] += dHiddenᵀ · D(x)
        lora32.run(transA: true, transB: false, m: outputs, n: r, k: T, alpha: lora.scale, a: dy, lda: outputs, b: hidden, ldb: r,
                   beta: 1, c: lora.gradB.p, ldc: r)
        lora32.run(transA: false, transB: false, m: T, n: r, k: outputs, alpha: lora.scale, a: dy, lda: outputs, b: lora.b.p, ldb: r,
                   beta: 0, c: dHidden, ldc: r)
        lora32.run(transA: true, transB: false, m: r, n: inputs, k: T, alpha: 1, a: dHidden, lda: r, b: input, ldb: inputs,
                   beta: 1, c: lora.gradA.p, ldc: inputs)
        guard let dropout else {
            lora32.run(transA: false, transB: false, m: T, n: inputs, k: r, alpha: 1, a: dHidden, lda: r, b: lora.a.p, ldb: inputs,
                       beta: 1, c: dx, ldc: inputs)
            return
        }
        lora32.run(transA: false, transB: false, m: T, n: inputs, k: r, alpha: 1, a: dHidden, lda: r, b: lora.a.p, ldb: inputs,
                   beta: 0, c: dDropped, ldc: inputs)
        let inverse = 1 / dropout.keep
        shared(T * inputs) { range in
            for i in range where TrainingRandom.keeps(seed: dropout.seed, stream: dropout.stream, index: i, keep: dropout.keep) {
                dx[i] += dDropped[i] * inverse
            }
        }
    }

    /// `body` over 0..<count, split into one contiguous range per thread of `lora32`.
    private func shared(_ count: Int, _ body: (Range<Int>) -> Void) {
        let parts = lora32.threads
        if parts <= 1 { body(0..<count); return }
        DispatchQueue.concurrentPerform(iterations: parts) { share in body((count * share / parts)..<(count * (share + 1) / parts)) }
    }

    /// D(x): x itself without dropout, else `into` filled with the kept values scaled by 1 / keep.
    private func applyDropout(_ x: UnsafePointer<Float>, tokens T: Int, into out: UnsafeMutablePointer<Float>) -> UnsafePointer<Float> {
        guard let dropout else { return x }
        let inverse = 1 / dropout.keep
        shared(T * inputs) { range in
            for i in range {
                out[i] = TrainingRandom.keeps(seed: dropout.seed, stream: dropout.stream, index: i, keep: dropout.keep) ? x[i] * inverse : 0
            }
        }
        return UnsafePointer(out)
    }
}
