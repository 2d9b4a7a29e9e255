import XCTest
import LLM

/// Each bad model folder is refused with an error that names the file and the tensor or key.
final class LoadErrorTests: XCTestCase {
    func error(loading name: String) -> String {
        do {
            _ = try LanguageModel.load(folder: EngineFixtures.folder("bad/\(name)"), format: .q8_0)
            XCTFail("\(name) loaded"); return ""
        } catch { return "\(error)" }
    }

    func testUnknownArchitecture() {
        let e = error(loading: "unknown-architecture")
        XCTAssertTrue(e.contains("config.json") && e.contains("GPT2LMHeadModel") && e.contains("Qwen2ForCausalLM"), e)
    }

    func testMissingTensor() {
        let e = error(loading: "missing-tensor")
        XCTAssertTrue(e.contains("model.safetensors") && e.contains("model.layers.1.mlp.up_proj.weight") && e.contains("missing"), e)
    }

    func testWrongShape() {
        let e = error(loading: "wrong-shape")
        XCTAssertTrue(e.contains("model.layers.0.self_attn.k_proj.weight") && e.contains("[32, 16]") && e.contains("[16, 32]"), e)
    }

    func testUnsupportedDType() {
        let e = error(loading: "unsupported-dtype")
        XCTAssertTrue(e.contains("model.layers.0.self_attn.q_proj.weight") && e.contains("I32"), e)
    }

    func testTruncatedFile() {
        let e = error(loading: "truncated")
        XCTAssertTrue(e.contains("model.safetensors") && e.contains("past the end"), e)
    }

    func testAbsurdHeaderLength() {
        let e = error(loading: "absurd-header-length")
        XCTAssertTrue(e.contains("model.safetensors") && e.contains("header length"), e)
    }

    func testMissingFolder() {
        XCTAssertThrowsError(try LanguageModel.load(folder: URL(fileURLWithPath: "/nonexistent-model"), format: .f32)) {
            XCTAssertTrue("\($0)".contains("/nonexistent-model/config.json"), "\($0)")
        }
    }

    func testTokenOutsideVocabularyAndContextOverflowAreErrors() throws {
        let model = try LanguageModel.load(folder: EngineFixtures.folder("qwen2-tiny"), format: .f32)
        let session = InferenceSession(model: model, contextLength: 8, threads: 1)
        XCTAssertThrowsError(try session.forward([1, 99999])) { XCTAssertEqual($0 as? InferenceError, .tokenOutOfRange(id: 99999, vocabulary: 384)) }
        XCTAssertThrowsError(try Generator.generate(session: session, prompt: [1, 2, 3], options: GenerationOptions(maxNewTokens: 6))) {
            XCTAssertEqual($0 as? InferenceError, .contextExceeded(needed: 9, capacity: 8))
        }
    }
}
