import XCTest
import LLM

/// q4 against an f32 run of the same q4 weights, dequantized: what is left is only the kernels' own arithmetic
/// (int8 activations per 32-value block on the mat-vec path, bf16 or int8 activations on the batched path), so the
/// tolerance is tight, and a kernel that reads a nibble or a scale wrongly fails it. The comparison with
/// transformers' fp32 logits (`QuantizedModelTests`) cannot show that: q4 rounding of these random tiny models
/// already moves logits by up to 1.8.
final class QuantizedKernelExactnessTests: XCTestCase {
    /// Measured max abs differences on the three fixture models (2026-12-02): batched 0.039–0.046 (every position
    /// of one forward), token by token 0.078–0.136 (int8 activations on the mat-vec path round more). The
    /// tolerances are 1.5x the largest. For scale: these logits span about ±3, and q4 against transformers' f32
    /// logits differs by up to 1.8.
    static let tolerance = (batched: Float(0.07), stepwise: Float(0.2))

    func testQ4KernelsMatchTheirOwnDequantizedWeights() throws {
        for name in ["qwen2-tiny", "qwen2-tiny-f32", "llama-tiny"] {
            let ref = try EngineFixtures.reference(name)
            let q4 = try LanguageModel.load(folder: EngineFixtures.folder(name), format: .q4_0)
            let d = try Self.maxDifference(q4, q4.dequantizedTwin(), ids: ref.input_ids)
            print("\(name) q4 against its dequantized f32 twin: batched \(d.batched), token by token \(d.stepwise)")
            XCTAssertLessThan(d.batched, Self.tolerance.batched, name)
            XCTAssertLessThan(d.stepwise, Self.tolerance.stepwise, name)
        }
    }

    /// A copy of the q4 weights with one defect of the kind a kernel bug makes, run against the f32 twin of the
    /// intact weights: each must break the tolerance, or the tolerance could not catch such a bug.
    func testACorruptedNibbleOrScaleBreaksTheTolerance() throws {
        let ref = try EngineFixtures.reference("qwen2-tiny")
        let q4 = try LanguageModel.load(folder: EngineFixtures.folder("qwen2-tiny"), format: .q4_0)
        let twin = q4.dequantizedTwin()
        let defects: [(String, Projection, (UnsafeMutableRawPointer, WeightMatrix) -> Void)] = [
            // The two nibbles of each byte swapped in one row: values j and j+16 of every block trade places.
            ("nibbles swapped in row 0 of layer 0's gate", .gate, { bytes, w in
                for i in 0..<w.rowBytes where i % 18 >= 2 {
                    let b = bytes.load(fromByteOffset: i, as: UInt8.self)
                    bytes.storeBytes(of: (b << 4) | (b >> 4), toByteOffset: i, as: UInt8.self)
                }
            }),
            // One nibble's top bit flipped: a single weight off by 8 steps of its block's scale.
            ("one nibble flipped in layer 0's down", .down, { bytes, _ in
                let b = bytes.load(fromByteOffset: 2, as: UInt8.self)
                bytes.storeBytes(of: b ^ 0x08, toByteOffset: 2, as: UInt8.self)
            }),
            // One block's scale doubled (f16 exponent + 1): 32 weights twice their size.
            ("one scale doubled in layer 0's o", .o, { bytes, _ in
                let s = bytes.load(fromByteOffset: 0, as: UInt16.self)
                bytes.storeBytes(of: s &+ 0x0400, toByteOffset: 0, as: UInt16.self)
            }),
        ]
        for (what, projection, edit) in defects {
            let broken = q4.withLayer0(projection, editedBy: edit)
            let d = try Self.maxDifference(broken, twin, ids: ref.input_ids)
            print("\(what): batched \(d.batched), token by token \(d.stepwise)")
            // Measured: nibbles swapped 0.54 / 0.53, one nibble 0.115 / 0.137, one scale doubled 0.46 / 0.52.
            XCTAssertTrue(d.batched > Self.tolerance.batched || d.stepwise > Self.tolerance.stepwise, what)
        }
    }

    /// Largest difference over every position's logits (one batched forward) and over each step's logits (one
    /// token at a time, the mat-vec kernels).
    static func maxDifference(_ a: LanguageModel, _ b: LanguageModel, ids: [Int]) throws -> (batched: Float, stepwise: Float) {
        let sa = InferenceSession(model: a, contextLength: 64, threads: 2)
        let sb = InferenceSession(model: b, contextLength: 64, threads: 2)
        let batched = maxAbsDifference(try sa.forward(ids, allLogits: true), try sb.forward(ids, allLogits: true))
        sa.reset(); sb.reset()
        var stepwise: Float = 0
        for id in ids { stepwise = max(stepwise, maxAbsDifference(try sa.forward([id]), try sb.forward([id]))) }
        return (batched, stepwise)
    }
}

extension LanguageModel {
    /// The same model with every matrix dequantized to f32: the weights the quantized kernels should be computing with.
    func dequantizedTwin() -> LanguageModel {
        func dense(_ w: WeightMatrix) -> WeightMatrix {
            w.dequantized().withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: w.rows, columns: w.columns, format: .f32) }
        }
        let embedding = dense(self.embedding)
        let head = lmHead === self.embedding ? embedding : dense(lmHead)
        let layers = self.layers.map { l in
            l.replacing(Dictionary(uniqueKeysWithValues: Projection.allCases.map { ($0, dense(l.matrix($0))) }))
        }
        return LanguageModel(folder: folder, config: config, architecture: architecture, format: .f32, embedding: embedding,
                             layers: layers, finalNorm: finalNorm, lmHead: head)
    }

    /// A copy whose layer-0 `projection` holds a copy of its bytes changed by `edit`.
    func withLayer0(_ projection: Projection, editedBy edit: (UnsafeMutableRawPointer, WeightMatrix) -> Void) -> LanguageModel {
        let w = layers[0].matrix(projection)
        let copy = OwnedBytes(copying: w.bytes, count: w.byteCount)
        edit(copy.pointer, w)
        let edited = WeightMatrix(rows: w.rows, columns: w.columns, format: w.format, bytes: UnsafeRawPointer(copy.pointer), owner: copy)
        return LanguageModel(folder: folder, config: config, architecture: architecture, format: format, embedding: embedding,
                             layers: [layers[0].replacing([projection: edited])] + layers.dropFirst(), finalNorm: finalNorm, lmHead: lmHead)
    }
}

/// Bytes a test owns and may change, kept alive by the matrix that reads them.
final class OwnedBytes {
    let pointer: UnsafeMutableRawPointer
    init(copying source: UnsafeRawPointer, count: Int) {
        pointer = .allocate(byteCount: max(1, count), alignment: 64)
        pointer.copyMemory(from: source, byteCount: count)
    }
    deinit { pointer.deallocate() }
}
