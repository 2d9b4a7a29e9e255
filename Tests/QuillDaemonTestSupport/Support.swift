import ClinicalDocuments
import Foundation
import QuillDaemon

/// A deterministic processor for the daemon's tests: no model; it renders the real
/// `ClinicalDocument`'s sections and turns into a plain-text and a Markdown file.
///
/// - `delay`: time spent "generating" each document, in slices that honour the interruption (so a
///   test can kill or stop the daemon mid-job).
/// - A document whose text contains `QUILL-TEST-REJECT` is refused (a processor error → `failed/`);
///   one containing `QUILL-TEST-REVIEW` is routed to review.
/// - `QUILL-TEST-CRASH` stops the process with a trap, as a bug in the model or the fact checker
///   would (run it only in a child process).
/// - `QUILL-TEST-SLOW` takes `slowSeconds`, honouring the interruption; `QUILL-TEST-HANG` takes
///   `slowSeconds` ignoring it, as a processor stuck in a loop would.
public struct SectionTextProcessor: DocumentProcessor {
    public var delay: Double
    public var slowSeconds: Double
    public init(delay: Double = 0, slowSeconds: Double = 30) { self.delay = delay; self.slowSeconds = slowSeconds }

    public func process(_ document: ClinicalDocument, stem: String, inputSHA256: String,
                        interruption: Interruption) throws -> ProcessedDocument {
        let marked = document.sections.map(\.text).joined() + document.turns.map(\.text).joined()
        if marked.contains("QUILL-TEST-CRASH") { fatalError("QUILL-TEST-CRASH") }
        if marked.contains("QUILL-TEST-SLOW") || marked.contains("QUILL-TEST-HANG") {
            let honours = marked.contains("QUILL-TEST-SLOW")
            let end = Date().addingTimeInterval(slowSeconds)
            while Date() < end {
                if honours { try interruption.check() }
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        var waited = 0.0
        while waited < delay {
            try interruption.check()
            let slice = min(0.01, delay - waited)
            Thread.sleep(forTimeInterval: slice)
            waited += slice
        }
        try interruption.check()
        var text = "Task: \(document.task.rawValue)\nSource: \(document.sourceFormat.rawValue)\n"
        for s in document.sections { text += "\n## \(s.title)\n\(s.text)\n" }
        for t in document.turns { text += "\(t.role.rawValue): \(t.text)\n" }
        let all = document.sections.map(\.text).joined() + document.turns.map(\.text).joined()
        if all.contains("QUILL-TEST-REJECT") {
            throw RejectedByTest()
        }
        let review = all.contains("QUILL-TEST-REVIEW")
        let task = document.task.fileName
        return ProcessedDocument(
            outputs: [
                OutputFile(fileName: "\(stem).\(task).txt", bytes: Array(text.utf8)),
                OutputFile(fileName: "\(stem).\(task).md", bytes: Array(("# \(task)\n" + text).utf8)),
            ],
            audit: ["processor": "section-text-test", "sections": String(document.sections.count)],
            needsReview: review, reviewReason: review ? "test marker asked for review" : nil)
    }

    public struct RejectedByTest: Error, CustomStringConvertible {
        public var description: String { "the test processor refuses documents marked QUILL-TEST-REJECT" }
    }
}
