import Foundation
import GRDB
import Logging
import QuillDaemon
import QuillDaemonTestSupport
import QuillStore
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Everything a log handler receives: level, message and metadata, as text.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return lines.joined(separator: "\n") }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        capture.append("\(event.level) \(event.message) \(metadata.merging(event.metadata ?? [:]) { $1 }) \(event.error.map { "\($0)" } ?? "")")
    }
}

/// File names and contents carry a patient's name and MRN. None of it may reach the log, the
/// audit trail (which cannot be purged) or the jobs table's failure reason; the full reason stays
/// in `failed/<name>.error.json`, which an operator can purge.
final class PatientDataPrivacyTests: XCTestCase {
    static let marker = "MRN123456"

    func testNamesAndQuotedContentStayOutOfLogsAuditAndJobReasons() throws {
        let h = Harness()
        let keyFile = h.root + "/audit.key"
        try AuditKey.create(path: keyFile)
        h.config.audit.keyFile = keyFile
        h.config.audit.checkpointEvery = 5
        h.config.documents.maxFileBytes = 4096
        let m = Self.marker
        // Fails in HL7 parsing, quoting the start of the stray line.
        h.drop("SMITH_\(m).hl7", "MSH|^~\\&|EPIC|GENERAL|QUILL|GENERAL|20250131081502||ORU^R01|MSG0001|P|2.5\rPID|1||\(m)^^^GEN^MR||SMITH^JOHN\n\(m) SMITH said the pain started after the fall\n")
        // Not CDA: the root element's name is quoted.
        h.drop("cda-\(m).xml", "<?xml version=\"1.0\"?>\n<\(m)_SMITH><p>text</p></\(m)_SMITH>\n")
        // Refused by the processor.
        h.drop("rejected-\(m).txt", "Assessment: QUILL-TEST-REJECT for SMITH \(m).\nPlan: none.\n")
        // Larger than documents.max_file_bytes.
        h.drop("large-\(m).txt", String(repeating: "History: SMITH \(m) fell.\n", count: 400))
        // Binary.
        var junk = [UInt8](repeating: 0, count: 2048)
        for i in junk.indices { junk[i] = UInt8(truncatingIfNeeded: i &* 7919) }
        try Data(junk).write(to: URL(fileURLWithPath: h.inbox + "/scan-\(m).pdf"))
        // Refused at the claim.
        XCTAssertEqual(symlink("/etc/hostname", h.inbox + "/link-\(m).txt"), 0)
        // Processed: its outputs carry the name, the audit must not.
        h.drop("SMITH_\(m)-ok.txt", Harness.note(4))

        let capture = LogCapture()
        let logger = Logger(label: "quill.test") { _ in CapturingLogHandler(capture: capture) }
        let summary = try Daemon(config: h.config, processor: SectionTextProcessor(), logger: logger).run(.once)
        XCTAssertEqual(summary.written, 1)
        XCTAssertEqual(summary.failed, 6)
        XCTAssertEqual(summary.errors, 0)

        let logs = capture.text
        XCTAssertTrue(logs.contains("job.failed"), "the log was captured:\n\(logs)")
        XCTAssertTrue(logs.contains("audit.checkpoint"), "checkpoints are logged:\n\(logs)")
        XCTAssertFalse(logs.contains(m), "patient data in the log:\n\(logs)")

        let db = try DatabaseQueue(path: h.root + "/quill.sqlite")
        let auditRows = try db.read { try Row.fetchAll($0, sql: "SELECT * FROM audit_events") }
        XCTAssertGreaterThan(auditRows.count, 20)
        for row in auditRows {
            XCTAssertFalse(row.description.contains(m), "patient data in the audit trail: \(row)")
        }
        let reasons = try db.read { try String.fetchAll($0, sql: "SELECT failure_reason FROM jobs WHERE state = 'failed'") }
        XCTAssertEqual(reasons.count, 6)
        for r in reasons { XCTAssertFalse(r.contains(m), "patient data in the jobs table's reason: \(r)") }
        XCTAssertTrue(reasons.contains { $0.hasPrefix("hl7_malformed at message 1") }, "the safe reason keeps the kind and place: \(reasons)")

        let errorFiles = h.list("failed").filter { $0.hasSuffix(".error.json") }
        XCTAssertEqual(errorFiles.count, 6)
        for f in errorFiles {
            let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: h.root + "/failed/" + f))) as! [String: Any]
            XCTAssertTrue((obj["reason"] as! String).contains(m), "the full reason stays in \(f)")
            XCTAssertNotNil(obj["safe_reason"] as? String, "\(f) keeps the safe reason for a restart")
            XCTAssertFalse((obj["safe_reason"] as? String ?? "").contains(m))
        }
        let hl7 = try String(contentsOfFile: h.root + "/failed/SMITH_\(m).hl7.error.json", encoding: .utf8)
        XCTAssertTrue(hl7.contains("\(m) SM"), "the HL7 reason quotes the stray line: \(hl7)")

        let store = try StateRoot(config: h.config).openStore()
        let key = try AuditKey.load(path: keyFile)
        guard case .intact = try store.verifyAudit(key: key, anchorFile: h.root + "/audit-anchor.jsonl") else {
            return XCTFail("the keyed trail with its checkpoints verifies")
        }
    }

    /// A refusal's reason is kept as what it is (a symbolic link, a folder, ...), not as a sentence
    /// with the file's name in it: the privacy-safe reason is built without the name, never by
    /// searching the sentence for the name. A link named `link` is still "a symbolic link" in the
    /// jobs table and the audit trail, not "a symbolic the file".
    func testTheSafeReasonOfARefusalStaysWholeWhenTheNameIsAWordOfIt() throws {
        let h = Harness()
        XCTAssertEqual(symlink("/etc/hostname", h.inbox + "/link"), 0)
        try FileManager.default.createDirectory(atPath: h.inbox + "/folder", withIntermediateDirectories: false)
        let summary = try h.runOnce()
        XCTAssertEqual(summary.failed, 2)
        let expected = [
            "link": "refused: the file is a symbolic link; Quill only takes plain files dropped into the inbox, not links to files elsewhere",
            "folder": "refused: the file is a folder; put the documents themselves in the inbox, not in folders",
        ]
        let store = try h.store()
        for job in try store.jobs() {
            guard case let .failed(step, reason, _) = job.state else { XCTFail("\(job.inboxName) is \(job.state.name)"); continue }
            XCTAssertEqual(step, .claim)
            XCTAssertEqual(reason, expected[job.inboxName], "the jobs table's reason for \(job.inboxName)")
            let event = try XCTUnwrap(store.auditEvents(jobID: job.id).last { $0.action == "job.failed" })
            XCTAssertTrue(event.details.contains(expected[job.inboxName] ?? "?"), "the audit's reason for \(job.inboxName): \(event.details)")
            let errorFile = h.root + "/failed/\(job.inboxName).error.json"
            let obj = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: errorFile))) as! [String: Any]
            XCTAssertEqual(obj["safe_reason"] as? String, expected[job.inboxName])
            XCTAssertTrue((obj["reason"] as? String ?? "").hasPrefix(job.inboxName + " is a "), "the full reason names the file")
        }
    }
}
