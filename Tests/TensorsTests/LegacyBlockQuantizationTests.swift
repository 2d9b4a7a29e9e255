import XCTest
import Tensors

/// Q4_1, Q5_0, Q5_1, F16 and BF16 against the gguf package (llama.cpp's reference quantizers in numpy):
/// the bytes Quill writes for a row must be gguf's, and dequantizing any block, including random bit
/// patterns no quantizer writes, must give gguf's values bit for bit.
final class LegacyBlockQuantizationTests: XCTestCase {
    struct Case: Decodable {
        let bytes_hex: String, dequantized: [Float], random_hex: String, random_dequantized: [Float]
    }
    struct Fixture: Decodable { let row: [Float]; let q4_1: Case; let q5_0: Case; let q5_1: Case; let f16: Case; let bf16: Case }

    static let formats: [WeightFormat] = [.q4_1, .q5_0, .q5_1, .f16, .bf16]

    func fixtureCase(_ f: Fixture, _ format: WeightFormat) -> Case {
        switch format {
        case .q4_1: return f.q4_1
        case .q5_0: return f.q5_0
        case .q5_1: return f.q5_1
        case .f16: return f.f16
        default: return f.bf16
        }
    }

    func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }
    func bytes(_ hex: String) -> [UInt8] {
        let chars = Array(hex.utf8)
        return stride(from: 0, to: chars.count, by: 2).map { UInt8(String(decoding: chars[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
    }

    func dequantize(_ bytes: [UInt8], count: Int, _ format: WeightFormat) -> [Float] {
        var out = [Float](repeating: .nan, count: count)
        bytes.withUnsafeBytes { b in
            out.withUnsafeMutableBufferPointer { BlockQuantization.dequantize(b.baseAddress!, count: count, format: format, into: $0.baseAddress!) }
        }
        return out
    }

    func testQuantizedBytesEqualGGUFs() throws {
        let f = try loadFixture("legacy-quant-blocks.json", as: Fixture.self)
        for format in Self.formats {
            var out = [UInt8](repeating: 0, count: format.rowBytes(columns: f.row.count))
            f.row.withUnsafeBufferPointer { r in
                out.withUnsafeMutableBytes { BlockQuantization.quantize(r.baseAddress!, count: f.row.count, format: format, into: $0.baseAddress!) }
            }
            let expected = fixtureCase(f, format).bytes_hex
            XCTAssertEqual(hex(out), expected, "\(format) bytes differ from gguf's")
            // Name the first differing block, so a failure says where.
            if hex(out) != expected {
                let want = bytes(expected), block = format.blockBytes * (format.blockValues == 1 ? 32 : 1)
                if let i = out.indices.first(where: { out[$0] != want[$0] }) { XCTFail("\(format): first difference at byte \(i), block \(i / block)") }
            }
        }
    }

    func testDequantizationEqualsGGUFs() throws {
        let f = try loadFixture("legacy-quant-blocks.json", as: Fixture.self)
        for format in Self.formats {
            let c = fixtureCase(f, format)
            XCTAssertEqual(dequantize(bytes(c.bytes_hex), count: f.row.count, format), c.dequantized, "\(format) quantized row")
            let random = bytes(c.random_hex)
            let count = random.count / format.blockBytes * format.blockValues
            XCTAssertEqual(count, c.random_dequantized.count)
            let got = dequantize(random, count: count, format)
            for i in 0..<count where got[i] != c.random_dequantized[i] {
                XCTFail("\(format) random blocks: value \(i) (block \(i / 32)) is \(got[i]), gguf says \(c.random_dequantized[i])")
                break
            }
        }
    }

    /// Round trip on random rows: within half a step of each block's range (plus fp16 rounding of d and m).
    func testRoundTripErrorIsWithinHalfAStep() {
        var rng = SystemRandomNumberGenerator()
        let row = (0..<1024).map { _ in Float.random(in: -3...3, using: &rng) }
        for format in [WeightFormat.q4_1, .q5_0, .q5_1] {
            let m = row.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: 1, columns: row.count, format: format) }
            let back = m.dequantized()
            for b in 0..<(row.count / 32) {
                let block = row[(b * 32)..<(b * 32 + 32)]
                let lo = block.min()!, hi = block.max()!, amax = block.map(abs).max()!
                // Q5_0 maps the largest magnitude to −16, so the opposite end (+16) clamps to 15: a whole step there.
                let step = format == .q4_1 ? (hi - lo) / 15 : format == .q5_1 ? (hi - lo) / 31 : amax / 16
                let allowed = step * (format == .q5_0 ? 1.0 : 0.5) + amax * 0.002
                for j in b * 32..<(b * 32 + 32) {
                    XCTAssertLessThanOrEqual(abs(back[j] - row[j]), allowed, "\(format) value \(j)")
                }
            }
        }
    }

    func testHalfFormatsRoundTripTheirOwnValues() {
        let row: [Float] = [0, -0, 1, -2.5, 65504, 6.1035156e-05, 5.9604645e-08, 0.333251953125]
        let m = row.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: 1, columns: row.count, format: .f16) }
        XCTAssertEqual(m.dequantized(), row)
        let bf: [Float] = [0, -1, 3.3895314e38, 1.0078125, -9.18355e-41]
        let mb = bf.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: 1, columns: bf.count, format: .bf16) }
        XCTAssertEqual(mb.dequantized(), bf)
    }

    func testGGUFTypeMapping() {
        XCTAssertEqual(WeightFormat(ggmlType: .q4_1), .q4_1)
        XCTAssertEqual(WeightFormat(ggmlType: .q5_0), .q5_0)
        XCTAssertEqual(WeightFormat(ggmlType: .q5_1), .q5_1)
        XCTAssertEqual(WeightFormat(ggmlType: .f16), .f16)
        XCTAssertEqual(WeightFormat(ggmlType: .bf16), .bf16)
        XCTAssertEqual(WeightFormat(rawValue: "q5_0"), .q5_0)
        XCTAssertEqual([WeightFormat.q4_1, .q5_0, .q5_1, .f16, .bf16].map { $0.rowBytes(columns: 64) }, [40, 44, 48, 128, 128])
    }
}
