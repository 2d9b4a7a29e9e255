import Foundation
@testable import QuillApp
import QuillDaemon
import XCTest

/// `model.adapter` names a PEFT folder or a llama.cpp `.gguf` adapter file the same ways.
final class AdapterSelectionTests: XCTestCase {
    func config(_ adapter: String) -> QuillConfig {
        var c = QuillConfig()
        c.paths.state = NSTemporaryDirectory() + "quill-adapter-selection-\(UUID().uuidString.prefix(8))"
        c.model.adapter = adapter
        return c
    }

    func testAVersionOrPathSelectsAFolderOrAGGUFFile() throws {
        var c = config("v3")
        XCTAssertEqual(try AdapterSelection.path(config: c), c.stateRoot + "/adapters/v3")
        c.model.adapter = "v3.gguf"
        XCTAssertEqual(try AdapterSelection.path(config: c), c.stateRoot + "/adapters/v3.gguf")
        c.model.adapter = "/srv/adapters/clinic.gguf"
        XCTAssertEqual(try AdapterSelection.path(config: c), "/srv/adapters/clinic.gguf")
        c.model.adapter = "none"
        XCTAssertNil(try AdapterSelection.path(config: c))
    }

    func testActiveNamesAGGUFFile() throws {
        let c = config("active")
        try FileManager.default.createDirectory(atPath: c.stateRoot + "/adapters", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: c.stateRoot) }
        XCTAssertNil(try AdapterSelection.path(config: c), "no adapters/active: no adapter")
        try "v4.gguf\n".write(toFile: c.stateRoot + "/adapters/active", atomically: true, encoding: .utf8)
        XCTAssertEqual(try AdapterSelection.path(config: c), c.stateRoot + "/adapters/v4.gguf")
    }

    /// With the default model, "active" and no active version give the adapter shipped with it; an activated
    /// version and "none" win over it.
    func testTheShippedAdapterStandsInUntilAVersionIsActive() throws {
        let shipped = "/models/adapters/shipped"
        let c = config("active")
        XCTAssertEqual(try AdapterSelection.path(config: c, shipped: shipped), shipped)
        XCTAssertNil(try AdapterSelection.path(config: c))
        try FileManager.default.createDirectory(atPath: c.stateRoot + "/adapters", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: c.stateRoot) }
        try "v2\n".write(toFile: c.stateRoot + "/adapters/active", atomically: true, encoding: .utf8)
        XCTAssertEqual(try AdapterSelection.path(config: c, shipped: shipped), c.stateRoot + "/adapters/v2")
        XCTAssertNil(try AdapterSelection.path(config: config("none"), shipped: shipped))
    }
}
