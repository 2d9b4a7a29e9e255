import XCTest
import CKernels
@testable import Tensors

/// The SIMD kernels (every path this CPU has) against the plain Swift twins.
final class QuantKernelTests: XCTestCase {
    let rows = 37, columns = 320, tokens = 11

    func randomMatrix(_ n: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        }
    }

    /// Runs `body` once per SIMD path available here (portable C, AVX2, AVX-512 VNNI).
    func forEachKernelLevel(_ body: (Int32) throws -> Void) rethrows {
        let best = quill_set_kernel_level(99)
        defer { _ = quill_set_kernel_level(99) }
        for level in 0...best { XCTAssertEqual(quill_set_kernel_level(level), level); try body(level) }
    }

    func testActivationQuantizationMatchesTwin() {
        let x = randomMatrix(columns, seed: 3)
        let act = QuantizedActivations(capacityRows: 1, columns: columns)
        x.withUnsafeBufferPointer { act.quantize($0.baseAddress!, rows: 1) }
        let twin = QuantKernelsReference.quantizeActivations(x)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: act.scales, count: columns / 32)), twin.scales)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: act.values, count: columns)), twin.values)
        XCTAssertEqual(Array(UnsafeBufferPointer(start: act.sums, count: columns / 32)), twin.sums)
    }

    func testMatvecAndGemmMatchTwinOnEveryPath() {
        let w = randomMatrix(rows * columns, seed: 1)
        let x = randomMatrix(tokens * columns, seed: 2)
        for format in [WeightFormat.q8_0, .q4_0] {
            let m = w.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: rows, columns: columns, format: format) }
            let act = QuantizedActivations(capacityRows: tokens, columns: columns)
            x.withUnsafeBufferPointer { act.quantize($0.baseAddress!, rows: tokens, bf16: false) }
            // Expected from the twin, token by token.
            var expected = [Float](repeating: 0, count: tokens * rows)
            for t in 0..<tokens {
                let q = QuantKernelsReference.quantizeActivations(Array(x[(t * columns)..<((t + 1) * columns)]))
                for r in 0..<rows {
                    expected[t * rows + r] = QuantKernelsReference.dot(row: m.bytes + r * m.rowBytes, columns: columns,
                                                                       format: format, scales: q.scales, values: q.values)
                }
            }
            forEachKernelLevel { level in
                for threads in [1, 2] {
                    let pool = ThreadPool(threads: threads)
                    var y = [Float](repeating: .nan, count: tokens * rows)
                    x.withUnsafeBufferPointer { xp in
                        y.withUnsafeMutableBufferPointer { yp in
                            m.matmul(x: xp.baseAddress!, xq: act, tokens: tokens, y: yp.baseAddress!, ldy: rows, pool: pool)
                        }
                    }
                    assertClose(y, expected, "\(format) gemm level \(level) threads \(threads)")
                    for t in [0, tokens - 1] {
                        var v = [Float](repeating: .nan, count: rows)
                        x.withUnsafeBufferPointer { xp in
                            v.withUnsafeMutableBufferPointer { vp in
                                m.matvec(x: xp.baseAddress! + t * columns, xq: act, xRow: t, y: vp.baseAddress!, pool: pool)
                            }
                        }
                        assertClose(v, Array(expected[(t * rows)..<((t + 1) * rows)]), "\(format) matvec level \(level) token \(t)")
                    }
                }
            }
        }
    }

    /// Integer dots are exact; only the float accumulation order differs between paths.
    func assertClose(_ a: [Float], _ b: [Float], _ what: String) {
        XCTAssertEqual(a.count, b.count)
        var worst: Float = 0
        for i in a.indices { worst = max(worst, abs(a[i] - b[i]) / max(1, abs(b[i]))) }
        XCTAssertLessThan(worst, 1e-5, "\(what): max relative difference \(worst)")
    }

    /// The bf16 batched path (used when the CPU has AVX-512 BF16) against its twin, over more rows and
    /// tokens than one tile so the stripe and tile edges are crossed.
    func testBF16BatchedPathMatchesTwin() throws {
        try XCTSkipUnless(BatchedKernel.usesBF16, "this CPU has no AVX-512 BF16; the int8 GEMM test covers the batched path")
        let rows = 131, tokens = 70
        let w = randomMatrix(rows * columns, seed: 8), x = randomMatrix(tokens * columns, seed: 9)
        for format in [WeightFormat.q8_0, .q4_0] {
            let m = w.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: rows, columns: columns, format: format) }
            let act = QuantizedActivations(capacityRows: tokens, columns: columns)
            x.withUnsafeBufferPointer { act.quantize($0.baseAddress!, rows: tokens) }
            XCTAssertTrue(act.hasBF16Rows)
            var y = [Float](repeating: .nan, count: tokens * rows)
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer {
                m.matmul(x: xp.baseAddress!, xq: act, tokens: tokens, y: $0.baseAddress!, ldy: rows, pool: ThreadPool(threads: 2))
            } }
            assertClose(y, QuantKernelsReference.gemmBF16(weights: m, x: x, tokens: tokens), "\(format) bf16 gemm")
        }
    }

    func testBF16RoundingMatchesTheKernel() {
        let x = randomMatrix(4096, seed: 11) + [0, -0, 1e-40, 3.4e38, -1.5, 1.00390625, 1.01171875]
        var out = [UInt16](repeating: 0, count: x.count)
        quill_f32_to_bf16(x, Int64(x.count), &out)
        for i in x.indices { XCTAssertEqual(Float(bitPattern: UInt32(out[i]) << 16), QuantKernelsReference.bf16Rounded(x[i]), "value \(x[i])") }
    }

    func testTiledSGEMMPathMatchesDequantizedProduct() {
        let w = randomMatrix(rows * columns, seed: 5), x = randomMatrix(tokens * columns, seed: 6)
        let m = w.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: rows, columns: columns, format: .q8_0) }
        let dense = m.dequantized()
        var y = [Float](repeating: 0, count: tokens * rows)
        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { m.matmulDequantizedSGEMM(x: xp.baseAddress!, tokens: tokens, y: $0.baseAddress!, ldy: rows, tileRows: 16) } }
        for t in 0..<tokens { for r in 0..<rows {
            var s: Float = 0
            for c in 0..<columns { s += x[t * columns + c] * dense[r * columns + c] }
            XCTAssertEqual(y[t * rows + r], s, accuracy: 1e-4)
        } }
    }
}
