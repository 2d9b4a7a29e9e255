import ClinicalDocuments
import Foundation
import LLM
import Logging
import QuillDaemon
import QuillPipeline

/// The model-backed document processor that `quill serve` and `quill process` run, built from `config`: the
/// model is loaded once from `model.path` (a Hugging Face folder or a single model file, passed to the loader
/// as given) and shared by every worker; each worker borrows its own inference session.
public func makeDocumentProcessor(config: QuillConfig, logger: Logger) throws -> any DocumentProcessor {
    try PipelineProcessor(config: config, logger: logger)
}

/// Adapts `DocumentPipeline` to the daemon's `DocumentProcessor`.
final class PipelineProcessor: DocumentProcessor, @unchecked Sendable {
    let pipeline: DocumentPipeline
    let adapter: (version: String, weights: LoRAAdapter)?
    /// ModelFingerprint.sha256 of the model's and the adapter's files, checked against any pins at start.
    let modelSHA256: String
    let adapterSHA256: String?
    let sessions: SessionPool
    private let lock = NSLock()
    /// `tasks.clinical_note` and `tasks.dialogue`; SIGHUP replaces it.
    private var taskChoice: TaskChoice

    let logger: Logger
    /// Where kept reasoning goes (never into the audit trail).
    let reasoningFolder: String

    /// A reviewer's correction must read back into its task's sections to become a training example.
    func checkCorrection(_ text: String, outputName: String) throws {
        _ = try ReviewedNote(text: text, outputName: outputName)
    }

