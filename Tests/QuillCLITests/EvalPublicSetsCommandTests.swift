import Foundation
import XCTest

/// `quill eval --set`: the command's JSON report (a contract for `make eval` and scripts) and its outputs file,
/// on the demo model; and the refusals of arguments that do not go together.
final class EvalPublicSetsCommandTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    var quill: URL {
        let bundle = Bundle(for: EvalPublicSetsCommandTests.self).bundleURL
        let beside = bundle.appendingPathComponent("quill")
        return FileManager.default.isExecutableFile(atPath: beside.path) ? beside : bundle.deletingLastPathComponent().appendingPathComponent("quill")
    }

    func quill(_ arguments: [String]) throws -> (status: Int32, out: Data, err: String) {
        let p = Process()
        p.executableURL = quill
        p.currentDirectoryURL = Self.repo
        p.arguments = arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, o, String(decoding: e, as: UTF8.self))
    }

    func testOneDocumentOfAReferencedAndAnUnreferencedSet() throws {
        let written = FileManager.default.temporaryDirectory.appendingPathComponent("public-sets-\(UUID().uuidString).jsonl")
        defer { try? FileManager.default.removeItem(at: written) }
        let r = try quill(["eval", "--set", "mts-dialog-test1", "--set", "hl7", "--limit", "1", "--model", "models/demo",
                           "--threads", "2", "--json", "--write-outputs", written.path])
        XCTAssertEqual(r.status, 0, r.err)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: r.out) as? [String: Any])
        XCTAssertTrue((report["source"] as? String)?.hasPrefix("quill demo q8_0") == true, "\(report["source"] ?? "")")
        let sets = try XCTUnwrap(report["sets"] as? [[String: Any]])
        XCTAssertEqual(sets.map { $0["set"] as? String }, ["mts-dialog-test1", "hl7"])
        XCTAssertEqual(sets.map { $0["documents"] as? Int }, [1, 1])
        XCTAssertNotNil((sets[0]["rouge"] as? [String: Any])?["rougeL_f1"] as? Double)
        XCTAssertTrue(sets[1]["rouge"] is NSNull, "the HL7 v2 samples have no references")
        XCTAssertNotNil(sets[1]["review_rate"] as? Double)

        let lines = try String(contentsOf: written, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        let first = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        XCTAssertEqual(first["set"] as? String, "mts-dialog-test1")
        XCTAssertTrue((first["output"] as? String)?.hasPrefix("SOAP note\n") == true)
        XCTAssertNotNil(first["reference"] as? String)
        XCTAssertNotNil((first["scores"] as? [String: Any])?["rouge1_f1"] as? Double)
    }

    func testArgumentsThatDoNotGoTogetherAreRefused() throws {
        let mixed = try quill(["eval", "--set", "aci-bench-valid", "--task", "soap"])
        XCTAssertNotEqual(mixed.status, 0)
        XCTAssertTrue(mixed.err.contains("--set runs the model on public sets"), mixed.err)
        let unknown = try quill(["eval", "--set", "aci-bench-train"])
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.err.contains("aci-bench-valid"), "the refusal lists the sets: \(unknown.err)")
    }
}
