import Foundation
import XCTest
import LLM

/// The tiny models and references that tools/fixtures/make_engine_fixtures.py made with transformers and PEFT.
enum EngineFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func folder(_ name: String) -> URL { root.appendingPathComponent(name) }

    struct GreedyCase: Decodable { let input_ids: [Int]; let greedy_ids: [Int] }
    struct Reference: Decodable {
        let input_ids: [Int]
        let last_logits: [Float]
        let all_logits: [[Float]]
        let greedy_ids: [Int]
        let greedy_from_one: GreedyCase
        let greedy_min_margin: Float
        let merged: Merged?
        struct Merged: Decodable { let last_logits: [Float]?; let greedy_ids: [Int]? }
    }

    static func reference(_ name: String) throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder(name).appendingPathComponent("reference.json")))
    }
}

func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "lengths \(a.count) and \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Greedy continuation through the KV cache, token by token, as transformers' reference did.
func greedy(_ session: InferenceSession, prompt: [Int], count: Int) throws -> [Int] {
    session.reset()
    let result = try Generator.generate(session: session, prompt: prompt, options: GenerationOptions(maxNewTokens: count))
    return result.ids
}
