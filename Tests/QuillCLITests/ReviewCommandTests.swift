import Foundation
import XCTest

/// `quill review` on a state root that `quill process` filled with the demo model's outputs.
final class ReviewCommandTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "quill-review-cli-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder + "/state/inbox", withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    private func quill(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try QuillProcess.run(args + ["--state", folder + "/state"])
    }

    private func write(_ name: String, _ text: String) throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testOutputsAreListedShownAcceptedCorrectedAndRejectedOnceEach() throws {
        let examples = QuillProcess.repo.appendingPathComponent("examples")
        for (from, to) in [("visit-dialogue.txt", "visit.txt"), ("discharge-note.txt", "ward.txt"), ("discharge-note.hl7", "ward.hl7")] {
            try FileManager.default.copyItem(atPath: examples.appendingPathComponent(from).path, toPath: folder + "/state/inbox/" + to)
        }
        let cfg = try write("quill.toml", "[generation]\nmax_new_tokens = 24\n[tasks]\nformats = [\"text\", \"markdown\"]\n[model]\nadapter = \"none\"\n")
        let processed = try QuillProcess.run(["process", "--state", folder + "/state", "--config", cfg,
                                              "--model", QuillProcess.repo.appendingPathComponent("models/demo").path])
        XCTAssertEqual(processed.status, 0, processed.err)

        let list = try quill(["review", "list"])
        XCTAssertEqual(list.status, 0, list.err)
        let rows = list.out.split(separator: "\n").dropFirst().map { $0.split(separator: "\t").map(String.init) }
        XCTAssertEqual(rows.count, 3, list.out)
        XCTAssertTrue(rows.allSatisfy { $0.last == "pending" }, list.out)
        func job(_ document: String) -> String { rows.first { $0[1] == document }?[0] ?? "?" }
        let visit = job("visit.soap-note"), ward = job("ward.discharge-summary")
        let hl7 = rows.first { $0[1].hasPrefix("ward-") && $0[1].hasSuffix(".discharge-summary") }?[0] ?? "?"

        // Shown as written, then corrected from a file.
        let shown = try quill(["review", "show", visit])
        XCTAssertEqual(shown.status, 0, shown.err)
        XCTAssertTrue(shown.out.hasPrefix("SOAP note\n"), shown.out)
        let corrected = shown.out.replacingOccurrences(of: "\nPlan: ", with: "\nPlan: Review in clinic in 2 weeks. ")
        let fixed = try quill(["review", "correct", visit, "--file", try write("visit.soap-note.txt", corrected), "--reviewer", "dr.adams"])
        XCTAssertEqual(fixed.status, 0, fixed.err)
        XCTAssertTrue(fixed.out.contains("corrected by dr.adams"), fixed.out)
        let again = try quill(["review", "accept", visit])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.err.contains("already reviewed"), again.err)

        // A correction that cannot be read back into sections is refused, naming the file and line; nothing is recorded.
        let md = try quill(["review", "show", ward, "--format", "md"]).out
        let bad = try quill(["review", "correct", ward, "--file", try write("ward.discharge-summary.md", md.replacingOccurrences(of: "## Diagnosis", with: "## Impression"))])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.err.contains("ward.discharge-summary.md, line ") && bad.err.contains("\"Impression\""), bad.err)

        // Edited in $EDITOR: a script that appends a line to the last section.
        let editor = try write("editor.sh", "#!/bin/sh\necho 'GP to recheck bloods in 1 week.' >> \"$1\"\n")
        chmod(editor, 0o755)
        let p = Process()
        p.executableURL = QuillProcess.binary
        p.arguments = ["review", "correct", ward, "--state", folder + "/state"]
        p.environment = ProcessInfo.processInfo.environment.merging(["EDITOR": editor, "VISUAL": editor]) { $1 }
        let out = Pipe(); p.standardOutput = out
        try p.run(); p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0)

        let rejected = try quill(["review", "reject", hl7, "--reason", "the diagnosis is not in the note"])
        XCTAssertEqual(rejected.status, 0, rejected.err)
        XCTAssertTrue(try quill(["review", "reject", hl7, "--reason", "again"]).err.contains("already reviewed"))
        XCTAssertTrue(try quill(["review", "reject", visit, "--reason", " "]).err.contains("needs a reason"))

        let after = try quill(["review", "list"]).out
        XCTAssertTrue(after.contains("\tcorrect by dr.adams") && after.contains("\treject by "), after)
        XCTAssertEqual(try quill(["review", "list", "--pending"]).out.split(separator: "\n").count, 1, "only the header is left")
        let wardShown = try quill(["review", "show", ward]).out
        XCTAssertTrue(wardShown.contains("--- review") && wardShown.hasSuffix("GP to recheck bloods in 1 week.\n"), wardShown)

        let events = try QuillProcess.run(["audit", "show", "--state", folder + "/state"]).out
        XCTAssertEqual(events.components(separatedBy: "\"review.corrected\"").count - 1, 2, events)
        XCTAssertEqual(events.components(separatedBy: "\"review.rejected\"").count - 1, 1)
        XCTAssertFalse(events.contains("diagnosis is not in the note") || events.contains("recheck bloods"), "no reviewer text in the trail")
        let verified = try QuillProcess.run(["audit", "verify", "--state", folder + "/state"])
        XCTAssertEqual(verified.status, 0, verified.out)
    }
}
