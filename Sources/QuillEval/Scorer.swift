import ClinicalDocuments
import Foundation
import QuillPipeline
import SyntheticRecords

/// The scores of one output against its record.
public struct OutputScore: Sendable, Equatable {
    public var id: String
    /// ROUGE-L F1 of the model-written part of output and reference.
    public var rougeL: Double
    /// Share of the record's facts stated verbatim in the output.
    public var factRecall: Double
    /// Quantities and dates the output states and the input does not (`Metrics.unsupportedFacts`).
    public var unsupportedFacts: [String]
    /// What the pipeline's fact checker reports for the output.
    public var findings: [FactFinding]
}

/// One scorer for every output, wherever it was generated: Quill's pipeline or transformers
/// (`hf_generate.py`). An output is the section lines a model wrote ("Heading: text" per line); the
/// title and patient line are not the model's and are never scored.
public struct Scorer: Sendable {
    public let checker: FactChecker

    public init(checker: FactChecker) { self.checker = checker }

    public func score(_ record: EvalRecord, output: String) throws -> OutputScore {
        let written = Metrics.modelWrittenPart(of: output)
        let reference = Metrics.modelWrittenPart(of: record.reference)
        // The fact checker reads the input as the pipeline does: the document's text after the reader.
        let input = ClinicalPrompt.documentText(try record.document())
        return OutputScore(
            id: record.id,
            rougeL: Metrics.rougeL(reference: reference, candidate: written).f1,
            factRecall: Metrics.factRecall(facts: record.facts, output: written),
            unsupportedFacts: Metrics.unsupportedFacts(output: written, input: record.input),
            findings: checker.check(sections: Scorer.sections(of: written, task: record.task), input: input))
    }

    /// "Heading: text" lines back into sections; a line under no known heading is checked as it is.
    public static func sections(of output: String, task: DocumentTask) -> [(heading: String, text: String)] {
        output.split(separator: "\n").compactMap { line -> (heading: String, text: String)? in
            let line = line.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { return nil }
            for spec in task.sections where line.hasPrefix(spec.heading + ":") {
                return (spec.heading, line.dropFirst(spec.heading.count + 1).trimmingCharacters(in: .whitespaces))
            }
            return ("", line)
        }
    }
}

/// Time spent on one document by Quill's pipeline.
public struct OutputTiming: Sendable, Equatable {
    public var seconds: Double
    public var promptTokens: Int
    public var generatedTokens: Int
    public var prefillSeconds: Double
    public var generationSeconds: Double

    public init(seconds: Double, promptTokens: Int, generatedTokens: Int, prefillSeconds: Double, generationSeconds: Double) {
        self.seconds = seconds; self.promptTokens = promptTokens; self.generatedTokens = generatedTokens
        self.prefillSeconds = prefillSeconds; self.generationSeconds = generationSeconds
    }
}
