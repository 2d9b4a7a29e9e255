import XCTest
import CKernels
@testable import Tensors

/// Q4_K, Q5_K and Q6_K: dequantization against the gguf package (llama.cpp's layouts), the plain Swift dot
/// against the dequantized values, every SIMD path of the C kernels against the Swift twin, and the quantizer's
/// round-trip error.
final class KQuantTests: XCTestCase {
    let kFormats: [WeightFormat] = [.q4_K, .q5_K, .q6_K]

    struct Case: Decodable { let bytes_hex: String; let dequantized: [Float] }
    struct Fixture: Decodable { let q4_K: Case; let q5_K: Case; let q6_K: Case }

    func bytes(hex: String) -> [UInt8] {
        var out: [UInt8] = [], it = hex.utf8.makeIterator()
        while let a = it.next(), let b = it.next() { out.append(UInt8(String(decoding: [a, b], as: UTF8.self), radix: 16)!) }
        return out
    }

    /// A deterministic stream of numbers in [-1, 1).
    func uniform(_ n: Int, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(Int64(bitPattern: state >> 11) % 2000) / 1000 - 1
        }
    }

    /// Rows of random block bytes (every scale, min, nibble and high-bit pattern) with small finite d and dmin.
    func randomBlocks(_ format: WeightFormat, rows: Int, columns: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 24 }
        var out = (0..<(rows * format.rowBytes(columns: columns))).map { _ in UInt8(truncatingIfNeeded: next()) }
        let halves = format == .q6_K ? [208] : [0, 2]
        for b in 0..<(out.count / format.blockBytes) {
            for offset in halves {
                let h = f32ToF16(Float(Int(next() % 2001) - 1000) / 100_000)
                out[b * format.blockBytes + offset] = UInt8(h & 0xFF); out[b * format.blockBytes + offset + 1] = UInt8(h >> 8)
            }
        }
        return out
    }

    func testRowBytesAndGGMLTypes() {
        XCTAssertEqual(WeightFormat.q4_K.rowBytes(columns: 1536), 6 * 144)
        XCTAssertEqual(WeightFormat.q5_K.rowBytes(columns: 8960), 35 * 176)
        XCTAssertEqual(WeightFormat.q6_K.rowBytes(columns: 256), 210)
        for f in kFormats {
            XCTAssertEqual(f.blockBytes, f.ggmlType.blockBytes); XCTAssertEqual(f.blockValues, f.ggmlType.blockValues)
            XCTAssertEqual(WeightFormat(ggmlType: f.ggmlType), f)
            XCTAssertEqual(WeightFormat(rawValue: f.rawValue), f)
        }
        XCTAssertEqual(WeightFormat.q4_K.rawValue, "q4_K")
    }

    func testDequantizationMatchesGGUF() throws {
        let f = try loadFixture("kquant-blocks.json", as: Fixture.self)
        for (format, c) in [(WeightFormat.q4_K, f.q4_K), (.q5_K, f.q5_K), (.q6_K, f.q6_K)] {
            let raw = bytes(hex: c.bytes_hex)
            XCTAssertEqual(raw.count, c.dequantized.count / 256 * format.blockBytes)
            var out = [Float](repeating: .nan, count: c.dequantized.count)
            raw.withUnsafeBytes { r in out.withUnsafeMutableBufferPointer {
                BlockQuantization.dequantize(r.baseAddress!, count: c.dequantized.count, format: format, into: $0.baseAddress!)
            } }
            for i in out.indices where out[i] != c.dequantized[i] {
                XCTFail("\(format) value \(i): \(out[i]) but gguf gives \(c.dequantized[i])"); break
            }
            // The prefill path's bf16 expansion (C) is the same dequantization, rounded to bf16.
            var bf = [UInt16](repeating: 0, count: out.count)
            quill_dequantize_rows_bf16(raw, Int32(format.ggmlType.rawValue), 1, Int64(out.count), &bf)
            for i in out.indices where Float(bitPattern: UInt32(bf[i]) << 16) != QuantKernelsReference.bf16Rounded(c.dequantized[i]) {
                XCTFail("\(format) bf16 value \(i)"); break
            }
        }
    }

    /// The twin (integer dots, scales per block) equals the plain float dot of dequantized weights with
    /// dequantized activations: ties the twin, and through it the C kernels, to the gguf-checked dequantization.
    func testTwinEqualsDequantizedDot() {
        let columns = 768, rows = 5
        let x = uniform(columns, seed: 21)
        let q = QuantKernelsReference.quantizeActivations(x)
        for format in kFormats {
            let raw = randomBlocks(format, rows: rows, columns: columns, seed: 4)
            raw.withUnsafeBytes { r in
                let m = WeightMatrix(rows: rows, columns: columns, format: format, bytes: r.baseAddress!, owner: nil)
                let dense = m.dequantized()
                for row in 0..<rows {
                    var want = 0.0
                    for c in 0..<columns { want += Double(dense[row * columns + c]) * Double(q.scales[c / 32]) * Double(q.values[c]) }
                    let got = QuantKernelsReference.dot(row: m.bytes + row * m.rowBytes, columns: columns, format: format,
                                                        scales: q.scales, values: q.values)
                    XCTAssertEqual(Double(got), want, accuracy: 1e-4 * max(1, abs(want)), "\(format) row \(row)")
                }
            }
        }
    }

    func testMatvecAndGemmMatchTwinOnEveryPath() {
        let rows = 37, columns = 768, tokens = 11
        let x = uniform(tokens * columns, seed: 2)
        for format in kFormats {
            let raw = randomBlocks(format, rows: rows, columns: columns, seed: 7)
            raw.withUnsafeBytes { r in
                let m = WeightMatrix(rows: rows, columns: columns, format: format, bytes: r.baseAddress!, owner: nil)
                let act = QuantizedActivations(capacityRows: tokens, columns: columns)
                x.withUnsafeBufferPointer { act.quantize($0.baseAddress!, rows: tokens, bf16: false) }
                let magnitude = magnitudes(m, x: x, tokens: tokens)
                var expected = [Float](repeating: 0, count: tokens * rows)
                for t in 0..<tokens {
                    let q = QuantKernelsReference.quantizeActivations(Array(x[(t * columns)..<((t + 1) * columns)]))
                    for row in 0..<rows {
                        expected[t * rows + row] = QuantKernelsReference.dot(row: m.bytes + row * m.rowBytes, columns: columns,
                                                                             format: format, scales: q.scales, values: q.values)
                    }
                }
                let best = quill_set_kernel_level(99)
                defer { _ = quill_set_kernel_level(99) }
                for level in 0...best {
                    XCTAssertEqual(quill_set_kernel_level(level), level)
                    for threads in [1, 2, 3] {
                        let pool = ThreadPool(threads: threads)
                        var y = [Float](repeating: .nan, count: tokens * rows)
                        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer {
                            m.matmul(x: xp.baseAddress!, xq: act, tokens: tokens, y: $0.baseAddress!, ldy: rows, pool: pool)
                        } }
                        assertClose(y, expected, magnitude: magnitude, "\(format) gemm level \(level) threads \(threads)")
                        for t in [0, 5, tokens - 1] {
                            var v = [Float](repeating: .nan, count: rows)
                            x.withUnsafeBufferPointer { xp in v.withUnsafeMutableBufferPointer {
                                m.matvec(x: xp.baseAddress! + t * columns, xq: act, xRow: t, y: $0.baseAddress!, pool: pool)
                            } }
                            assertClose(v, Array(expected[(t * rows)..<((t + 1) * rows)]), magnitude: Array(magnitude[(t * rows)..<((t + 1) * rows)]), "\(format) matvec level \(level) threads \(threads) token \(t)")
                        }
                    }
                }
            }
        }
    }

    func testBF16BatchedPathMatchesTwin() throws {
        try XCTSkipUnless(BatchedKernel.usesBF16, "this CPU has no AVX-512 BF16; the int8 GEMM test covers the batched path")
        let rows = 131, columns = 512, tokens = 70
        let x = uniform(tokens * columns, seed: 9)
        for format in kFormats {
            let raw = randomBlocks(format, rows: rows, columns: columns, seed: 8)
            raw.withUnsafeBytes { r in
                let m = WeightMatrix(rows: rows, columns: columns, format: format, bytes: r.baseAddress!, owner: nil)
                let act = QuantizedActivations(capacityRows: tokens, columns: columns)
                x.withUnsafeBufferPointer { act.quantize($0.baseAddress!, rows: tokens) }
                XCTAssertTrue(act.hasBF16Rows)
                var y = [Float](repeating: .nan, count: tokens * rows)
                x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer {
                    m.matmul(x: xp.baseAddress!, xq: act, tokens: tokens, y: $0.baseAddress!, ldy: rows, pool: ThreadPool(threads: 2))
                } }
                assertClose(y, QuantKernelsReference.gemmBF16(weights: m, x: x, tokens: tokens),
                            magnitude: magnitudes(m, x: x, tokens: tokens), "\(format) bf16 gemm")
            }
        }
    }

    /// Every value comes back within half a step of its sub-block's grid, where the step is at most the
    /// sub-block's own range over the levels plus the coarseness of the super-block's 6-bit (Q6_K: 7-bit) codes.
    func testQuantizeRoundTripErrorIsBounded() {
        var row = uniform(4096, seed: 31).map { $0 * 3 }
        for i in 256..<288 { row[i] = abs(row[i]) + 1 }        // a sub-block entirely above zero
        for i in 288..<320 { row[i] = -abs(row[i]) - 2 }       // and one entirely below
        for i in 512..<768 { row[i] = 0 }                      // a whole super-block of zeros
        row[1000] = 40                                         // an outlier
        for i in 1024..<1280 { row[i] *= 1e-3 }                // a small-valued super-block
        for format in kFormats {
            let m = row.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: 1, columns: row.count, format: format) }
            let back = m.dequantized()
            let sub = format == .q6_K ? 16 : 32, levels: Float = format == .q4_K ? 15 : 31  // Q6_K: step = max|x| / 31
            let codes: Float = format == .q6_K ? 127 : 63
            for sb in 0..<(row.count / 256) {
                let superBlock = row[(sb * 256)..<(sb * 256 + 256)]
                let superRange = superBlock.map(abs).max()! * 2
                for s in 0..<(256 / sub) {
                    let lo = sb * 256 + s * sub
                    let values = row[lo..<(lo + sub)]
                    let range = format == .q6_K ? values.map(abs).max()! : values.max()! - min(0, values.min()!)
                    let step = range / levels + 2 * superRange / (levels * codes)
                    for i in lo..<(lo + sub) {
                        XCTAssertLessThanOrEqual(abs(back[i] - row[i]), step * 0.5 + superRange * 0.001, "\(format) value \(i)")
                    }
                }
            }
            // Zeros stay exactly zero.
            XCTAssertTrue(back[512..<768].allSatisfy { $0 == 0 }, "\(format) zeros")
        }
    }

    /// Σ |w| · |x| for each (token, row) of Y [tokens, rows]: the scale of the rounding that summing in another
    /// order may cause. Random block bytes give large terms that cancel, so the result itself is no measure.
    func magnitudes(_ m: WeightMatrix, x: [Float], tokens: Int) -> [Float] {
        let dense = m.dequantized()
        var out = [Float](repeating: 0, count: tokens * m.rows)
        for t in 0..<tokens { for r in 0..<m.rows {
            var s: Float = 0
            for c in 0..<m.columns { s += abs(dense[r * m.columns + c] * x[t * m.columns + c]) }
            out[t * m.rows + r] = s
        } }
        return out
    }

    /// Float accumulation order differs between paths; the integer dots are exact. A wrong value, scale or
    /// sub-block moves a result by about one term, ~1/columns of the magnitude: thousands of times the bound.
    func assertClose(_ a: [Float], _ b: [Float], magnitude: [Float], _ what: String) {
        XCTAssertEqual(a.count, b.count)
        var worst: Float = 0
        for i in a.indices { worst = max(worst, abs(a[i] - b[i]) / max(1e-3, magnitude[i])) }
        XCTAssertLessThan(worst, 1e-5, "\(what): max difference \(worst) of the sum of |terms|")
    }
}
