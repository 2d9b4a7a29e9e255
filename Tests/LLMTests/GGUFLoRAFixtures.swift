import Foundation
import LLM

/// The GGUF bases and llama.cpp LoRA adapters that tools/fixtures/make_gguf_lora_fixtures.py made from the engine
/// fixtures, and llama.cpp's logits with each adapter applied. The bases are committed gzip-compressed.
enum GGUFLoRAFixtures {
    static let folder = EngineFixtures.folder("gguf-lora")

    static func adapter(_ name: String) -> URL { folder.appendingPathComponent(name + ".gguf") }

    struct Reference: Decodable {
        struct Adapter: Decodable {
            let base: String
            let peft_adapter: String
            let alpha: Float
            let input_ids: [Int]
            let all_logits: [[Float]]
        }
        let adapters: [String: Adapter]
    }

    static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder.appendingPathComponent("reference.json")))
    }

    private static let lock = NSLock()
    private static let scratch = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("quill-gguf-lora-\(getpid())")

    /// The base `name` (`llama-tiny`, `qwen2-tiny`) as a GGUF file, decompressed once per test process with
    /// `gzip -dc` (swift-corelibs-foundation has no gzip reader).
    static func base(_ name: String) throws -> URL {
        lock.lock(); defer { lock.unlock() }
        let file = scratch.appendingPathComponent(name + ".gguf")
        if FileManager.default.fileExists(atPath: file.path) { return file }
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let part = file.appendingPathExtension("part")
        FileManager.default.createFile(atPath: part.path, contents: nil)
        let out = try FileHandle(forWritingTo: part)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gzip.arguments = ["gzip", "-dc", folder.appendingPathComponent(name + ".gguf.gz").path]
        gzip.standardOutput = out
        try gzip.run()
        gzip.waitUntilExit()
        try out.close()
        guard gzip.terminationStatus == 0 else { throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: part.path]) }
        try FileManager.default.moveItem(at: part, to: file)
        return file
    }
}
