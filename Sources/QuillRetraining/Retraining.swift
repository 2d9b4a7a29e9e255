import Digests
import Foundation
#if canImport(Glibc)
import Glibc
#endif
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

    /// The examples of one run: corrections taught and held out, and the replayed accepts.
    struct Sets {
        var heldOut: [CorrectionExample]
        var trainSet: [CorrectionExample]
        var trainText: String { trainSet.map(\.jsonLine).joined(separator: "\n") + "\n" }
        var holdoutText: String { heldOut.map(\.jsonLine).joined(separator: "\n") + "\n" }
    }

    /// Corrections → taught and held-out sets (plus replayed accepts); `nil` with the reason when there are
    /// too few new corrections. `requireNew` is off for export and import, which judge whatever is there.
    func sets(requireNew: Bool = true) throws -> Result<Sets, NothingToDo> {
        let registry = AdapterRegistry(root: root, store: store)
        let (examples, leftOut) = try CorrectionExamples.build(store: store, root: root, config: config, template: pipeline.chatTemplate)
        for l in leftOut { log("review \(l.review) left out: \(l.reason)") }
        let used = Set(try registry.versions().flatMap { $0.trainedOn + $0.heldOut })
        let corrections = examples.filter { $0.review.kind == .correct }
        let fresh = corrections.filter { !used.contains($0.review.id) }
        let rt = config.retraining
        if requireNew && fresh.count < rt.minNewCorrections {
            return .failure(NothingToDo(reason: "\(fresh.count) new correction(s); retraining.min_new_corrections is \(rt.minNewCorrections)"))
        }
        let heldOut = corrections.filter(\.heldOut)
        guard !heldOut.isEmpty else { throw RetrainingError.tooFewHeldOut(0) }
        let taught = corrections.filter { !$0.heldOut }
        // Replayed accepts, the same ones each run (by review id), so that what was right stays right.
        let accepts = examples.filter { $0.review.kind == .accept }.sorted { $0.review.id < $1.review.id }
        let replay = Array(accepts.prefix(Int((Double(taught.count) * rt.replayShare).rounded())))
        return .success(Sets(heldOut: heldOut, trainSet: taught + replay))
    }

    struct NothingToDo: Error { var reason: String }

    /// The training settings: the parent's LoRA shape when continuing it, `[retraining]`'s otherwise.
    func trainingSettings(parent: (name: String, folder: URL)?) throws -> TrainingSettings {
        let rt = config.retraining
        var settings = TrainingSettings()
        settings.lora = try parent.flatMap { try Self.peftSettings($0.folder) }
            ?? LoRASettings(targets: try LoRASettings.targets(parsing: rt.targets), rank: rt.rank, alpha: rt.alpha)
        settings.epochs = rt.epochs
        settings.learningRate = rt.learningRate
        settings.batch = rt.batch
        settings.accumulation = rt.accumulation
        settings.maxLength = rt.maxLength
        settings.products = .automatic(quantizedBase: pipeline.model.layers.contains { $0.q.format != .f32 })
        return settings
    }

    /// Runs `body` holding `adapters/.retrain.lock`; `nil` when another run holds it. One run at a time (the
    /// daemon's schedule and the systemd timer may both be set): the lock is the kernel's, so a run killed
    /// with -9 releases it, and only its holder may remove partial folders. Stale ones go first.
    func holdingTheRegistry<T>(_ body: (AdapterRegistry) throws -> T) throws -> T? {
        let registry = AdapterRegistry(root: root, store: store)
        try FileManager.default.createDirectory(atPath: registry.folder, withIntermediateDirectories: true)
        let lock = open(registry.folder + "/.retrain.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0 else { throw RetrainingError.lockUnavailable(String(cString: strerror(errno))) }
        defer { close(lock) }
        guard flock(lock, LOCK_EX | LOCK_NB) == 0 else { return nil }
        for stale in (try? FileManager.default.contentsOfDirectory(atPath: registry.folder))?.filter({ $0.hasPrefix(".partial-") }) ?? [] {
            try FileManager.default.removeItem(atPath: registry.folder + "/" + stale)
            log("removed the unfinished candidate \(stale) of an earlier run")
        }
        return try body(registry)
    }

    static let busy = Outcome.nothingToDo("another retraining run is in progress")

    public func run(actor: String) throws -> Outcome {
        try holdingTheRegistry { registry in
            let sets: Sets
            switch try self.sets() {
            case .failure(let nothing): return .nothingToDo(nothing.reason)
            case .success(let s): sets = s
            }
            let version = registry.nextVersion()
            let partial = registry.folder + "/.partial-" + version
            try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: false)
            let parent = config.retraining.from == "active" ? current : nil
            let initial = try parent.map { try LoRAAdapter.load($0.folder, for: pipeline.model.config) }
            let settings = try trainingSettings(parent: parent)
            // Judged against what serves now, also when training starts from fresh pairs.
            let serving = try parent == nil ? current.map { try LoRAAdapter.load($0.folder, for: pipeline.model.config) } : initial
            let (gate, before) = try prepareGate(sets, in: partial, settings: settings, initial: serving)

            let start = Date()
            let trainData = try data(partial + "/train.jsonl", settings: settings)
            let trainer = try Trainer(model: pipeline.model, settings: settings, data: trainData, initial: initial, threads: threads)
            _ = try trainer.run(progress: { p in
                if p.step % 10 == 0 || p.step == p.totalSteps { log(String(format: "step %d/%d loss %.4f", p.step, p.totalSteps, p.loss)) }
                yieldToDocuments()
            })
            let seconds = Date().timeIntervalSince(start)
            let folderURL = URL(fileURLWithPath: partial)
            try PEFTAdapterWriter.write(trainer.adapter(folder: folderURL), settings: settings.lora, config: pipeline.model.config,
                                        baseModel: baseModel, to: folderURL)
            try LossCurveSVG.draw(trainer.history, title: "\(version) from \(parent?.name ?? "fresh pairs")")
                .write(to: folderURL.appendingPathComponent("loss-curve.svg"), atomically: true, encoding: .utf8)
            return try judgeAndRegister(partial: partial, version: version, parent: parent?.name, sets: sets, gate: gate, before: before,
                                        source: "quill retrain", seconds: seconds, steps: trainer.position.step, registry: registry, actor: actor)
        } ?? Self.busy
    }

    /// `quill adapter import`: a PEFT adapter trained elsewhere (on the export of `export(to:)`, say) goes
    /// through the same gate on the same held-out corrections, and into the registry promoted or rejected.
    public func importAdapter(from folder: URL, actor: String) throws -> Outcome {
        let names = ["adapter_config.json", "adapter_model.safetensors"]
        for n in names where !FileManager.default.fileExists(atPath: folder.appendingPathComponent(n).path) {
            throw RetrainingError.notAnAdapter(folder.lastPathComponent, missing: n)
        }
        // Refused before anything is written when it does not fit this base model.
        _ = try LoRAAdapter.load(folder, for: pipeline.model.config)
        let manifest = try ExportManifest.read(folder.appendingPathComponent(ExportManifest.fileName))
        return try holdingTheRegistry { registry in
            let sets: Sets
            switch try self.sets(requireNew: false) {
            case .failure(let nothing): return .nothingToDo(nothing.reason)
            case .success(let s): sets = s
            }
            if let manifest, !Set(manifest.trainedOn).isDisjoint(with: sets.heldOut.map(\.review.id)) {
                throw RetrainingError.trainedOnHeldOut(folder.lastPathComponent)
            }
            let version = registry.nextVersion()
            let partial = registry.folder + "/.partial-" + version
            try FileManager.default.createDirectory(atPath: partial, withIntermediateDirectories: false)
            for n in names + ["loss-curve.svg", "trainer_log.json"] where FileManager.default.fileExists(atPath: folder.appendingPathComponent(n).path) {
                try FileManager.default.copyItem(atPath: folder.appendingPathComponent(n).path, toPath: partial + "/" + n)
            }
            let initial = try current.map { try LoRAAdapter.load($0.folder, for: pipeline.model.config) }
            let settings = try trainingSettings(parent: nil)
            var imported = sets
            // What it was trained on, as the export says: the record names those reviews, not today's set.
            // Without an export's manifest nothing says what it learned from: it names no reviews.
            imported.trainSet = manifest.map { m in sets.trainSet.filter { m.trainedOn.contains($0.review.id) } } ?? []
            let (gate, before) = try prepareGate(imported, in: partial, settings: settings, initial: initial)
            return try judgeAndRegister(partial: partial, version: version, parent: current?.name, sets: imported, gate: gate, before: before,
                                        source: "imported from \(folder.lastPathComponent)" + (manifest.map { " (export \($0.id))" } ?? ""),
                                        seconds: manifest?.trainingSeconds ?? 0, steps: 0, registry: registry, actor: actor)
        } ?? Self.busy
    }

    func data(_ path: String, settings: TrainingSettings) throws -> TrainingData {
        try TrainingData(file: path, tokenizer: pipeline.tokenizer, template: pipeline.chatTemplate,
                         maxLength: settings.maxLength, vocabulary: pipeline.model.config.vocabulary)
    }

    /// Writes the sets into the candidate's folder and measures the adapter that serves now.
    func prepareGate(_ sets: Sets, in partial: String, settings: TrainingSettings, initial: LoRAAdapter?) throws -> (RetrainingGate, GateMetrics) {
        try Data(sets.trainText.utf8).write(to: URL(fileURLWithPath: partial + "/train.jsonl"))
        try Data(sets.holdoutText.utf8).write(to: URL(fileURLWithPath: partial + "/holdout.jsonl"))
        let gate = RetrainingGate(pipeline: pipeline, heldOut: sets.heldOut, heldOutData: try data(partial + "/holdout.jsonl", settings: settings),
                                  settings: settings, threads: threads)
        let before = try gate.metrics(of: initial)
        log(String(format: "active adapter %@ on %d held-out corrections: ROUGE-L %.4f, loss %.4f", current?.name ?? "none", sets.heldOut.count, before.rougeL, before.loss))
        return (gate, before)
    }

    /// The gate on the finished candidate in `partial`, its record, the rename to `version` (the one step that
    /// makes it a version), the audit event, and the promotion when it passed.
    func judgeAndRegister(partial: String, version: String, parent: String?, sets: Sets, gate: RetrainingGate, before: GateMetrics,
                          source: String, seconds: Double, steps: Int, registry: AdapterRegistry, actor: String) throws -> Outcome {
        let after = try gate.metrics(of: try LoRAAdapter.load(URL(fileURLWithPath: partial), for: pipeline.model.config))
        let decision = RetrainingGate.decide(before: before, after: after, margin: config.retraining.margin)
        let record = AdapterRecord(version: version, parent: parent, created: ISO8601DateFormatter().string(from: Date()),
                                   baseModel: baseModel, trainedOn: sets.trainSet.map(\.review.id), heldOut: sets.heldOut.map(\.review.id),
                                   trainSHA256: SHA256.hex(sets.trainText), holdoutSHA256: SHA256.hex(sets.holdoutText),
                                   before: before, after: after, status: .rejected, reason: decision.reason,
                                   trainingSeconds: seconds, steps: steps, source: source)
        try registry.write(record, in: partial)
        try FileManager.default.moveItem(atPath: partial, toPath: registry.folder + "/" + version)
        try store.record(actor: actor, action: "adapter.trained", details: [
            "version": .string(version), "parent": .string(parent ?? ""), "trained_on": .int(sets.trainSet.count),
            "held_out": .int(sets.heldOut.count), "train_sha256": .string(record.trainSHA256), "passed_gate": .bool(decision.promote),
            "source": .string(source.hasPrefix("imported") ? "imported" : "trained"),
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
