import Foundation
import XCTest
@testable import Tokenizers

/// Where the tests find their inputs: committed fixtures beside this file, and the real tokenizer files in
/// `../shared/tokenizers` next to the repository (CI has it there too). A missing file fails the test loudly.
enum TestFiles {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let sharedTokenizers = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/tokenizers")

    static func shared(_ relative: String) throws -> URL {
        let url = sharedTokenizers.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw MissingSharedFile("missing \(url.path): the real tokenizer files must sit in ../shared/tokenizers beside the repository")
        }
        return url
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

/// A missing shared file is a failure, not a skip: the tests would otherwise pass without checking anything.
struct MissingSharedFile: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
