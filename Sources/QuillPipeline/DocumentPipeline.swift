import ClinicalDocuments
import Digests
import Foundation
import LLM
import Tokenizers

/// What the pipeline needs to know, from Quill's config.
public struct PipelineSettings: Sendable {
    public var templatesFolder: URL
    public var lexicon: URL
    public var formats: [OutputFormat]
    public var limits: GenerationLimits
    /// Fact-finding kinds that send a document to review instead of the outbox.
    public var reviewOn: Set<FactFinding.Kind>
    /// Whether the model's reasoning is kept (the daemon writes it to a purgeable file); it never reaches an output.
    public var keepReasoning: Bool
    /// Finds a looping output; one it finds goes to review whatever the fact check says.
    public var repetitionCheck: RepetitionCheck

    public init(templatesFolder: URL, lexicon: URL? = nil, formats: [OutputFormat] = OutputFormat.allCases,
                limits: GenerationLimits = GenerationLimits(), reviewOn: Set<FactFinding.Kind> = [.quantity, .date, .medication],
                keepReasoning: Bool = false, repetitionCheck: RepetitionCheck = RepetitionCheck()) {
        self.templatesFolder = templatesFolder
        self.lexicon = lexicon ?? templatesFolder.appendingPathComponent("lexicon/medications.txt")
        self.formats = formats; self.limits = limits; self.reviewOn = reviewOn; self.keepReasoning = keepReasoning
        self.repetitionCheck = repetitionCheck
    }
}

/// One output file, named `<stem>.<task>.<ext>`.
public struct OutputFile: Sendable, Equatable {
    public let name: String
    public let data: Data
}

/// A processed document: the files to write, the provenance, and whether it needs a reviewer first.
public struct PipelineResult: Sendable {
    public let note: GeneratedNote
    public let files: [OutputFile]
    public let provenance: Provenance
    public let findings: [FactFinding]
    /// A loop the repetition check found (then `needsReview` is true).
    public let repetition: RepetitionFinding?
    public let needsReview: Bool
    public let reasoning: String?
}

/// From a `ClinicalDocument` to finished files: prompt through the model's chat template, section-structured
/// generation, fact check, and every configured template. The model, tokenizer and templates are loaded once;
/// a session (KV cache and scratch) belongs to the calling worker.
public final class DocumentPipeline: @unchecked Sendable {
    public let model: LanguageModel
    public let tokenizer: Tokenizer
    public let chatTemplate: ChatTemplate
    public var templates: TemplateSet { lock.lock(); defer { lock.unlock() }; return currentTemplates }
    public let factChecker: FactChecker
    public private(set) var settings: PipelineSettings
    private var currentTemplates: TemplateSet
    private let lock = NSLock()
    public let modelID: String
    /// The model files' fingerprint (ModelFingerprint.sha256), set once by whoever verified it before
    /// the first document; it goes into every provenance file.
    public var modelSHA256: String?

    public init(model: LanguageModel, tokenizer: Tokenizer, chatTemplate: ChatTemplate, settings: PipelineSettings) throws {
        self.model = model; self.tokenizer = tokenizer; self.chatTemplate = chatTemplate; self.settings = settings
        self.currentTemplates = try TemplateSet(folder: settings.templatesFolder, formats: settings.formats)
        self.factChecker = try FactChecker(lexicon: settings.lexicon)
        self.modelID = model.folder.lastPathComponent
    }

    /// Loads model, tokenizer and chat template from a model folder, and the templates.
    public convenience init(modelFolder: URL, quantization: WeightFormat, settings: PipelineSettings) throws {
        try self.init(model: LanguageModel.load(folder: modelFolder, format: quantization),
                      tokenizer: ModelFiles.tokenizer(at: modelFolder), chatTemplate: ModelFiles.chatTemplate(at: modelFolder),
                      settings: settings)
    }

    /// Re-reads the templates (SIGHUP). A missing or broken template throws and the templates in use stay,
    /// so an edit in progress never takes the daemon down or half-changes its outputs.
    public func reloadTemplates(folder: URL, formats: [OutputFormat]) throws {
        let fresh = try TemplateSet(folder: folder, formats: formats)
        lock.lock(); currentTemplates = fresh; settings.templatesFolder = folder; settings.formats = formats; lock.unlock()
    }

    /// A session sized for documents up to `contextLength` positions, for one worker.
    public func makeSession(contextLength: Int = 4096, threads: Int) -> InferenceSession {
        InferenceSession(model: model, contextLength: contextLength, threads: threads)
    }

    public func process(_ document: ClinicalDocument, stem: String, inputSHA256: String, session: InferenceSession,
                        adapterVersion: String? = nil, adapterSHA256: String? = nil,
                        shouldContinue: () -> Bool = { true }) throws -> PipelineResult {
        let task = document.task
        let input = ClinicalPrompt.documentText(document)
        let prompt = try ClinicalPrompt.encode(task: task, documentText: input, tokenizer: tokenizer, template: chatTemplate)
        session.reset()
        let note = try SectionedGenerator(tokenizer: tokenizer, limits: settings.limits)
            .generate(session: session, prompt: prompt.ids, opensThinking: prompt.opensThinking, task: task,
                      shouldContinue: shouldContinue)
        let findings = factChecker.check(sections: note.sections.map { ($0.heading, $0.text) }, input: input)
        let repetition = settings.repetitionCheck.check(sections: note.sections.map { ($0.heading, $0.text) })
        let needsReview = repetition != nil || findings.contains { settings.reviewOn.contains($0.kind) }
        let run = RunFacts(modelID: modelID, quantization: model.format.rawValue, adapterVersion: adapterVersion, inputSHA256: inputSHA256)
        let documentID = UUID().uuidString.lowercased()
        let context = RenderContext.make(document: document, note: note, run: run, documentID: documentID)
        var files: [OutputFile] = []
        let (templates, formats) = { lock.lock(); defer { lock.unlock() }; return (currentTemplates, settings.formats) }()
        for format in formats {
            let text = try templates.render(task: task, format: format, context: context)
            files.append(OutputFile(name: format.fileName(stem: stem, task: task), data: Data(text.utf8)))
        }
        let provenance = Provenance(
            documentID: documentID, sourceFile: (document.sourceFile as NSString).lastPathComponent, inputSHA256: inputSHA256,
            task: task.fileName, model: modelID, quantization: model.format.rawValue, adapterVersion: adapterVersion,
            modelSHA256: modelSHA256, adapterSHA256: adapterSHA256,
            promptSHA256: SHA256.hex(prompt.ids.map(String.init).joined(separator: ",")),
            promptTokens: note.promptTokens, generatedTokens: note.generatedTokens, prefillSeconds: note.prefillSeconds,
            generationSeconds: note.generationSeconds, createdAt: ISO8601DateFormatter().string(from: run.createdAt),
            outputs: files.map(\.name), factFindings: findings, repetition: repetition, needsReview: needsReview)
        files.append(OutputFile(name: "\(stem).\(task.fileName).provenance.json", data: try provenance.json()))
        return PipelineResult(note: note, files: files, provenance: provenance, findings: findings, repetition: repetition, needsReview: needsReview,
                              reasoning: settings.keepReasoning ? note.reasoning : nil)
    }
}
