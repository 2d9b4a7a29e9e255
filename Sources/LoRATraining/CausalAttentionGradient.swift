import CBLAS
import Foundation

/// Causal grouped-query attention over one whole sequence (positions 0..<T, no cache), keeping the softmax
/// probabilities for the backward pass. Query head h reads kv head h / (nH / nKV); scores and softmax in fp32 as
/// `Attention.forward` computes them.
package struct CausalAttentionGradient {
    package let heads: Int, kvHeads: Int, headDim: Int

    var qWidth: Int { heads * headDim }
    var kvWidth: Int { kvHeads * headDim }
    var scale: Float { 1 / Float(headDim).squareRoot() }

    /// out [T, nH·hd] from q [T, nH·hd], k, v [T, nKV·hd] (q and k rotated); probabilities [nH, T, T].
    package func forward(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, tokens T: Int,
                         probabilities P: UnsafeMutablePointer<Float>, out: UnsafeMutablePointer<Float>) {
        let group = heads / kvHeads, t = Int32(T), d = Int32(headDim)
        for h in 0..<heads {
            let g = h / group, ph = P + h * T * T
            // S [T, T] = scale · Q_h · K_gᵀ, then the causal softmax (token i sees 0...i).
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, t, t, d, scale, q + h * headDim, Int32(qWidth),
                        k + g * headDim, Int32(kvWidth), 0, ph, t)
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
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, t, d, t, 1, ph, t, v + g * headDim, Int32(kvWidth),
                        0, out + h * headDim, Int32(qWidth))
        }
    }

    /// From dOut [T, nH·hd]: dq [T, nH·hd] (written), dk, dv [T, nKV·hd] (written: summed over each group's heads).
    /// dP = dO·Vᵀ, dV += Pᵀ·dO, dS = P ⊙ (dP − rowsum(P ⊙ dP)), dQ = scale·dS·K, dK += scale·dSᵀ·Q.
    /// `scratch` holds T × T floats.
    package func backward(q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, tokens T: Int,
                          probabilities P: UnsafePointer<Float>, dOut: UnsafePointer<Float>,
                          dq: UnsafeMutablePointer<Float>, dk: UnsafeMutablePointer<Float>, dv: UnsafeMutablePointer<Float>,
                          scratch dS: UnsafeMutablePointer<Float>) {
        let group = heads / kvHeads, t = Int32(T), d = Int32(headDim), qw = Int32(qWidth), kw = Int32(kvWidth)
        dk.update(repeating: 0, count: T * kvWidth)
        dv.update(repeating: 0, count: T * kvWidth)
        for h in 0..<heads {
            let g = h / group, ph = P + h * T * T, dOh = dOut + h * headDim
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, t, t, d, 1, dOh, qw, v + g * headDim, kw, 0, dS, t)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, t, d, t, 1, ph, t, dOh, qw, 1, dv + g * headDim, kw)
            for i in 0..<T {
                let p = ph + i * T, s = dS + i * T
                var dot: Float = 0
                for j in 0...i { dot += p[j] * s[j] }
                for j in 0...i { s[j] = p[j] * (s[j] - dot) }
                for j in (i + 1)..<max(T, i + 1) { s[j] = 0 }
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, t, d, t, scale, dS, t, k + g * headDim, kw, 0, dq + h * headDim, qw)
            cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, t, d, t, scale, dS, t, q + h * headDim, qw, 1, dk + g * headDim, kw)
        }
    }
}
