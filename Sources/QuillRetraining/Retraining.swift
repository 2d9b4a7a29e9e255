import Digests
import Foundation
import LLM
import LoRATraining
import QuillDaemon
import QuillPipeline
import QuillStore

/// `quill retrain`, once: corrections → training set (+ replayed accepts) → a candidate adapter trained by
/// Quill's trainer → the gate on held-out corrections → `adapters/vN`, promoted or kept as rejected.
///
/// The candidate is written in `adapters/.partial-vN/` and renamed to `vN` only when complete, so a run
/// killed at any point leaves the active adapter serving and no half-written version; the next run
/// removes the partial folder and starts again.
public struct Retraining {
    public let config: QuillConfig
    public let root: StateRoot
    public let store: QuillStore
    public let pipeline: DocumentPipeline
    /// What serves now: a registered version, the shipped adapter, or nothing.
    public let current: (name: String, folder: URL)?
    public let baseModel: String
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Called between training steps: returns once no clinical document is waiting (or after the yield limit).
    public var yieldToDocuments: () -> Void = {}
    public var log: (String) -> Void = { _ in }

    public init(config: QuillConfig, root: StateRoot, store: QuillStore, pipeline: DocumentPipeline,
                current: (name: String, folder: URL)?, baseModel: String) {
        self.config = config; self.root = root; self.store = store; self.pipeline = pipeline
        self.current = current; self.baseModel = baseModel
    }

    public enum Outcome: Sendable, Equatable {
        case nothingToDo(String)
        case promoted(AdapterRecord)
        case rejected(AdapterRecord)
    }

    public func run(actor: String) throws -> Outcome {
        let registry = AdapterRegistry(root: root, store: store)
        try FileManager.default.createDirectory(atPath: registry.folder, withIntermediateDirectories: true)
        for stale in (try? FileManager.default.contentsOfDirectory(atPath: registry.folder))?.filter({ $0.hasPrefix(".partial-") }) ?? [] {
            try FileManager.default.removeItem(atPath: registry.folder + "/" + stale)
            log("removed the unfinished candidate \(stale) of an earlier run")
        }
        let (examples, leftOut) = try CorrectionExamples.build(store: store, root: root, config: config, template: pipeline.chatTemplate)
        for l in leftOut { log("review \(l.review) left out: \(l.reason)") }
        let used = Set(try registry.versions().flatMap { $0.trainedOn + $0.heldOut })
        let corrections = examples.filter { $0.review.kind == .correct }
        let fresh = corrections.filter { !used.contains($0.review.id) }
        let rt = config.retraining
        if fresh.count < rt.minNewCorrections {
            return .nothingToDo("\(fresh.count) new correction(s); retraining.min_new_corrections is \(rt.minNewCorrections)")
        }
        let heldOut = corrections.filter(\.heldOut)
        guard !heldOut.isEmpty else { throw RetrainingError.tooFewHeldOut(0) }
        let taught = corrections.filter { !$0.heldOut }
        // Replayed accepts, the same ones each run (by review id), so that what was right stays right.
        let accepts = examples.filter { $0.review.kind == .accept }.sorted { $0.review.id < $1.review.id }
        let replay = Array(accepts.prefix(Int((Double(taught.count) * rt.replayShare).rounded())))
        let trainSet = taught + replay

        let version = registry.nextVersion()
        let partial = registry.folder + "/.partial-" + version
        try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: false)
        let trainText = trainSet.map(\.jsonLine).joined(separator: "\n") + "\n"
        let holdoutText = heldOut.map(\.jsonLine).joined(separator: "\n") + "\n"
        try Data(trainText.utf8).write(to: URL(fileURLWithPath: partial + "/train.jsonl"))
        try Data(holdoutText.utf8).write(to: URL(fileURLWithPath: partial + "/holdout.jsonl"))

