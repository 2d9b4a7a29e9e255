import Foundation
import QuillPipeline
import XCTest

/// Kept reasoning goes to a purgeable 0600 file; the audit gets its hash and size only.
final class ReasoningFileTests: XCTestCase {
    func testReasoningIsWrittenPrivatelyAndOnlyItsHashGoesToTheAudit() throws {
        let folder = NSTemporaryDirectory() + "quill-reasoning-\(UUID().uuidString)/reasoning"
        defer { try? FileManager.default.removeItem(atPath: (folder as NSString).deletingLastPathComponent) }
        let reasoning = "The patient SMITH_MRN123456 was admitted with chest pain; list the troponins first."
        let facts = try ReasoningFile.keep(reasoning, folder: folder, stem: "note")
        // The digest from Python's hashlib.
        XCTAssertEqual(facts, ["reasoning_sha256": "0171b4c20508a950df1438d24b933cccc2738b9aa5c14eadb718e6e1dd949e70", "reasoning_bytes": "\(reasoning.utf8.count)"])
        XCTAssertFalse(facts.values.joined().contains("MRN123456"))
        let path = folder + "/note.reasoning.txt"
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), reasoning)
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o600)
        // A second attempt at the same document replaces the file and leaves no temporary behind.
        _ = try ReasoningFile.keep("shorter", folder: folder, stem: "note")
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "shorter")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["note.reasoning.txt"])
    }
}