    init(config: QuillConfig, logger: Logger) throws {
        self.logger = logger
        reasoningFolder = config.stateRoot + "/reasoning"
        let defaults = config.model.path.isEmpty ? try DefaultModel.resolve(state: config.stateRoot) : nil
        let modelPath = try defaults?.model ?? ConfigNames.modelPath(config)
        let quantization = try ConfigNames.weightFormat(config)
        let formats = try ConfigNames.outputFormats(config)
        taskChoice = try TaskChoice(config)
        let templates = URL(fileURLWithPath: try config.paths.templates ?? ShippedFiles.templates(state: config.stateRoot))
        var limits = GenerationLimits()
        limits.maxNewTokens = config.generation.maxNewTokens
        limits.sampling = SamplingParameters(temperature: Float(config.generation.temperature), topP: Float(config.generation.topP),
                                             repetitionPenalty: Float(config.generation.repetitionPenalty),
                                             noRepeatNgramSize: config.generation.noRepeatNgramSize,
                                             seed: UInt64(max(0, config.generation.seed)))
        let settings = PipelineSettings(templatesFolder: templates, formats: formats, limits: limits,
                                        keepReasoning: config.generation.keepReasoning)
        let start = Date()
        // Hash (or find in the cache) before loading, refuse a pin mismatch, and after loading check that
        // nothing changed in between: the weights in memory are the ones fingerprinted.
        let cache = FingerprintCache(path: config.stateRoot + "/.quill-model-fingerprints.json")
        let modelPrint = try ModelFingerprint.of(model: modelPath, include: ModelFingerprint.isModelFile, cache: cache)
        try modelPrint.check(pin: config.model.sha256, key: "model.sha256")
        pipeline = try DocumentPipeline(modelFolder: URL(fileURLWithPath: modelPath), quantization: quantization, settings: settings)
        try modelPrint.checkUnchanged()
        modelSHA256 = modelPrint.sha256
        pipeline.modelSHA256 = modelPrint.sha256
        let adapterPath = try AdapterSelection.path(config: config, shipped: defaults?.adapter)
        if let adapterPath {
            let adapterPrint = try ModelFingerprint.of(folder: adapterPath, include: ModelFingerprint.isAdapterFile, cache: cache)
            try adapterPrint.check(pin: config.model.adapterSHA256, key: "model.adapter_sha256")
            let url = URL(fileURLWithPath: adapterPath)
            adapter = (url.lastPathComponent, try LoRAAdapter.load(url, for: pipeline.model.config))
            try adapterPrint.checkUnchanged()
            adapterSHA256 = adapterPrint.sha256
        } else {
            if config.model.adapterSHA256 != nil {
                throw ModelIntegrityError(message: "model.adapter_sha256 pins an adapter, but model.adapter (\"\(config.model.adapter)\") selects none; "
                    + "remove the pin or select the pinned adapter")
            }
            adapter = nil
            adapterSHA256 = nil
        }
        if !cache.save() { logger.notice("model fingerprints not cached; the next start hashes the model again", metadata: ["cache": "\(cache.path)"]) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let threads = max(1, (config.model.threads > 0 ? config.model.threads : cores) / max(1, config.jobs.workers))
        sessions = SessionPool(pipeline: pipeline, threadsPerSession: threads)
        logger.info("model loaded", metadata: [
            "model": "\(pipeline.modelID)", "quantization": "\(quantization.rawValue)",
            "adapter": "\(adapter?.version ?? "none")", "model_sha256": "\(modelSHA256)",
            "adapter_sha256": "\(adapterSHA256 ?? "none")", "templates": "\(templates.path)", "seconds": "\(String(format: "%.1f", Date().timeIntervalSince(start)))",
        ])
    }

    func process(_ document: ClinicalDocument, stem: String, inputSHA256: String,
                 interruption: Interruption) throws -> ProcessedDocument {
        let document = currentTaskChoice().apply(to: document)
        let session = sessions.borrow()
        defer { sessions.giveBack(session) }
        session.adapter = adapter?.weights
        let result = try pipeline.process(document, stem: stem, inputSHA256: inputSHA256, session: session,
                                          adapterVersion: adapter?.version, adapterSHA256: adapterSHA256, shouldContinue: { !interruption.isRequested })
        // A stop requested mid-generation leaves the sections unfinished: re-queue rather than write them.
        try interruption.check()
        let kinds = Set(result.findings.map(\.kind.rawValue)).sorted()
        var audit: [String: String] = [
            "model": result.provenance.model, "quantization": result.provenance.quantization,
            "adapter": result.provenance.adapterVersion ?? "none", "task": result.provenance.task,
            "model_sha256": modelSHA256, "adapter_sha256": adapterSHA256 ?? "none",
            "prompt_sha256": result.provenance.promptSHA256,
            "prompt_tokens": "\(result.provenance.promptTokens)", "generated_tokens": "\(result.provenance.generatedTokens)",
            "generation_seconds": String(format: "%.3f", result.provenance.generationSeconds),
            "fact_findings": "\(result.findings.count)", "fact_finding_kinds": kinds.joined(separator: ","),
        ]
        // The count and section only: the repeated words are generated text about the patient.
        if let loop = result.repetition { audit["repetition"] = "\(loop.count)x in \(loop.section)" }
        if let reasoning = result.reasoning {
            let kept = try ReasoningFile.keep(reasoning, folder: reasoningFolder, stem: stem)
            audit.merge(kept) { _, new in new }
        }
        return ProcessedDocument(
            outputs: result.files.map { QuillDaemon.OutputFile(fileName: $0.name, bytes: Array($0.data)) },
            audit: audit, needsReview: result.needsReview,
            reviewReason: result.needsReview ? Self.reviewReason(result, kinds: kinds) : nil)
    }

    /// Why a document went to review, naming counts and kinds only (the reason reaches the audit trail).
    static func reviewReason(_ result: PipelineResult, kinds: [String]) -> String {
        var reasons: [String] = []
        if let loop = result.repetition {
            reasons.append("the output repeats a \(loop.phrase.split(separator: " ").count)-word phrase \(loop.count) times (in \(loop.section))")
        }
        if !result.findings.isEmpty {
            reasons.append("the fact check found \(result.findings.count) statement(s) the input does not support (\(kinds.joined(separator: ", ")))")
        }
        return reasons.joined(separator: "; ") + "; see the provenance file"
    }

    /// SIGHUP: the templates, formats and task choice are read again; a broken template is logged and the old ones stay.
    func configurationReloaded(_ config: QuillConfig) {
        do {
            let formats = try ConfigNames.outputFormats(config)
            let choice = try TaskChoice(config)
            try pipeline.reloadTemplates(folder: URL(fileURLWithPath: try config.paths.templates ?? ShippedFiles.templates(state: config.stateRoot)),
                                         formats: formats)
            lock.lock(); taskChoice = choice; lock.unlock()
            logger.info("templates reloaded", metadata: ["formats": "\(formats.map(\.rawValue))"])
        } catch {
            logger.error("templates not reloaded; the previous ones stay in use", metadata: ["error": "\(error)"])
        }
    }

    private func currentTaskChoice() -> TaskChoice {
        lock.lock(); defer { lock.unlock() }
        return taskChoice
    }
}
