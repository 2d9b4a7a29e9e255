import Foundation
import XCTest

/// An adapter `quill lm train` wrote, as PEFT reads it: tools/fixtures/make_peft_roundtrip_fixture.py trained it
/// with Quill, loaded it with `PeftModel.from_pretrained` and kept PEFT's logits. Training again with the same
/// settings gives the same adapter, and Quill's logits with it equal PEFT's to 1e-4.
final class LMTrainRoundTripTests: XCTestCase {
    let fixture = QuillProcess.repo.appendingPathComponent("Tests/LoRATrainingTests/Fixtures/peft-roundtrip")

    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) { try QuillProcess.run(args, in: QuillProcess.repo) }

    func floats(_ url: URL) throws -> [String: [Float]] {
        let data = try Data(contentsOf: url)
        let n = Int(data.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian)
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any])
        var out: [String: [Float]] = [:]
        for (name, v) in header where name != "__metadata__" {
            let offsets = try XCTUnwrap((v as? [String: Any])?["data_offsets"] as? [Int])
            let bytes = data.subdata(in: (8 + n + offsets[0])..<(8 + n + offsets[1]))
            out[name] = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
        return out
    }

    func testQuillTrainsTheCommittedAdapterAndPEFTReadsItAsQuillDoes() throws {
        let reference = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: fixture.appendingPathComponent("peft-logits.json"))) as? [String: Any])
        let args = try XCTUnwrap(reference["args"] as? [String])
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("quill-roundtrip-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let t = try run(["lm", "train", "--model", "models/demo", "--data", fixture.appendingPathComponent("train.jsonl").path,
                         "--out", out.path] + args)
        XCTAssertEqual(t.status, 0, t.err)
        let committed = try floats(fixture.appendingPathComponent("adapter/adapter_model.safetensors"))
        let retrained = try floats(out.appendingPathComponent("adapter_model.safetensors"))
        XCTAssertEqual(Set(committed.keys), Set(retrained.keys))
        XCTAssertEqual(committed.count, 6 * 2 * 2)
        // Relative L2 distance: BLAS on another kind of CPU sums in another order, and AdamW's first steps turn a
        // gradient near zero into ± the learning rate either way; a different training run is far off.
        for (name, values) in committed {
            let again = try XCTUnwrap(retrained[name])
            let diff = zip(values, again).reduce(0.0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
            let norm = values.reduce(0.0) { $0 + Double($1 * $1) }
            XCTAssertLessThan((diff / max(norm, 1e-30)).squareRoot(), 1e-3, name)
        }

        let inputs = try XCTUnwrap(reference["inputs"] as? [[Int]]), logits = try XCTUnwrap(reference["logits"] as? [[Double]])
        for (ids, expected) in zip(inputs, logits) {
            func quillLogits(_ extra: [String]) throws -> [Double] {
                let r = try run(["lm", "logits", "--model", "models/demo", "--quant", "f32", "--threads", "1", "--json",
                                 "--input-ids", ids.map(String.init).joined(separator: ",")] + extra)
                XCTAssertEqual(r.status, 0, r.err)
                return try XCTUnwrap((try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])?["logits"] as? [Double])
            }
            let adapted = try quillLogits(["--adapter", fixture.appendingPathComponent("adapter").path]), base = try quillLogits([])
            XCTAssertEqual(adapted.count, expected.count)
            XCTAssertLessThan(zip(adapted, expected).map { abs($0 - $1) }.max() ?? 1, 1e-4, "Quill and PEFT on the same adapter")
            XCTAssertGreaterThan(zip(base, expected).map { abs($0 - $1) }.max() ?? 0, 1e-2, "the adapter changes the logits")
        }
    }
}
