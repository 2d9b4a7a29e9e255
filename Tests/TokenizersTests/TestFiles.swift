import Foundation
import XCTest
import CommittedTestData
@testable import Tokenizers

/// Where the tests find their inputs: committed fixtures beside this file, and the real tokenizer files committed
/// in `Tests/Data/tokenizers` (see Tests/Data/SOURCES.md). A missing file fails the test loudly.
enum TestFiles {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// A file or model folder of the real tokenizer collection (named after the shared collection it is copied
    /// from), as a plain readable path: compressed files come back decompressed.
    static func shared(_ relative: String) throws -> URL {
        try CommittedTestData.url("tokenizers/" + relative)
    }

    static func fixture(_ name: String) throws -> Any {
        let url = fixtures.appendingPathComponent(name)
        return try JSONSerialization.jsonObject(with: try Data(contentsOf: url))
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var loaded: [String: Tokenizer] = [:]

    /// Tokenizers are large (the Llama 3 file is 17 MB); load each once per test run.
    static func tokenizer(_ relativeFolder: String) throws -> Tokenizer {
        try tokenizer(key: relativeFolder) { try Tokenizer(modelFolder: try shared(relativeFolder)) }
    }

    static func tokenizer(key: String, _ make: () throws -> Tokenizer) throws -> Tokenizer {
        lock.lock()
        defer { lock.unlock() }
        if let t = loaded[key] { return t }
        let t = try make()
        loaded[key] = t
        return t
    }
}
