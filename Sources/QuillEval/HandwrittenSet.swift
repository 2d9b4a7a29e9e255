import ClinicalDocuments
import Foundation
import QuillPipeline

/// Notes and dialogues written by hand, unlike the synthetic generator's (abbreviations, lay words, typos, brand
/// names, mixed sections, HL7 v2 and WebVTT), with the facts each holds: `eval/handwritten/`. A model that only
/// knows the generator's templates fails here, so the set measures what synthetic records cannot.
public struct HandwrittenSet: Sendable {
    /// One line of `expected.jsonl`: a document file and the facts a faithful output may state.
    public struct Case: Sendable, Decodable, Equatable {
        public var file: String
        public var task: DocumentTask
        /// How the document is written (for the report only).
        public var style: String?
        /// Each diagnosis as alternatives, `name|other name|ABBREV`: the output's diagnosis or assessment should
        /// state one of them.
        public var diagnoses: [String]
        /// Each drug as alternatives (`Eliquis|apixaban`): what the output may name.
        public var drugs: [String]
        /// Quantities, durations and ISO dates as an output would write them ("40 mg", "2 weeks", "2025-03-07").
        public var facts: [String]
    }

    public let folder: URL
    public let cases: [Case]

    public struct SetError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads `expected.jsonl` in `folder`; every case's file must be there and every document file there must
    /// have a case, so a file added without its facts cannot slip out of the measurement.
    public static func load(folder: URL) throws -> HandwrittenSet {
        let cases = try JSONLFile.decode(folder.appendingPathComponent("expected.jsonl"), as: Case.self)
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)
            .filter { !$0.hasPrefix(".") && $0 != "expected.jsonl" && $0 != "README.md" })
        let listed = cases.map(\.file)
        if let dup = Dictionary(grouping: listed, by: { $0 }).first(where: { $0.value.count > 1 })?.key {
            throw SetError(description: "expected.jsonl lists \(dup) more than once")
        }
        if let missing = listed.first(where: { !files.contains($0) }) {
            throw SetError(description: "expected.jsonl lists \(missing), which is not in \(folder.lastPathComponent)/")
        }
        if let unlisted = files.subtracting(listed).sorted().first {
            throw SetError(description: "\(folder.lastPathComponent)/\(unlisted) has no line in expected.jsonl")
        }
        return HandwrittenSet(folder: folder, cases: cases)
    }

    /// The case's file read as the daemon reads an inbox file (format and kind detected from the content and the
    /// name): exactly one document, of the task the case expects.
    public func document(for c: Case) throws -> ClinicalDocument {
        let reading = readClinicalFile(at: folder.appendingPathComponent(c.file))
        if let error = reading.errors.first { throw error }
        guard reading.documents.count == 1, let document = reading.documents.first else {
            throw SetError(description: "\(c.file): read as \(reading.documents.count) documents, expected one")
        }
        guard document.task == c.task else {
            throw SetError(description: "\(c.file): read as a \(document.task.fileName) input, expected \(c.task.fileName)")
        }
        return document
    }
}

extension HandwrittenSet {
    /// Every case through `run`'s pipeline (the daemon's path from a read document to its outputs and the review
    /// decision), scored against its expected facts. `progress` gets counts only.
    public func evaluate(with run: PipelineRun, source: String, progress: (Int, Int) -> Void = { _, _ in }) throws -> HandwrittenReport {
        let scorer = HandwrittenScorer(checker: run.pipeline.factChecker)
        var scores: [HandwrittenScore] = []
        for (i, c) in cases.enumerated() {
            let document = try document(for: c)
            let stem = (c.file as NSString).deletingPathExtension
            let out = try run.output(for: document, stem: stem)
            scores.append(scorer.score(c, output: out.text, input: ClinicalPrompt.documentText(document),
                                       findings: out.findings, routedToReview: out.needsReview,
                                       degenerate: out.repetition != nil))
            progress(i + 1, cases.count)
        }
        return HandwrittenReport(source: source, scores: scores)
    }
}
