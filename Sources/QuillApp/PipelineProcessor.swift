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
    /// The adapter that serves and its files' fingerprint; with `model.adapter = "active"` it is swapped between
    /// documents when `adapters/active` names another version (`quill adapter promote|rollback`, `quill retrain`).
    private var loadedAdapter: LoadedAdapter?
    /// ModelFingerprint.sha256 of the model's files, checked against any pin at start.
    let modelSHA256: String
    /// `adapters/active` as last read, when the adapter follows it; nil when the configuration names a fixed one.
    private var followedPointer: String??
    private let config: QuillConfig
    private let shippedAdapter: String?
    private let fingerprints: FingerprintCache

    struct LoadedAdapter {
        var version: String
        var weights: LoRAAdapter
        var sha256: String
    }
    let sessions: SessionPool
    private let lock = NSLock()
    /// `tasks.clinical_note` and `tasks.dialogue`; SIGHUP replaces it.
    private var taskChoice: TaskChoice

    let logger: Logger
    /// Where kept reasoning goes (never into the audit trail).
    let reasoningFolder: String

    /// The model (the configured one, or the default with its shipped adapter) and the pipeline's settings
    /// from `config`: what `quill serve` runs and what `quill retrain` trains and judges with.
    static func modelAndSettings(_ config: QuillConfig) throws
        -> (model: String, defaults: (model: String, adapter: String?)?, quantization: WeightFormat, settings: PipelineSettings) {
        let defaults = config.model.path.isEmpty ? try DefaultModel.resolve(state: config.stateRoot) : nil
        let modelPath = try defaults?.model ?? ConfigNames.modelPath(config)
        let quantization = try ConfigNames.weightFormat(config)
        let formats = try ConfigNames.outputFormats(config)
        let templates = URL(fileURLWithPath: try config.paths.templates ?? ShippedFiles.templates(state: config.stateRoot))
        var limits = GenerationLimits()
        limits.maxNewTokens = config.generation.maxNewTokens
        limits.sampling = SamplingParameters(temperature: Float(config.generation.temperature), topP: Float(config.generation.topP),
                                             repetitionPenalty: Float(config.generation.repetitionPenalty),
                                             noRepeatNgramSize: config.generation.noRepeatNgramSize,
                                             seed: UInt64(max(0, config.generation.seed)))
        let settings = PipelineSettings(templatesFolder: templates, formats: formats, limits: limits,
                                        keepReasoning: config.generation.keepReasoning)
        return (modelPath, defaults, quantization, settings)
    }

    /// A reviewer's correction must read back into its task's sections to become a training example.
    func checkCorrection(_ text: String, outputName: String) throws {
        _ = try ReviewedNote(text: text, outputName: outputName)
    }

    init(config: QuillConfig, logger: Logger) throws {
        self.logger = logger
        reasoningFolder = config.stateRoot + "/reasoning"
        let (modelPath, defaults, quantization, settings) = try Self.modelAndSettings(config)
        taskChoice = try TaskChoice(config)
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
        self.config = config
        shippedAdapter = defaults?.adapter
        fingerprints = cache
        loadedAdapter = try Self.loadAdapter(config: config, shipped: defaults?.adapter, model: pipeline.model, cache: cache)
        if loadedAdapter == nil, config.model.adapterSHA256 != nil {
            throw ModelIntegrityError(message: "model.adapter_sha256 pins an adapter, but model.adapter (\"\(config.model.adapter)\") selects none; "
                + "remove the pin or select the pinned adapter")
        }
        followedPointer = config.model.adapter.trimmingCharacters(in: .whitespaces) == "active" ? .some(Self.activePointer(config)) : nil
        if !cache.save() { logger.notice("model fingerprints not cached; the next start hashes the model again", metadata: ["cache": "\(cache.path)"]) }
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let threads = max(1, (config.model.threads > 0 ? config.model.threads : cores) / max(1, config.jobs.workers))
        sessions = SessionPool(pipeline: pipeline, threadsPerSession: threads)
        logger.info("model loaded", metadata: [
            "model": "\(pipeline.modelID)", "quantization": "\(quantization.rawValue)",
            "adapter": "\(loadedAdapter?.version ?? "none")", "model_sha256": "\(modelSHA256)",
            "adapter_sha256": "\(loadedAdapter?.sha256 ?? "none")", "templates": "\(settings.templatesFolder.path)", "seconds": "\(String(format: "%.1f", Date().timeIntervalSince(start)))",
        ])
    }

    /// Hashes (or finds in the cache), pin-checks and loads the adapter `config` selects.
    static func loadAdapter(config: QuillConfig, shipped: String?, model: LanguageModel, cache: FingerprintCache) throws -> LoadedAdapter? {
        guard let path = try AdapterSelection.path(config: config, shipped: shipped) else { return nil }
        let print = try ModelFingerprint.of(folder: path, include: ModelFingerprint.isAdapterFile, cache: cache)
        try print.check(pin: config.model.adapterSHA256, key: "model.adapter_sha256")
        let url = URL(fileURLWithPath: path)
        let weights = try LoRAAdapter.load(url, for: model.config)
        try print.checkUnchanged()
        return LoadedAdapter(version: url.lastPathComponent, weights: weights, sha256: print.sha256)
    }

    static func activePointer(_ config: QuillConfig) -> String? {
        try? String(contentsOfFile: config.stateRoot + "/adapters/active", encoding: .utf8)
    }

    /// The adapter for the next document: when `adapters/active` changed since the last one, the version it
    /// names now is loaded and swapped in (between documents, so no document mixes two). A version that
    /// cannot be loaded is logged and the one serving stays.
    func currentAdapter() -> LoadedAdapter? {
        lock.lock(); defer { lock.unlock() }
        guard let seen = followedPointer else { return loadedAdapter }
        let now = Self.activePointer(config)
        guard now != seen else { return loadedAdapter }
        followedPointer = .some(now)
        do {
            let fresh = try Self.loadAdapter(config: config, shipped: shippedAdapter, model: pipeline.model, cache: fingerprints)
            logger.notice("adapter.swapped", metadata: ["from": "\(loadedAdapter?.version ?? "none")", "to": "\(fresh?.version ?? "none")",
                                                        "adapter_sha256": "\(fresh?.sha256 ?? "none")"])
            loadedAdapter = fresh
        } catch {
            logger.error("adapter.swap_failed", metadata: ["serving": "\(loadedAdapter?.version ?? "none")", "error": "\(error)"])
        }
        return loadedAdapter
    }

    func process(_ document: ClinicalDocument, stem: String, inputSHA256: String,
                 interruption: Interruption) throws -> ProcessedDocument {
        let document = currentTaskChoice().apply(to: document)
        let adapter = currentAdapter()
        let session = sessions.borrow()
        defer { sessions.giveBack(session) }
        session.adapter = adapter?.weights
        let result = try pipeline.process(document, stem: stem, inputSHA256: inputSHA256, session: session,
                                          adapterVersion: adapter?.version, adapterSHA256: adapter?.sha256, shouldContinue: { !interruption.isRequested })
        // A stop requested mid-generation leaves the sections unfinished: re-queue rather than write them.
        try interruption.check()
        let kinds = Set(result.findings.map(\.kind.rawValue)).sorted()
        var audit: [String: String] = [
            "model": result.provenance.model, "quantization": result.provenance.quantization,
            "adapter": result.provenance.adapterVersion ?? "none", "task": result.provenance.task,
            "model_sha256": modelSHA256, "adapter_sha256": adapter?.sha256 ?? "none",
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
