import CBLAS
import CKernels
import Foundation
import Tensors

/// How the frozen-weight products of training are computed. `f32`: OpenBLAS sgemm on the dense weights, exact
/// (the PEFT parity tests run this way). `bf16`: weights and activations rounded to bf16, products summed in
/// fp32 on AMX tiles (TDPBF16PS) — on a quantized base the weights already carry more rounding than bf16 adds,
/// as in PyTorch's bf16 autocast; attention's products too (CausalAttentionGradient); the LoRA pairs, their
/// products and every gradient stay f32.
public enum FrozenProductPrecision: String, Sendable, Codable, CaseIterable {
    case f32, bf16

    /// bf16 where this CPU has AMX bf16 tiles and the base is quantized; f32 otherwise.
    public static func automatic(quantizedBase: Bool) -> FrozenProductPrecision {
        quantizedBase && BF16Products.available ? .bf16 : .f32
    }
}

/// A B operand in AMX's packed bf16 tiles, padded: B [k, n] for products A [m, k] · B.
package final class PackedOperand {
    package private(set) var k = 0, n = 0, kp = 0, np = 0
    private var storage = UnsafeMutablePointer<UInt16>.allocate(capacity: 1)
    private var capacity = 1

    package init() {}
    deinit { storage.deallocate() }

    var tiles: UnsafePointer<UInt16> { UnsafePointer(storage) }

    /// Packs B = W (W [k, n]) or, `transposed`, B = Wᵀ (W [n, k]) from bf16 values, shared over `threads`.
    package func pack(bf16 w: UnsafePointer<UInt16>, k: Int, n: Int, transposed: Bool, threads: Int) {
        reserve(k: k, n: n)
        let tilesWide = np / 16, out = storage, kp = self.kp, np = self.np
        DispatchQueue.concurrentPerform(iterations: threads) { share in
            let r = ThreadPool.range(of: share, shares: threads, count: tilesWide)
            if !r.isEmpty {
                quill_bf16_pack_b_bf16(w, Int64(k), Int64(n), transposed ? 1 : 0, Int64(kp), Int64(np), Int64(r.lowerBound), Int64(r.upperBound), out)
            }
        }
    }

    private func reserve(k: Int, n: Int) {
        self.k = k; self.n = n
        kp = (k + 31) / 32 * 32; np = (n + 31) / 32 * 32
        if kp * np > capacity {
            storage.deallocate(); capacity = kp * np; storage = .allocate(capacity: capacity)
        }
    }

    /// Packs B = W (W [k, n]) or, `transposed`, B = Wᵀ (W [n, k]), shared over `threads`; `ld` is W's row
    /// stride (default: dense).
    package func pack(_ w: UnsafePointer<Float>, k: Int, n: Int, transposed: Bool, ld: Int? = nil, threads: Int) {
        let ldw = ld ?? (transposed ? k : n)
        reserve(k: k, n: n)
        let tilesWide = np / 16, out = storage, kp = self.kp, np = self.np
        DispatchQueue.concurrentPerform(iterations: threads) { share in
            let r = ThreadPool.range(of: share, shares: threads, count: tilesWide)
            if !r.isEmpty {
                quill_bf16_pack_b(w, Int64(ldw), Int64(k), Int64(n), transposed ? 1 : 0, Int64(kp), Int64(np), Int64(r.lowerBound), Int64(r.upperBound), out)
            }
        }
    }
}

/// out [m, n] = (or += with `accumulate`) X [m, k] · B, X fp32 rounded to bf16, B packed; fp32 sums.
package final class BF16Products {
    package static var available: Bool { quill_has_amx_bf16() != 0 }

    let threads: Int
    private var a = UnsafeMutablePointer<UInt16>.allocate(capacity: 1), aCapacity = 1
    private let c = Scratch()

    package init(threads: Int) { self.threads = max(1, threads) }
    deinit { a.deallocate() }

    /// With `transposedX`, x holds Xᵀ [k, m] (row stride ldx) and the product is Xᵀᵀ·B.
    package func multiply(_ x: UnsafePointer<Float>, rows m: Int, ldx: Int, transposedX: Bool = false, _ b: PackedOperand,
                          into out: UnsafeMutablePointer<Float>, ldOut: Int, accumulate: Bool, alpha: Float = 1) {
        let mp = (m + 31) / 32 * 32, kp = b.kp, np = b.np, n = b.n
        if mp * kp > aCapacity { a.deallocate(); aCapacity = mp * kp; a = .allocate(capacity: aCapacity) }
        if transposedX {
            quill_bf16_pack_a_transposed(x, Int64(m), Int64(b.k), Int64(ldx), Int64(mp), Int64(kp), a)
        } else {
            quill_bf16_pack_a(x, Int64(m), Int64(b.k), Int64(ldx), Int64(mp), Int64(kp), a)
        }
        let cp = c.get(mp * np), ap = UnsafePointer(a), tiles = b.tiles
        let blocks = np / 32
        DispatchQueue.concurrentPerform(iterations: threads) { share in
            let r = ThreadPool.range(of: share, shares: threads, count: blocks)
            if !r.isEmpty { quill_bf16_gemm_packed(ap, Int64(mp), Int64(kp), tiles, Int64(r.lowerBound), Int64(r.upperBound), cp, Int64(np), 1) }
        }
        for i in 0..<m {
            let src = cp + i * np, dst = out + i * ldOut
            if alpha != 1 { for j in 0..<n { src[j] *= alpha } }
            if accumulate { for j in 0..<n { dst[j] += src[j] } } else { dst.update(from: src, count: n) }
        }
    }
}

/// C = alpha·op(A)·op(B) + beta·C (beta 0 or 1), row-major, with cblas_sgemm's arguments: in f32 through
/// OpenBLAS, in bf16 on AMX tiles (B packed for the call). For the products that are not frozen weights
/// (attention's) where one code path serves both precisions.
package final class TrainingGEMM {
    let products: BF16Products?
    private let packed = PackedOperand()

    package init(precision: FrozenProductPrecision, threads: Int) {
        products = precision == .bf16 ? BF16Products(threads: threads) : nil
    }

    package func run(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
                     b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard let products else {
            cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k),
                        alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
            return
        }
        precondition(beta == 0 || beta == 1, "bf16 products add to C or replace it")
        packed.pack(b, k: k, n: n, transposed: transB, ld: ldb, threads: products.threads)
        products.multiply(a, rows: m, ldx: lda, transposedX: transA, packed, into: c, ldOut: ldc, accumulate: beta == 1, alpha: alpha)
    }
}
