import XCTest
import CKernels
@testable import Tensors

/// The Q4_1 / Q5_0 / Q5_1 and F16 / BF16 kernels (every SIMD path this CPU has) against their plain Swift
/// twins, on odd row counts (the 2-row GEMM tile and the 16-row thread shares end mid-way), block counts that
/// are not a multiple of the 8-block matvec step, and several thread counts.
final class LegacyQuantKernelTests: XCTestCase {
    // 37 rows; 11 blocks (8 + a 3-block tail); 11 tokens (two 4-token tiles and 3 more).
    let rows = 37, columns = 352, tokens = 11

    func randomMatrix(_ n: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        }
    }

    /// Weights with a per-row offset so the minimum terms (Q4_1, Q5_1) do real work.
    func randomWeights(seed: UInt64, rows: Int, columns: Int) -> [Float] {
        let w = randomMatrix(rows * columns, seed: seed)
        return w.indices.map { w[$0] + Float($0 / columns % 5) * 0.3 }
    }

    func forEachKernelLevel(_ body: (Int32) throws -> Void) rethrows {
        let best = quill_set_kernel_level(99)
        defer { _ = quill_set_kernel_level(99) }
        for level in 0...best { XCTAssertEqual(quill_set_kernel_level(level), level); try body(level) }
    }

    func assertClose(_ a: [Float], _ b: [Float], tolerance: Float = 1e-5, _ what: String) {
        XCTAssertEqual(a.count, b.count)
        var worst: Float = 0
        for i in a.indices { worst = max(worst, abs(a[i] - b[i]) / max(1, abs(b[i]))) }
        XCTAssertLessThan(worst, tolerance, "\(what): max relative difference \(worst)")
    }

    /// The twin's result for every (token, row), from the twin's own activation quantization.
    func expected(_ m: WeightMatrix, x: [Float], tokens: Int) -> [Float] {
        var out = [Float](repeating: 0, count: tokens * m.rows)
        for t in 0..<tokens {
            let xt = Array(x[(t * m.columns)..<((t + 1) * m.columns)])
            let q = QuantKernelsReference.quantizeActivations(xt)
            for r in 0..<m.rows {
                let row = m.bytes + r * m.rowBytes
                out[t * m.rows + r] = m.format == .f16 || m.format == .bf16
                    ? QuantKernelsReference.halfDot(row: row, columns: m.columns, format: m.format, x: xt)
                    : QuantKernelsReference.legacyDot(row: row, columns: m.columns, format: m.format, scales: q.scales, values: q.values)
            }
        }
        return out
    }

    func testMatvecAndGemmMatchTwinOnEveryPath() {
        for format in [WeightFormat.q4_1, .q5_0, .q5_1, .f16, .bf16] {
            for (rows, columns) in [(rows, columns), (5, 64), (33, 1056)] {
                check(format, rows: rows, columns: columns, seed: UInt64(rows))
            }
        }
    }

    /// F16/BF16 rows need no 32-value blocks: lengths that leave every SIMD tail.
    func testHalfFormatsOnRowsOfAnyLength() {
        for format in [WeightFormat.f16, .bf16] {
            for columns in [1, 7, 33, 100] { check(format, rows: 9, columns: columns, seed: UInt64(columns), gemm: false) }
        }
    }

    func check(_ format: WeightFormat, rows: Int, columns: Int, seed: UInt64, gemm: Bool = true) {
        let w = randomWeights(seed: seed, rows: rows, columns: columns)
        let x = randomMatrix(tokens * columns, seed: seed + 100)
        let m = w.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: rows, columns: columns, format: format) }
        let want = expected(m, x: x, tokens: tokens)
        let act = columns % 32 == 0 ? QuantizedActivations(capacityRows: tokens, columns: columns) : nil
        x.withUnsafeBufferPointer { xp in act?.quantize(xp.baseAddress!, rows: tokens, bf16: false) }
        forEachKernelLevel { level in
            for threads in [1, 2, 3] {
                let pool = ThreadPool(threads: threads)
                let what = "\(format) \(rows)x\(columns) level \(level) threads \(threads)"
                if gemm {
                    var y = [Float](repeating: .nan, count: tokens * rows)
                    x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer {
                        m.matmul(x: xp.baseAddress!, xq: act, tokens: tokens, y: $0.baseAddress!, ldy: rows, pool: pool)
                    } }
                    assertClose(y, want, "gemm \(what)")
                }
                for t in [0, tokens - 1] {
                    var v = [Float](repeating: .nan, count: rows)
                    x.withUnsafeBufferPointer { xp in v.withUnsafeMutableBufferPointer {
                        m.matvec(x: xp.baseAddress! + t * columns, xq: act, xRow: t, y: $0.baseAddress!, pool: pool)
                    } }
                    assertClose(v, Array(want[(t * rows)..<((t + 1) * rows)]), "matvec \(what) token \(t)")
                }
            }
        }
    }

    /// The twin itself against plain float arithmetic on the dequantized weights: the kernels equal the twin,
    /// and this holds the twin to what the weights mean (a wrong minimum or offset term would pass the first
    /// comparison if the twin shared the mistake; it cannot pass this one).
    func testTwinMatchesDequantizedProduct() {
        for format in [WeightFormat.q4_1, .q5_0, .q5_1] {
            let w = randomWeights(seed: 7, rows: rows, columns: columns), x = randomMatrix(columns, seed: 8)
            let m = w.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: rows, columns: columns, format: format) }
            let dense = m.dequantized(), q = QuantKernelsReference.quantizeActivations(x)
            let xDequantized = (0..<columns).map { q.scales[$0 / 32] * Float(q.values[$0]) }
            for r in 0..<rows {
                var s = 0.0
                for c in 0..<columns { s += Double(dense[r * columns + c]) * Double(xDequantized[c]) }
                let twin = QuantKernelsReference.legacyDot(row: m.bytes + r * m.rowBytes, columns: columns, format: format,
                                                          scales: q.scales, values: q.values)
                XCTAssertEqual(Double(twin), s, accuracy: 1e-4 * max(1, abs(s)), "\(format) row \(r)")
            }
        }
    }

    /// The bf16 batched path (AVX-512 BF16) for these formats against its twin, across stripe and tile edges.
    func testBF16BatchedPathMatchesTwin() throws {
        try XCTSkipUnless(BatchedKernel.usesBF16, "this CPU has no AVX-512 BF16; the int8 GEMM test covers the batched path")
        let rows = 131, tokens = 70
        let w = randomWeights(seed: 8, rows: rows, columns: columns), x = randomMatrix(tokens * columns, seed: 9)
        for format in [WeightFormat.q4_1, .q5_0, .q5_1, .f16, .bf16] {
            let m = w.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: rows, columns: columns, format: format) }
            let act = QuantizedActivations(capacityRows: tokens, columns: columns)
            x.withUnsafeBufferPointer { act.quantize($0.baseAddress!, rows: tokens) }
            XCTAssertTrue(act.hasBF16Rows)
            var y = [Float](repeating: .nan, count: tokens * rows)
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer {
                m.matmul(x: xp.baseAddress!, xq: act, tokens: tokens, y: $0.baseAddress!, ldy: rows, pool: ThreadPool(threads: 2))
            } }
            if format == .f16 {
                // F16 keeps its precision in the batch even when bf16 activations are at hand: the exact product
                // of the widened weights with the f32 activations, not the bf16 one (which misses by ~7% here).
                let exact = expected(m, x: x, tokens: tokens)
                assertClose(y, exact, tolerance: 1e-4, "f16 batched (exact, not bf16)")
            } else {
                assertClose(y, QuantKernelsReference.gemmBF16(weights: m, x: x, tokens: tokens), "\(format) bf16 gemm")
            }
        }
    }

    /// The expansion to bf16 on its own, vector path against the portable one, value for value.
    func testBF16ExpansionEqualsTwinBitForBit() {
        let rows = 3, columns = 320
        let w = randomWeights(seed: 12, rows: rows, columns: columns)
        for format in [WeightFormat.q4_1, .q5_0, .q5_1, .f16, .bf16] {
            let m = w.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: rows, columns: columns, format: format) }
            var out = [UInt16](repeating: 0, count: rows * columns)
            quill_dequantize_rows_bf16(m.bytes.assumingMemoryBound(to: UInt8.self), Int32(format.ggmlType.rawValue),
                                       Int64(rows), Int64(columns), &out)
            let want = m.dequantized().map(QuantKernelsReference.bf16Rounded)
            XCTAssertEqual(out.map { Float(bitPattern: UInt32($0) << 16) }, want, "\(format)")
        }
    }
}
