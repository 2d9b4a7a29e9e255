import Foundation
import Logging
import QuillApp
import QuillDaemon
import XCTest

/// A configuration the processor cannot be built from is refused at start with the key named, the value,
/// and what it may be; before anything is loaded.
final class ProcessorConfigErrorTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func config() -> QuillConfig {
        var c = QuillConfig()
        c.paths.state = NSTemporaryDirectory() + "quill-app-config-\(UUID().uuidString.prefix(8))"
        c.paths.templates = Self.repo.appendingPathComponent("templates").path
        c.model.path = Self.repo.appendingPathComponent("models/demo").path
        c.model.adapter = "none"
        return c
    }

    func message(_ config: QuillConfig) -> String {
        do {
            _ = try makeDocumentProcessor(config: config, logger: Logger(label: "quill.test"))
            return "no error"
        } catch { return "\(error)" }
    }

    func testAQuantizationNameOutsideGGMLsIsRefusedNamingTheKeyAndTheNames() {
        for name in ["q8", "q4", "Q8_0", "int8", ""] {
            var c = config()
            c.model.quantization = name
            let m = message(c)
            XCTAssertTrue(m.contains("model.quantization"), m)
            XCTAssertTrue(m.contains("\"\(name)\""), m)
            XCTAssertTrue(m.contains("f32, q8_0, q4_0"), m)
        }
    }

    func testAMissingModelPathIsRefusedNamingTheKey() {
        // No model named means the default model; where `make models` has not fetched it, the error says so.
        var unset = config()
        unset.model.path = ""
        let defaultModel = Self.repo.appendingPathComponent("models/default.gguf").path
        if !FileManager.default.fileExists(atPath: defaultModel) {
            let m = message(unset)
            XCTAssertTrue(m.contains("default model is missing") && m.contains("make models") && m.contains("--model"), m)
        }
        var absent = config()
        absent.model.path = "/nonexistent/model-\(UUID().uuidString)"
        let m = message(absent)
        XCTAssertTrue(m.contains("model.path") && m.contains(absent.model.path) && m.contains("does not exist"), m)
    }

    func testAnUnknownTaskIsRefusedNamingTheKey() {
        var c = config()
        c.tasks.dialogue = "progress_note"
        let m = message(c)
        XCTAssertTrue(m.contains("tasks.dialogue") && m.contains("discharge_summary, soap_note"), m)
    }

    func testEveryGGMLNameTheEngineKnowsIsAccepted() throws {
        for name in ["f32", "q8_0", "q4_0"] {
            var c = config()
            c.model.quantization = name
            XCTAssertEqual(message(c), "no error", name)
        }
    }
}
