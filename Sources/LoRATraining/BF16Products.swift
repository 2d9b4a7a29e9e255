import CKernels
import Foundation
import Tensors

/// How the frozen-weight products of training are computed. `f32`: OpenBLAS sgemm on the dense weights, exact
/// (the PEFT parity tests run this way). `bf16`: weights and activations rounded to bf16, products summed in
/// fp32 on AMX tiles (TDPBF16PS) — on a quantized base the weights already carry more rounding than bf16 adds,
/// as in PyTorch's bf16 autocast; the LoRA pairs, their products and every gradient stay f32.
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

    /// Packs B = W (W [k, n]) or, `transposed`, B = Wᵀ (W [n, k]), shared over `threads`.
    package func pack(_ w: UnsafePointer<Float>, k: Int, n: Int, transposed: Bool, threads: Int) {
        self.k = k; self.n = n
        kp = (k + 31) / 32 * 32; np = (n + 31) / 32 * 32
        if kp * np > capacity {
            storage.deallocate(); capacity = kp * np; storage = .allocate(capacity: capacity)
        }
        let tilesWide = np / 16, out = storage
        DispatchQueue.concurrentPerform(iterations: threads) { share in
            let r = ThreadPool.range(of: share, shares: threads, count: tilesWide)
            if !r.isEmpty {
                quill_bf16_pack_b(w, Int64(k), Int64(n), transposed ? 1 : 0, Int64(kp), Int64(np), Int64(r.lowerBound), Int64(r.upperBound), out)
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

    package func multiply(_ x: UnsafePointer<Float>, rows m: Int, ldx: Int, _ b: PackedOperand,
                          into out: UnsafeMutablePointer<Float>, ldOut: Int, accumulate: Bool) {
        let mp = (m + 31) / 32 * 32, kp = b.kp, np = b.np, n = b.n
        if mp * kp > aCapacity { a.deallocate(); aCapacity = mp * kp; a = .allocate(capacity: aCapacity) }
        quill_bf16_pack_a(x, Int64(m), Int64(b.k), Int64(ldx), Int64(mp), Int64(kp), a)
        let cp = c.get(mp * np), ap = UnsafePointer(a), tiles = b.tiles
        let blocks = np / 32
        DispatchQueue.concurrentPerform(iterations: threads) { share in
            let r = ThreadPool.range(of: share, shares: threads, count: blocks)
            if !r.isEmpty { quill_bf16_gemm_packed(ap, Int64(mp), Int64(kp), tiles, Int64(r.lowerBound), Int64(r.upperBound), cp, Int64(np), 1) }
        }
        for i in 0..<m {
            let src = cp + i * np, dst = out + i * ldOut
            if accumulate { for j in 0..<n { dst[j] += src[j] } } else { dst.update(from: src, count: n) }
        }
    }
}
