import CBLAS
import Foundation
import Tensors

/// Causal grouped-query attention over one whole sequence (positions 0..<T, no cache), keeping the softmax
/// probabilities for the backward pass. Query head h reads kv head h / (nH / nKV); scores and softmax in fp32 as
/// `Attention.forward` computes them.
///
/// Work is shared out by kv head (each thread owns whole groups, so dK and dV have one writer each); BLAS runs
/// single-threaded inside (the trainer keeps OpenBLAS at one thread: its idle workers spinning beside the
/// trainer's own threads cost more than they gave).
///
/// With bf16 products the four score and value products run on AMX tiles too (Q, K, V, P and their gradients
/// rounded to bf16 on the way in, sums and softmax in fp32), as bf16 autocast does.
package struct CausalAttentionGradient {
    package let heads: Int, kvHeads: Int, headDim: Int
    package var threads = 1
    /// One product engine per share.
    let gemms: [TrainingGEMM]

    package init(heads: Int, kvHeads: Int, headDim: Int, threads: Int, precision: FrozenProductPrecision = .f32) {
        self.heads = heads; self.kvHeads = kvHeads; self.headDim = headDim; self.threads = threads
        gemms = (0..<max(1, threads)).map { _ in TrainingGEMM(precision: precision, threads: 1) }
    }

    /// Query heads grouped by kv head, shared out over the threads.
    func forEachGroup(_ body: (Int, Int) -> Void) {
        let shares = max(1, min(threads, kvHeads))
        DispatchQueue.concurrentPerform(iterations: shares) { share in
            for g in ThreadPool.range(of: share, shares: shares, count: kvHeads) { body(g, share) }
        }
    }

    var qWidth: Int { heads * headDim }
    var kvWidth: Int { kvHeads * headDim }
    var scale: Float { 1 / Float(headDim).squareRoot() }

    /// out [T, nH·hd] from q [T, nH·hd], k, v [T, nKV·hd] (q and k rotated); probabilities [nH, T, T].
    package func forward(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, tokens T: Int,
                         probabilities P: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        let group = heads / kvHeads, d = headDim
        forEachGroup { g, share in for h in (g * group)..<((g + 1) * group) {
            let ph = P + h * T * T, gemm = gemms[share]
            // S [T, T] = scale · Q_h · K_gᵀ, then the causal softmax (token i sees 0...i).
            gemm.run(transA: false, transB: true, m: T, n: T, k: d, alpha: scale, a: q + h * headDim, lda: qWidth,
                     b: k + g * headDim, ldb: kvWidth, beta: 0, c: ph, ldc: T)
            for i in 0..<T {
                let row = ph + i * T
                var m = -Float.infinity
                for j in 0...i { m = max(m, row[j]) }
                var sum: Float = 0
                for j in 0...i { let e = Foundation.exp(row[j] - m); row[j] = e; sum += e }
                let inv = 1 / sum
                for j in 0...i { row[j] *= inv }
                for j in (i + 1)..<max(T, i + 1) { row[j] = 0 }
            }
            // O_h [T, hd] = P_h · V_g
            gemm.run(transA: false, transB: false, m: T, n: d, k: T, alpha: 1, a: ph, lda: T, b: v + g * headDim, ldb: kvWidth,
                     beta: 0, c: out + h * headDim, ldc: qWidth)
        } }
    }

    /// From dOut [T, nH·hd]: dq [T, nH·hd] (written), dk, dv [T, nKV·hd] (written: summed over each group's heads).
    /// dP = dO·Vᵀ, dV += Pᵀ·dO, dS = P ⊙ (dP − rowsum(P ⊙ dP)), dQ = scale·dS·K, dK += scale·dSᵀ·Q.
    /// `scratch` holds T × T floats per thread.
    package func backward(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, tokens T: Int,
                          probabilities P: UnsafePointer<Float>, dOut: UnsafePointer<Float>,
                          dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
                          scratch: UnsafeMutablePointer<Float>) {
        let group = heads / kvHeads, d = headDim, qw = qWidth, kw = kvWidth
        dk.update(repeating: 0, count: T * kvWidth)
        dv.update(repeating: 0, count: T * kvWidth)
        forEachGroup { g, share in for h in (g * group)..<((g + 1) * group) {
            let dS = scratch + share * T * T
            let ph = P + h * T * T, dOh = dOut + h * headDim, gemm = gemms[share]
            gemm.run(transA: false, transB: true, m: T, n: T, k: d, alpha: 1, a: dOh, lda: qw, b: v + g * headDim, ldb: kw, beta: 0, c: dS, ldc: T)
            gemm.run(transA: true, transB: false, m: T, n: d, k: T, alpha: 1, a: ph, lda: T, b: dOh, ldb: qw, beta: 1, c: dv + g * headDim, ldc: kw)
            for i in 0..<T {
                let p = ph + i * T, s = dS + i * T
                var dot: Float = 0
                for j in 0...i { dot += p[j] * s[j] }
                for j in 0...i { s[j] = p[j] * (s[j] - dot) }
                for j in (i + 1)..<max(T, i + 1) { s[j] = 0 }
            }
            gemm.run(transA: false, transB: false, m: T, n: d, k: T, alpha: scale, a: dS, lda: T, b: k + g * headDim, ldb: kw,
                     beta: 0, c: dq + h * headDim, ldc: qw)
            gemm.run(transA: true, transB: false, m: T, n: d, k: T, alpha: scale, a: dS, lda: T, b: q + h * headDim, ldb: qw,
                     beta: 1, c: dk + g * headDim, ldc: kw)
        } }
    }
}
