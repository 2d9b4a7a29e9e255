import CommittedTestData
import Foundation
import LLM
import XCTest

/// Quill against llama.cpp on the three real files of `make models`: the same choice of next token on 2048 tokens
/// of real clinical dialogues, and the same greedy continuations, except where llama.cpp itself saw a near tie.
/// The reference is made by tools/fixtures/make_real_model_agreement.py (Tests/Data/real-models). Skipped, saying
/// so, without the files.
///
/// Why near ties at all: Quill and llama.cpp read the same weights but round activations differently (llama.cpp
/// to 8 bits per block of 32 for every quantized type; Quill to bf16 in the batch and to 8 bits per block for one
/// token), so their logits differ by a few tenths; where llama.cpp's two best tokens are closer than that, either
/// choice is right. Measured against an exact f32 product of the same dequantized weights (docs/MODELS.md,
/// "Agreement with llama.cpp"), Quill's logits are the closer of the two. A wrong kernel moves logits by whole
/// units and makes confident disagreements, which the near-tie check fails.
final class GGUFRealModelAgreementTests: XCTestCase {
    /// A step counts as a near tie when llama.cpp's best and second-best logits are closer than this. Measured:
    /// where Quill and llama.cpp disagree on these files, llama.cpp's margin is at most 0.31 (SmolLM2), 0.17 and 0.28
    /// (the Qwen files); a wrong kernel moves logits by whole units and fails far beyond it.
    static let nearTie: Float = 0.5
    /// Top-1 agreement measured when the reference was made (2048 positions each), rounded down to three places:
    /// a regression in the rounding shows as a drop. The aim of 99% is not reached (docs/MODELS.md).
    static let agreementFloor: [String: Double] = [
        "smollm2-135m-instruct-q4_1": 0.964, "qwen2.5-coder-0.5b-instruct": 0.983, "qwen2.5-coder-1.5b-instruct-q4_k_m": 0.977,
    ]

    struct Greedy: Decodable { let prompt: String; let prompt_ids: [Int]; let ids: [Int]; let margins: [Float] }
    struct Reference: Decodable { let model: String; let ids: [Int]; let top1: [Int]; let top1_margin: [Float]; let greedy: [Greedy] }

    func check(_ name: String) throws {
        let url = GGUFRealModelTests.models.appendingPathComponent(name + ".gguf")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw XCTSkip("\(url.path) is absent: run `make models` to fetch the real GGUF models")
        }
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: CommittedTestData.url("real-models/\(name).json")))
        let model = try LanguageModel.load(folder: url, format: .q8_0)
        let V = model.config.vocabulary
        let session = InferenceSession(model: model, contextLength: ref.ids.count + 8, threads: 2)

        // Top-1 over the whole text, in chunks so that only a chunk's logits are held at once.
        var agree = 0, worstDisagreementMargin: Float = 0
        // QUILL_AGREEMENT_CHUNK=1 takes the one-token path instead of the batch (SmolLM2: 96.39% against 96.44%).
        let chunk = Int(ProcessInfo.processInfo.environment["QUILL_AGREEMENT_CHUNK"] ?? "") ?? 256
        for start in stride(from: 0, to: ref.ids.count, by: chunk) {
            let ids = Array(ref.ids[start..<min(ref.ids.count, start + chunk)])
            let logits = try session.forward(ids, allLogits: true)
            for t in 0..<ids.count {
                let best = Self.argmax(logits, from: t * V, count: V)
                if best == ref.top1[start + t] { agree += 1 } else {
                    worstDisagreementMargin = max(worstDisagreementMargin, ref.top1_margin[start + t])
                }
            }
        }
        let rate = Double(agree) / Double(ref.ids.count)
        print("\(name): top-1 agreement with llama.cpp \(agree)/\(ref.ids.count) = \(rate); largest llama.cpp margin where they differ: \(worstDisagreementMargin)")
        XCTAssertGreaterThanOrEqual(rate, Self.agreementFloor[name]! - 0.5 / Double(ref.ids.count), name)
        XCTAssertLessThan(worstDisagreementMargin, Self.nearTie, "\(name): Quill and llama.cpp disagree where llama.cpp saw no tie")

        // Greedy continuations: identical, or the first differing step is a near tie in llama.cpp's own logits.
        for g in ref.greedy {
            session.reset()
            var logits = try session.forward(g.prompt_ids)
            var ours: [Int] = []
            for _ in 0..<g.ids.count {
                let next = Self.argmax(logits, from: 0, count: V)
                ours.append(next)
                logits = try session.forward([next])
            }
            if let step = g.ids.indices.first(where: { ours[$0] != g.ids[$0] }) {
                print("\(name) \"\(g.prompt.prefix(30))…\": same for \(step) of \(g.ids.count) steps; llama.cpp's margin there \(g.margins[step])")
                XCTAssertLessThan(g.margins[step], Self.nearTie, "\(name): greedy continuation of \"\(g.prompt)\" differs at step \(step), where llama.cpp saw no tie")
            } else {
                print("\(name) \"\(g.prompt.prefix(30))…\": identical for all \(g.ids.count) steps")
            }
        }
    }

    /// The index of the largest of `count` values from `from`, the lowest index on a tie (as dump_logits).
    static func argmax(_ values: [Float], from: Int, count: Int) -> Int {
        values.withUnsafeBufferPointer { p in
            var best = 0
            for i in 1..<count where p[from + i] > p[from + best] { best = i }
            return best
        }
    }

    func testSmolLM2Q4_1() throws { try check("smollm2-135m-instruct-q4_1") }
    func testQwen25Coder05B() throws { try check("qwen2.5-coder-0.5b-instruct") }
    func testQwen25Coder15BQ4KM() throws { try check("qwen2.5-coder-1.5b-instruct-q4_k_m") }
}
