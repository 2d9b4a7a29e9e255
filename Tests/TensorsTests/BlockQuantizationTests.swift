import XCTest
import Tensors

/// Quantized bytes must equal llama.cpp's (via the gguf package's reference quantizers), and
/// dequantizing them must give back gguf's values, so GGUF files and our own load-time quantization agree.
final class BlockQuantizationTests: XCTestCase {
    struct Case: Decodable { let bytes_hex: String; let dequantized: [Float] }
    struct Fixture: Decodable { let row: [Float]; let q8: Case; let q4: Case }

    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    func check(_ format: WeightFormat, _ expected: Case, row: [Float]) {
        let byteCount = format.rowBytes(columns: row.count)
        var bytes = [UInt8](repeating: 0, count: byteCount)
        row.withUnsafeBufferPointer { r in
            bytes.withUnsafeMutableBytes { BlockQuantization.quantize(r.baseAddress!, count: row.count, format: format, into: $0.baseAddress!) }
        }
        XCTAssertEqual(hex(bytes), expected.bytes_hex, "\(format) bytes differ from gguf's")
        var back = [Float](repeating: 0, count: row.count)
        bytes.withUnsafeBytes { b in
            back.withUnsafeMutableBufferPointer { BlockQuantization.dequantize(b.baseAddress!, count: row.count, format: format, into: $0.baseAddress!) }
        }
        XCTAssertEqual(back, expected.dequantized, "\(format) dequantization differs from gguf's")
    }

    func testQ8_0MatchesGGUFReference() throws {
        let f = try loadFixture("quant-blocks.json", as: Fixture.self)
        check(.q8_0, f.q8, row: f.row)
    }

    func testQ4_0MatchesGGUFReference() throws {
        let f = try loadFixture("quant-blocks.json", as: Fixture.self)
        check(.q4_0, f.q4, row: f.row)
    }

    /// Round trip: every value comes back within half a quantization step of its block; for Q4_0 the end of
    /// the range opposite the largest magnitude is clamped (the scale maps that value to -8, so +8 becomes 7),
    /// which costs up to one whole step there.
    func testRoundTripErrorIsWithinHalfAStep() {
        var rng = SystemRandomNumberGenerator()
        let row = (0..<1024).map { _ in Float.random(in: -3...3, using: &rng) }
        for format in [WeightFormat.q8_0, .q4_0] {
            let m = row.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: 1, columns: row.count, format: format) }
            let back = m.dequantized()
            for b in 0..<(row.count / 32) {
                let block = row[(b * 32)..<(b * 32 + 32)]
                let amax = block.map(abs).max()!
                let step = format == .q8_0 ? amax / 127 : amax / 8
                for j in b * 32..<(b * 32 + 32) {
                    // fp16 rounding of the scale adds up to 2^-11 relative error on top of half a step.
                    XCTAssertLessThanOrEqual(abs(back[j] - row[j]), step * (format == .q8_0 ? 0.5 : 1.0) + amax * 0.002, "\(format) value \(j)")
                }
            }
        }
    }

    func testF16ConversionRoundTripsEveryHalf() {
        for bits in UInt16.min...UInt16.max {
            let f = Float(Float16(bitPattern: bits))
            if f.isNaN { continue }
            XCTAssertEqual(Tensors.f16ToF32(bits), f)
            XCTAssertEqual(Tensors.f32ToF16(f), bits, "half \(bits)")
        }
    }
}
