import Foundation
import XCTest

/// `quill eval --handwritten` runs a model through the pipeline on the hand-written set and reports, per document,
/// what a reviewer would see; the totals must agree with the per-document detail.
final class EvalHandwrittenCommandTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    var quill: URL {
        let bundle = Bundle(for: EvalHandwrittenCommandTests.self).bundleURL
        let beside = bundle.appendingPathComponent("quill")
        return FileManager.default.isExecutableFile(atPath: beside.path) ? beside : bundle.deletingLastPathComponent().appendingPathComponent("quill")
    }

    func testDemoModelOnTheHandwrittenSet() throws {
        let p = Process()
        p.executableURL = quill
        p.currentDirectoryURL = Self.repo
        p.arguments = ["eval", "--handwritten", "eval/handwritten", "--model", "models/demo", "--threads", "2", "--json"]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, String(decoding: e, as: UTF8.self))
        let r = try XCTUnwrap(JSONSerialization.jsonObject(with: o) as? [String: Any])
        let docs = try XCTUnwrap(r["documents_detail"] as? [[String: Any]])
        XCTAssertEqual(r["documents"] as? Int, docs.count)
        XCTAssertGreaterThanOrEqual(docs.count, 20)
        // The daemon's rule: a quantity, date or medication finding, or a loop, sends the output to review.
        for d in docs {
            let kinds = Set((d["findings"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String })
            let degenerate = try XCTUnwrap(d["degenerate"] as? Bool)
            XCTAssertEqual(d["routed_to_review"] as? Bool, degenerate || !kinds.isDisjoint(with: ["quantity", "date", "medication"]),
                           "\(d["file"] ?? "")")
        }
        let degenerate = docs.filter { $0["degenerate"] as? Bool == true }.count
        XCTAssertEqual(try XCTUnwrap(r["degenerate_rate"] as? Double), Double(degenerate) / Double(docs.count), accuracy: 1e-12)
        let reviewed = docs.filter { $0["routed_to_review"] as? Bool == true }.count
        XCTAssertEqual(try XCTUnwrap(r["review_rate"] as? Double), Double(reviewed) / Double(docs.count), accuracy: 1e-12)
        let unsupported = docs.filter {
            !(($0["unsupported_quantities"] as? [String]) ?? []).isEmpty || !(($0["unsupported_drugs"] as? [String]) ?? []).isEmpty
                || $0["unsupported_diagnosis"] is String
        }.count
        XCTAssertEqual(try XCTUnwrap(r["unsupported_rate"] as? Double), Double(unsupported) / Double(docs.count), accuracy: 1e-12)
    }
}
