import XCTest
import LLM

/// The sampler keeps the same tokens with the same probabilities as transformers' logits processors,
/// and a seed reproduces a draw.
final class SamplerTests: XCTestCase {
    struct Case: Decodable { let temperature: Float; let top_k: Int; let top_p: Float; let repetition_penalty: Float; let probabilities: [String: Double] }
    struct Fixture: Decodable { let logits: [Float]; let history: [Int]; let cases: [Case] }

    func testDistributionsMatchTransformersProcessors() throws {
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: EngineFixtures.root.appendingPathComponent("sampling.json")))
        for c in f.cases {
            let sampler = Sampler(SamplingParameters(temperature: c.temperature, topK: c.top_k, topP: c.top_p, repetitionPenalty: c.repetition_penalty))
            let got = sampler.distribution(logits: f.logits, history: f.history)
            XCTAssertEqual(Set(got.map { String($0.id) }), Set(c.probabilities.keys), "kept tokens for \(c)")
            for (id, p) in got { XCTAssertEqual(p, c.probabilities[String(id)] ?? -1, accuracy: 1e-5, "token \(id) for \(c)") }
        }
    }

    /// `no_repeat_ngram_size` forbids the tokens transformers' NoRepeatNGramLogitsProcessor forbids
    /// (tools/fixtures/make_ngram_blocking_fixture.py), and only over the output when told where it starts.
    func testNgramBlockingMatchesTransformers() throws {
        struct Case: Decodable { let history: [Int]; let n: Int; let banned: [Int] }
        struct Fixture: Decodable { let vocab: Int; let cases: [Case] }
        let f = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: EngineFixtures.root.appendingPathComponent("ngram-blocking.json")))
        XCTAssertGreaterThan(f.cases.filter { !$0.banned.isEmpty }.count, 50, "the fixture must exercise blocking")
        for c in f.cases {
            let sampler = Sampler(SamplingParameters(noRepeatNgramSize: c.n))
            let logits = sampler.penalized([Float](repeating: 0, count: f.vocab), history: c.history)
            let banned = logits.indices.filter { logits[$0] == -.infinity }
            XCTAssertEqual(banned, c.banned, "history \(c.history), n \(c.n)")
        }
        // The prompt's own repeats do not count when the output starts after it: [1, 2, 1] then 2 is allowed.
        var sampler = Sampler(SamplingParameters(noRepeatNgramSize: 2))
        let logits: [Float] = [0, 0, 5, 1]
        XCTAssertEqual(sampler.next(logits: logits, history: [1, 2, 1], outputStart: 0), 3)
        XCTAssertEqual(sampler.next(logits: logits, history: [1, 2, 1], outputStart: 2), 2)
    }

    func testSeedReproducesAndDrawsFollowTheDistribution() {
        let logits: [Float] = [2, 1, 0, -1, 3]
        let params = SamplingParameters(temperature: 1, seed: 42)
        var a = Sampler(params), b = Sampler(params)
        let drawsA = (0..<20000).map { _ in a.next(logits: logits, history: []) }
        let drawsB = (0..<20000).map { _ in b.next(logits: logits, history: []) }
        XCTAssertEqual(drawsA, drawsB)
        let expected = Sampler(params).distribution(logits: logits, history: [])
        for (id, p) in expected {
            let share = Double(drawsA.filter { $0 == id }.count) / 20000
            XCTAssertEqual(share, p, accuracy: 0.015, "token \(id)")
        }
    }

    func testGreedyIsArgmaxAfterPenalty() {
        let logits: [Float] = [1.0, 3.0, 2.9, -1]
        XCTAssertEqual(Sampler(.greedy).distribution(logits: logits, history: []).first?.id, 1)
        var penalized = Sampler(SamplingParameters(repetitionPenalty: 1.1))
        XCTAssertEqual(penalized.next(logits: logits, history: [1]), 2)
    }

    func testStopStringCutsTheText() throws {
        let model = try LanguageModel.load(folder: EngineFixtures.folder("qwen2-tiny"), format: .f32)
        let session = InferenceSession(model: model, contextLength: 64, threads: 1)
        let ref = try EngineFixtures.reference("qwen2-tiny")
        // A stand-in detokenizer that spells ids, so a stop string can be placed on a known token.
        let spell: ([Int]) -> String = { $0.map { "<\($0)>" }.joined() }
        let stop = "<\(ref.greedy_ids[3])>"
        let result = try Generator.generate(session: session, prompt: ref.input_ids,
                                            options: GenerationOptions(maxNewTokens: 20, stopStrings: [stop]), detokenize: spell)
        let firstStop = ref.greedy_ids.firstIndex(of: ref.greedy_ids[3])!
        XCTAssertEqual(result.stopReason, .stopString)
        XCTAssertEqual(result.text, spell(Array(ref.greedy_ids.prefix(firstStop))))
        session.reset()
        let byId = try Generator.generate(session: session, prompt: ref.input_ids,
                                          options: GenerationOptions(maxNewTokens: 20, stopTokenIds: [ref.greedy_ids[5]]))
        XCTAssertEqual(byId.stopReason, .stopToken)
        XCTAssertEqual(byId.ids.last, ref.greedy_ids[5])
    }
}
