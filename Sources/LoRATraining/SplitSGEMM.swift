import CBLAS
import Foundation

/// cblas_sgemm (row-major, C = alpha·op(A)·op(B) + beta·C) shared over `threads` by rows of C, or by its columns
/// when it has fewer rows than threads: for the trainer's f32 products (the LoRA pairs') while OpenBLAS itself
/// runs on one thread. Every element of C is the same dot product as in one call.
package struct SplitSGEMM {
    package let threads: Int

    package func run(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                     b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        let ta = transA ? CblasTrans : CblasNoTrans, tb = transB ? CblasTrans : CblasNoTrans
        let byRows = m >= 2 * threads, parts = threads > 1 && (byRows || n >= 2 * threads) ? threads : 1
        if parts == 1 {
            cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
            return
        }
        DispatchQueue.concurrentPerform(iterations: parts) { share in
            let count = byRows ? m : n
            let lo = count * share / parts, hi = count * (share + 1) / parts
            guard hi > lo else { return }
            if byRows {
                // Rows lo..<hi of op(A): rows of A, or columns of A when transposed.
                cblas_sgemm(CblasRowMajor, ta, tb, Int32(hi - lo), Int32(n), Int32(k), alpha, a + (transA ? lo : lo * lda), Int32(lda),
                            b, Int32(ldb), beta, c + lo * ldc, Int32(ldc))
            } else {
                // Columns lo..<hi of op(B): columns of B, or rows of B when transposed.
                cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(hi - lo), Int32(k), alpha, a, Int32(lda),
                            b + (transB ? lo * ldb : lo), Int32(ldb), beta, c + lo, Int32(ldc))
            }
        }
    }
}
