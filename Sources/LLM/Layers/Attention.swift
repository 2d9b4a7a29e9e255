import CBLAS
import Foundation

/// Causal scaled dot-product attention with grouped-query heads (Vaswani et al. 2017; GQA, Ainslie et al. 2023)
/// over the KV cache: q-head h reads kv-head h / (nH / nKV). Scores and softmax in fp32.
package enum Attention {
    /// out [T, nH·hd] for queries q [T, nH·hd] at positions start..<start+T, whose keys and values are
    /// already in `keys`/`values` [start+T, nKV·hd]. `scores` holds T × (start+T) floats per share.
    package static func forward(q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>,
                               start: Int, tokens T: Int, heads: Int, kvHeads: Int, headDim hd: Int,
                               out: UnsafeMutablePointer<Float>, scores: [UnsafeMutablePointer<Float>], pool: ThreadPool) {
        let P = start + T, qWidth = heads * hd, kvWidth = kvHeads * hd, group = heads / kvHeads
        let scale = 1 / Float(hd).squareRoot()
        if T == 1 {
            decode(q: q, keys: keys, values: values, positions: P, heads: heads, kvHeads: kvHeads, headDim: hd,
                   out: out, scores: scores, pool: pool)
            return
        }
        pool.run { share in
            let s = scores[share]
            for h in ThreadPool.range(of: share, shares: pool.threads, count: heads) {
                let g = h / group
                let qh = q + h * hd, kh = keys + g * hd, vh = values + g * hd, oh = out + h * hd
                // S [T, P] = scale · Q_h [T, hd] · K_g [P, hd]ᵀ
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(T), Int32(P), Int32(hd), scale,
                            qh, Int32(qWidth), kh, Int32(kvWidth), 0, s, Int32(P))
                // Causal softmax: token t sees positions 0...start+t.
                for t in 0..<T {
                    let row = s + t * P, visible = start + t + 1
                    softmax(row, count: visible)
                    for p in visible..<P { row[p] = 0 }
                }
                // O_h [T, hd] = S [T, P] · V_g [P, hd]
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(T), Int32(hd), Int32(P), 1,
                            s, Int32(P), vh, Int32(kvWidth), 0, oh, Int32(qWidth))
            }
        }
    }

    /// One new token: the `group` query heads that share a kv head are consecutive in q, so each kv head is one
    /// [group, hd] × [hd, P] product and one [group, P] × [P, hd] product (two BLAS calls per kv head instead of
    /// two per query head), and kv heads are shared out over the pool.
    static func decode(q: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, positions P: Int,
                       heads: Int, kvHeads: Int, headDim hd: Int, out: UnsafeMutablePointer<Float>,
                       scores: [UnsafeMutablePointer<Float>], pool: ThreadPool) {
        let kvWidth = kvHeads * hd, group = heads / kvHeads
        let scale = 1 / Float(hd).squareRoot()
        pool.run { share in
            let s = scores[share]
            for g in ThreadPool.range(of: share, shares: pool.threads, count: kvHeads) {
                let qg = q + g * group * hd, kg = keys + g * hd, vg = values + g * hd, og = out + g * group * hd
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(group), Int32(P), Int32(hd), scale,
                            qg, Int32(hd), kg, Int32(kvWidth), 0, s, Int32(P))
                for h in 0..<group { softmax(s + h * P, count: P) }
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(group), Int32(hd), Int32(P), 1,
                            s, Int32(P), vg, Int32(kvWidth), 0, og, Int32(hd))
            }
        }
    }

    /// Softmax in place over `count` scores, in fp32 with the maximum subtracted first.
    static func softmax(_ row: UnsafeMutablePointer<Float>, count: Int) {
        var m = -Float.infinity
        for p in 0..<count { m = max(m, row[p]) }
        var sum: Float = 0
        for p in 0..<count { let e = Foundation.exp(row[p] - m); row[p] = e; sum += e }
        let inv = 1 / sum
        for p in 0..<count { row[p] *= inv }
    }
}
