import CKernels
import Foundation
import LLM
@testable import LoRATraining
import XCTest

/// The bf16 products: AMX tiles against the plain C twin (same bf16 operands, fp32 sums: equal up to summation
/// order), both layouts (B = W and B = Wᵀ) against fp32 sgemm within bf16's rounding, and whole-model LoRA
/// gradients with bf16 products within a bf16-sized distance of the exact ones. Skipped without AMX.
final class BF16ProductsTests: XCTestCase {
    func testPackedProductsMatchTheCTwinAndFloat32() throws {
        try XCTSkipUnless(BF16Products.available, "this CPU has no AMX bf16 tiles")
        var random = TrainingRandom(seed: 9)
        let m = 37, k = 70, n = 45          // none a multiple of a tile: padding is exercised
        let x = (0..<(m * k)).map { _ in random.normal() }, w = (0..<(n * k)).map { _ in random.normal() }
        for transposed in [true, false] {
            // transposed: W [n, k], product X·Wᵀ; else W [k, n], product X·W
            let b = PackedOperand()
            w.withUnsafeBufferPointer { b.pack($0.baseAddress!, k: k, n: n, transposed: transposed, threads: 2) }
            var amx = [Float](repeating: 0, count: m * n)
            BF16Products(threads: 2).multiply(x, rows: m, ldx: k, b, into: &amx, ldOut: n, accumulate: false)
            // The C twin on the same packed operands.
            let mp = (m + 31) / 32 * 32
            var a = [UInt16](repeating: 0, count: mp * b.kp), c = [Float](repeating: 0, count: mp * b.np)
            quill_bf16_pack_a(x, Int64(m), Int64(k), Int64(k), Int64(mp), Int64(b.kp), &a)
            quill_bf16_gemm_packed(a, Int64(mp), Int64(b.kp), b.tiles, 0, Int64(b.np / 32), &c, Int64(b.np), 0)
            var worstTwin: Float = 0, worstExact: Float = 0
            for i in 0..<m { for j in 0..<n {
                var exact: Float = 0
                for t in 0..<k { exact += x[i * k + t] * (transposed ? w[j * k + t] : w[t * n + j]) }
                worstTwin = max(worstTwin, abs(amx[i * n + j] - c[i * b.np + j]))
                worstExact = max(worstExact, abs(amx[i * n + j] - exact))
            } }
            XCTAssertLessThan(worstTwin, 1e-4, "AMX and the C twin, transposed \(transposed)")
            XCTAssertLessThan(worstExact, 0.25, "bf16 rounding of k = \(k) unit normals, transposed \(transposed)")
            XCTAssertGreaterThan(worstExact, 0, "the bf16 path really rounds")
        }
    }

    /// Packing from bf16 rows (the vector path for whole tiles, the scalar one at the edges) gives the tiles that
    /// packing the same values from f32 gives.
    func testPackingFromBF16EqualsPackingFromFloat32() throws {
        var random = TrainingRandom(seed: 4)
        for (k, n) in [(64, 48), (96, 40), (45, 33)] {
            // Values a bf16 holds exactly, so both paths see the same numbers.
            let w = (0..<(k * n)).map { _ in Float(Int(random.normal() * 64)) / 64 }
            let w16 = w.map { UInt16(truncatingIfNeeded: $0.bitPattern >> 16) }
            for transposed in [true, false] {
                let a = PackedOperand(), b = PackedOperand()
                let rows = transposed ? n : k, columns = transposed ? k : n
                XCTAssertEqual(rows * columns, w.count)
                w.withUnsafeBufferPointer { a.pack($0.baseAddress!, k: k, n: n, transposed: transposed, threads: 2) }
                w16.withUnsafeBufferPointer { b.pack(bf16: $0.baseAddress!, k: k, n: n, transposed: transposed, threads: 2) }
                let count = a.kp * a.np
                XCTAssertEqual(Array(UnsafeBufferPointer(start: a.tiles, count: count)), Array(UnsafeBufferPointer(start: b.tiles, count: count)),
                               "k \(k), n \(n), transposed \(transposed)")
            }
        }
    }

    func testBF16GradientsStayCloseToExactOnAQuantizedBase() throws {
        try XCTSkipUnless(BF16Products.available, "this CPU has no AMX bf16 tiles")
        let model = try TrainingFixtures.model("qwen2-untied-q8_0.gguf")
        let fixture = try TrainingFixtures.json("qwen2-untied")
        let examples = try TrainingFixtures.examples(fixture)
        func gradients(_ precision: FrozenProductPrecision, budget: Int? = nil) throws -> (Double, [[Float]]) {
            let lora = LoRAParameters(adapter: try TrainingFixtures.adapter("qwen2-untied", for: model), config: model.config)
            let g = DecoderGradients(model: model, lora: lora, dropout: 0, threads: 2, precision: precision)
            g.memoryBudget = budget
            let labelled = examples.reduce(0) { $0 + $1.labelCount }
            var loss = 0.0
            for e in examples { loss += g.run(ids: e.ids, labels: e.labels, lossScale: 1 / Float(labelled), dropoutSeed: nil).loss }
            return (loss / Double(labelled), lora.modules.flatMap { [$0.gradA.array, $0.gradB.array] })
        }
        let (exactLoss, exact) = try gradients(.f32), (bf16Loss, approximate) = try gradients(.bf16)
        XCTAssertEqual(bf16Loss, exactLoss, accuracy: 1e-2 * exactLoss)
        XCTAssertNotEqual(bf16Loss, exactLoss)
        // Kept layers (packed for their backward pass only) give the recomputed layers' gradients exactly.
        XCTAssertEqual(try gradients(.bf16, budget: 1 << 50).1, approximate)
        for (e, a) in zip(exact, approximate) {
            let scale = e.map { abs($0) }.max() ?? 1
            XCTAssertLessThan(zip(e, a).map { abs($0 - $1) }.max() ?? 1, 5e-2 * scale)
        }
    }
}
