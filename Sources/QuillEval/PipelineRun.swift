import ClinicalDocuments
import Foundation
import LLM
import QuillPipeline

/// Quill's own outputs for records: each read as a document, through `DocumentPipeline.process` (prompt,
/// section-structured generation with the pipeline's sampling, fact check) and the plain-text template.
public struct PipelineRun {
    public let pipeline: DocumentPipeline
    public let session: InferenceSession
    public let adapterVersion: String?

    /// `pipeline` must be set up with the text format (it is what gets scored); greedy unless its limits say otherwise.
    /// The context holds 4,096 positions by default, as the daemon's sessions do (capped by the model's own).
    public init(pipeline: DocumentPipeline, threads: Int, adapter: LoRAAdapter? = nil, adapterVersion: String? = nil,
                contextLength: Int = 4096) {
        self.pipeline = pipeline
        session = pipeline.makeSession(contextLength: contextLength, threads: threads)
        session.adapter = adapter
        self.adapterVersion = adapterVersion
    }

    /// Pipeline settings for evaluation: the plain-text output (scored) or every format (for timing the daemon's
    /// whole path), with greedy decoding.
    /// Section-structured generation reserves every section's budget plus the reasoning budget before it starts;
    /// the default 1,024 reasoning tokens do not fit beside a prompt in the demo model's 2,048 positions, and the
    /// demo model closes its thought at once, so evaluation gives reasoning 128.
    /// `noRepeatNgramSize` is the daemon's `generation.no_repeat_ngram_size` (0 = off).
    public static func settings(templates: URL, lexicon: URL? = nil, allFormats: Bool = false, reasoningTokens: Int = 128,
                                noRepeatNgramSize: Int = 0) -> PipelineSettings {
        PipelineSettings(templatesFolder: templates, lexicon: lexicon, formats: allFormats ? OutputFormat.allCases : [.text],
                         limits: GenerationLimits(maxTokensPerSection: 160, maxReasoningTokens: reasoningTokens,
                                                  sampling: SamplingParameters(noRepeatNgramSize: noRepeatNgramSize)))
    }

    /// The rendered plain-text output of one record, and its timing.
    public func output(for record: EvalRecord) throws -> (text: String, timing: OutputTiming, findings: [FactFinding]) {
        let o = try output(for: try record.document(), stem: record.id)
        return (o.text, o.timing, o.findings)
    }

    /// One document through the pipeline: its rendered plain-text output and generated sections, timing, the fact
    /// check's findings and whether the daemon would have sent it to review.
    public func output(for document: ClinicalDocument, stem: String) throws -> PipelineOutput {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let result = try pipeline.process(document, stem: stem, inputSHA256: "", session: session, adapterVersion: adapterVersion)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9
        guard let file = result.files.first(where: { $0.name.hasSuffix(".txt") }) else { throw NoTextOutput() }
        let note = result.note
        return PipelineOutput(
            text: String(decoding: file.data, as: UTF8.self), sections: note.sections,
            timing: OutputTiming(seconds: seconds, promptTokens: note.promptTokens, generatedTokens: note.generatedTokens,
                                 prefillSeconds: note.prefillSeconds, generationSeconds: note.generationSeconds),
            findings: result.findings, needsReview: result.needsReview, repetition: result.repetition)
    }

    struct NoTextOutput: Error, CustomStringConvertible {
        var description: String { "the pipeline rendered no plain-text output (settings need the text format)" }
    }
}

/// What the pipeline made of one document.
public struct PipelineOutput: Sendable {
    /// The plain-text output as the template rendered it.
    public var text: String
    /// The task's sections with the model's text, before rendering.
    public var sections: [GeneratedNote.Section]
    public var timing: OutputTiming
    public var findings: [FactFinding]
    public var needsReview: Bool
    /// The loop the pipeline's repetition check found, if any: the output is degenerate (and routed to review).
    public var repetition: RepetitionFinding?
}
