import XCTest
import LLM

/// The engine in f32 against transformers: logits within 1e-4 (max abs) and identical greedy tokens,
/// for Qwen2 (BF16 file, bias, untied head, 4.x config), Qwen2 (F32 file, tied) and Llama
/// (F16 shards, GQA 4, llama3 rope scaling, tied, 5.x config).
final class ReferenceLogitsTests: XCTestCase {
    func check(_ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let ref = try EngineFixtures.reference(name)
        let model = try LanguageModel.load(folder: EngineFixtures.folder(name), format: .f32)
        let session = InferenceSession(model: model, contextLength: 64, threads: 2)

        let last = try session.forward(ref.input_ids)
        let d = maxAbsDifference(last, ref.last_logits)
        print("\(name) f32 last-position logits: max abs difference \(d)")
        XCTAssertLessThan(d, 1e-4, "\(name): last logits", file: file, line: line)

        // Every position, in one batch.
        session.reset()
        let all = try session.forward(ref.input_ids, allLogits: true)
        XCTAssertLessThan(maxAbsDifference(all, ref.all_logits.flatMap { $0 }), 1e-4, "\(name): all logits", file: file, line: line)

        XCTAssertEqual(try greedy(session, prompt: ref.input_ids, count: ref.greedy_ids.count), ref.greedy_ids, "\(name): greedy", file: file, line: line)
        XCTAssertEqual(try greedy(session, prompt: ref.greedy_from_one.input_ids, count: ref.greedy_from_one.greedy_ids.count),
                       ref.greedy_from_one.greedy_ids, "\(name): greedy from one token", file: file, line: line)
    }

    func testQwen2BF16MatchesTransformers() throws { try check("qwen2-tiny") }
    func testQwen2F32TiedMatchesTransformers() throws { try check("qwen2-tiny-f32") }
    func testLlamaShardedF16Llama3RopeMatchesTransformers() throws { try check("llama-tiny") }

    /// Feeding tokens one at a time through the cache gives the batch's logits at every position.
    func testKVCacheIncrementalEqualsBatch() throws {
        let ref = try EngineFixtures.reference("llama-tiny")
        let model = try LanguageModel.load(folder: EngineFixtures.folder("llama-tiny"), format: .f32)
        let session = InferenceSession(model: model, contextLength: 64, threads: 1)
        let batch = try session.forward(ref.input_ids, allLogits: true)
        session.reset()
        let V = model.config.vocabulary
        for (t, id) in ref.input_ids.enumerated() {
            let step = try session.forward([id])
            XCTAssertLessThan(maxAbsDifference(step, Array(batch[(t * V)..<((t + 1) * V)])), 1e-5, "position \(t)")
        }
    }

    /// A context, or a batch capacity, smaller than the group of query heads that share a kv head (4 here): the
    /// one-token path writes the whole group's scores at once, which once overran the score buffer (sized batch ×
    /// context) and corrupted the heap (valgrind showed the write inside sgemm); `make sanitize` runs this test
    /// under AddressSanitizer, which reports such an overrun.
    func testContextAndBatchSmallerThanTheHeadGroup() throws {
        let ref = try EngineFixtures.reference("llama-tiny")
        let model = try LanguageModel.load(folder: EngineFixtures.folder("llama-tiny"), format: .f32)
        XCTAssertGreaterThan(model.config.heads / model.config.kvHeads, 1)
        let one = InferenceSession(model: model, contextLength: 1, threads: 2)
        XCTAssertLessThan(maxAbsDifference(try one.forward([ref.input_ids[0]]), ref.all_logits[0]), 1e-4)
        let narrow = InferenceSession(model: model, contextLength: 64, threads: 2, batchCapacity: 1)
        XCTAssertLessThan(maxAbsDifference(try narrow.forward(ref.input_ids), ref.last_logits), 1e-4)
    }

    /// A batch capacity smaller than the prompt splits prefill into chunks without changing the result.
    func testChunkedPrefillEqualsOneBatch() throws {
        let ref = try EngineFixtures.reference("qwen2-tiny")
        let model = try LanguageModel.load(folder: EngineFixtures.folder("qwen2-tiny"), format: .f32)
        let chunked = InferenceSession(model: model, contextLength: 64, threads: 2, batchCapacity: 4)
        XCTAssertLessThan(maxAbsDifference(try chunked.forward(ref.input_ids), ref.last_logits), 1e-4)
    }
}
