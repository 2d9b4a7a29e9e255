import ClinicalDocuments
import Foundation
import QuillPipeline

/// Runs Quill's pipeline (`PipelineRun`: any model, any adapter) over public sets and scores every output. A
/// document that gives no output (the readers refused it; its prompt does not fit the model's context) is kept
/// as a failure with its reason; the figures are over the outputs.
public struct PublicSetEvaluation {
    public let run: PipelineRun

    public init(run: PipelineRun) { self.run = run }

    /// One set's report, and one JSONL line per document (`PublicSetOutputLine`) for whoever inspects the run.
    /// `progress` gets counts only: no document text reaches the terminal.
    public func evaluate(_ set: PublicSet, documents: [PublicSetDocument],
                         progress: (Int, Int) -> Void = { _, _ in }) throws -> (report: PublicSetReport, lines: [String]) {
        var scores: [PublicSetScore] = [], failures: [PublicSetReport.Failure] = [], lines: [String] = []
        for (i, d) in documents.enumerated() {
            defer { progress(i + 1, documents.count) }
            let document: ClinicalDocument
            switch d.input {
            case .refused(let reason):
                failures.append(.init(id: d.id, reason: reason))
                lines.append(try PublicSetOutputLine.failure(set: set, document: d, reason: reason))
                continue
            case .document(let read): document = read
            }
            let output: PipelineOutput
            do {
                output = try run.output(for: document, stem: TranscriptReading.fileStem(d.id))
            } catch {
                let reason = String(describing: error)
                failures.append(.init(id: d.id, reason: reason))
                lines.append(try PublicSetOutputLine.failure(set: set, document: d, reason: reason))
                continue
            }
            let score = PublicSetScore(id: d.id, output: output, task: document.task, reference: d.reference, scoredSection: d.scoredSection)
            scores.append(score)
            lines.append(try PublicSetOutputLine.output(set: set, document: d, output: output, score: score))
        }
        return (PublicSetReport(set: set, scores: scores, failures: failures), lines)
    }
}
