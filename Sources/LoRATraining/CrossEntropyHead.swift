import CBLAS
import Foundation
import LLM
import Tensors

/// The final norm, the frozen output head and the cross-entropy, forward and backward, for the positions that
/// predict a label only (completion-only training leaves most prompt positions without one, and a 150k-entry
/// logit row costs as much as the rest of a small model's token). Mean over labels is the caller's: it passes the
/// scale (1 / labels in the optimizer step) that turns this sum into that mean.
package final class CrossEntropyHead {
    let head: FrozenHead
    let finalNorm: [Float]
    let eps: Float
    let hidden: Int, vocabulary: Int
    /// Rows whose logits are held at once: [rowsPerChunk, V] floats.
    let rowsPerChunk = 512
    private let normed = Scratch(), logits = Scratch(), dNormed = Scratch()
    /// bf16 products (nil: sgemm), with one packed block of the head at a time.
    let products: BF16Products?
    private let packed = PackedOperand()

    package init(model: LanguageModel, products: BF16Products? = nil) {
        self.products = products
        head = FrozenHead(model.lmHead)
        finalNorm = model.finalNorm
        eps = model.config.rmsNormEps
        hidden = model.config.hidden; vocabulary = model.config.vocabulary
    }

    /// Σ −log p(target[t] | position t) over positions with target[t] ≥ 0, from the last layer's x [T, C].
    /// With `dx`, also dx [T, C] += lossScale · ∂(that sum)/∂x (rows without a target untouched).
    package func run(x: UnsafePointer<Float>, tokens T: Int, targets: [Int], lossScale: Float,
                     dx: UnsafeMutablePointer<Float>?, threads: Int) -> (loss: Double, count: Int) {
        let rows = (0..<T).filter { targets[$0] >= 0 }
        let C = hidden, V = vocabulary
        var loss = 0.0
        var start = 0
        while start < rows.count {
            let chunk = Array(rows[start..<min(rows.count, start + rowsPerChunk)])
            let R = chunk.count
            let n = normed.get(R * C), z = logits.get(R * V)
            for (i, t) in chunk.enumerated() {
                RMSNorm.forward(x + t * C, weight: finalNorm, eps: eps, rows: 1, width: C, into: n + i * C)
            }
            // Z [R, V] = N [R, C] · Eᵀ, one block of vocabulary rows at a time.
            if let products {
                head.forEachBF16Block(threads: threads) { first, count, block in
                    packed.pack(bf16: block, k: C, n: count, transposed: true, threads: threads)
                    products.multiply(n, rows: R, ldx: C, packed, into: z + first, ldOut: V, accumulate: false)
                }
            } else {
                head.forEachBlock(threads: threads) { first, count, block in
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(R), Int32(count), Int32(C), 1, n, Int32(C),
                                block, Int32(C), 0, z + first, Int32(V))
                }
            }
            // Rows shared out over the threads; each row's loss in its own slot, summed in row order.
            var rowLoss = [Double](repeating: 0, count: R)
            let gradient = dx != nil
            rowLoss.withUnsafeMutableBufferPointer { losses in
                let slots = losses.baseAddress!
                DispatchQueue.concurrentPerform(iterations: threads) { share in
                    for i in ThreadPool.range(of: share, shares: threads, count: R) {
                        let row = z + i * V, label = targets[chunk[i]]
                        var m = -Float.infinity
                        for j in 0..<V { m = max(m, row[j]) }
                        var sum = 0.0
                        for j in 0..<V { sum += Double(Foundation.exp(row[j] - m)) }
                        let lse = Double(m) + Foundation.log(sum)
                        slots[i] = lse - Double(row[label])
                        if gradient {
                            // dZ = scale · (softmax − one-hot), in place.
                            let shift = Float(lse)
                            for j in 0..<V { row[j] = Foundation.exp(row[j] - shift) * lossScale }
                            row[label] -= lossScale
                        }
                    }
                }
            }
            for l in rowLoss { loss += l }
            if let dx {
                // dN [R, C] = dZ [R, V] · E [V, C], then back through the final norm.
                let dn = dNormed.get(R * C)
                if let products {
                    head.forEachBF16Block(threads: threads) { first, count, block in
                        packed.pack(bf16: block, k: count, n: C, transposed: false, threads: threads)
                        products.multiply(z + first, rows: R, ldx: V, packed, into: dn, ldOut: C, accumulate: first != 0)
                    }
                } else {
                    head.forEachBlock(threads: threads) { first, count, block in
                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(R), Int32(C), Int32(count), 1, z + first, Int32(V),
                                    block, Int32(C), first == 0 ? 0 : 1, dn, Int32(C))
                    }
                }
                for (i, t) in chunk.enumerated() {
                    RMSNormGradient.backward(x: x + t * C, weight: finalNorm, eps: eps, dy: dn + i * C, rows: 1, width: C,
                                             addingInto: dx + t * C)
                }
            }
            start += R
        }
        return (loss, rows.count)
    }
}