        let model = pipeline.model
        let parent = rt.from == "active" ? current : nil
        let initial = try parent.map { try LoRAAdapter.load($0.folder, for: model.config) }
        var settings = TrainingSettings()
        settings.lora = try parent.flatMap { try Self.peftSettings($0.folder) }
            ?? LoRASettings(targets: try LoRASettings.targets(parsing: rt.targets), rank: rt.rank, alpha: rt.alpha)
        settings.epochs = rt.epochs
        settings.learningRate = rt.learningRate
        settings.batch = rt.batch
        settings.accumulation = rt.accumulation
        settings.maxLength = rt.maxLength
        settings.products = .automatic(quantizedBase: model.layers.contains { $0.q.format != .f32 })
        func data(_ name: String) throws -> TrainingData {
            try TrainingData(file: partial + "/" + name, tokenizer: pipeline.tokenizer, template: pipeline.chatTemplate,
                             maxLength: settings.maxLength, vocabulary: model.config.vocabulary)
        }
        let trainData = try data("train.jsonl"), heldOutData = try data("holdout.jsonl")
        let gate = RetrainingGate(pipeline: pipeline, heldOut: heldOut, heldOutData: heldOutData, settings: settings, threads: threads)
        let before = try gate.metrics(of: initial)
        log(String(format: "active adapter %@ on %d held-out corrections: ROUGE-L %.4f, loss %.4f", current?.name ?? "none", heldOut.count, before.rougeL, before.loss))

        let start = Date()
        let trainer = try Trainer(model: model, settings: settings, data: trainData, initial: initial, threads: threads)
        _ = try trainer.run(progress: { p in
            if p.step % 10 == 0 || p.step == p.totalSteps { log(String(format: "step %d/%d loss %.4f", p.step, p.totalSteps, p.loss)) }
            yieldToDocuments()
        })
        let seconds = Date().timeIntervalSince(start)
        let folderURL = URL(fileURLWithPath: partial)
        let candidate = trainer.adapter(folder: folderURL)
        try PEFTAdapterWriter.write(candidate, settings: settings.lora, config: model.config, baseModel: baseModel, to: folderURL)
        try LossCurveSVG.draw(trainer.history, title: "\(version) from \(parent?.name ?? "fresh pairs")")
            .write(to: folderURL.appendingPathComponent("loss-curve.svg"), atomically: true, encoding: .utf8)
        let after = try gate.metrics(of: try LoRAAdapter.load(folderURL, for: model.config))
        let decision = RetrainingGate.decide(before: before, after: after, margin: rt.margin)

        let record = AdapterRecord(version: version, parent: parent?.name, created: ISO8601DateFormatter().string(from: Date()),
                                   baseModel: baseModel, trainedOn: trainSet.map(\.review.id), heldOut: heldOut.map(\.review.id),
                                   trainSHA256: SHA256.hex(trainText), holdoutSHA256: SHA256.hex(holdoutText),
                                   before: before, after: after, status: .rejected, reason: decision.reason,
                                   trainingSeconds: seconds, steps: trainer.position.step)
        try registry.write(record, in: partial)
        try FileManager.default.moveItem(atPath: partial, toPath: registry.folder + "/" + version)
        try store.record(actor: actor, action: "adapter.trained", details: [
            "version": .string(version), "parent": .string(parent?.name ?? ""), "trained_on": .int(trainSet.count),
            "held_out": .int(heldOut.count), "train_sha256": .string(record.trainSHA256), "passed_gate": .bool(decision.promote),
        ])
        guard decision.promote else { return .rejected(record) }
        try registry.promote(version, actor: actor, reason: decision.reason)
        return .promoted(try registry.record(version))
    }

    /// The LoRA settings of a PEFT folder, to continue training it as it is; `nil` for a GGUF adapter.
    static func peftSettings(_ folder: URL) throws -> LoRASettings? {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("adapter_config.json").path),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let r = object["r"] as? Int, let targets = object["target_modules"] as? [String] else { return nil }
        return LoRASettings(targets: targets, rank: r, alpha: (object["lora_alpha"] as? NSNumber)?.doubleValue ?? Double(2 * r),
                            dropout: (object["lora_dropout"] as? NSNumber)?.doubleValue ?? 0.05,
                            rslora: object["use_rslora"] as? Bool ?? false)
    }
}
