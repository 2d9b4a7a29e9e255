import Digests
import Foundation
import LoRATraining

/// `quill retrain --export DIR`: the same training set `quill retrain` would train on, for a GPU cluster.
/// JSONL that Hugging Face `datasets` loads ({"prompt", "completion"}: TRL's prompt-completion form, loss on
/// the completion), PEFT's `LoraConfig` and TRL's `SFTConfig` as JSON, a TRL `SFTTrainer` script, and a
/// DeepSpeed ZeRO-3 configuration for training across GPUs. The adapter it writes comes back through
/// `quill adapter import`, and the same gate.
extension Retraining {
    public struct ExportSummary: Sendable {
        public var folder: String
        public var manifest: ExportManifest
        public var files: [String]
    }

    public func export(to folder: URL, actor: String) throws -> ExportSummary {
        let path = folder.path
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: path), !existing.isEmpty {
            throw RetrainingError.exportFolderNotEmpty(folder.lastPathComponent)
        }
        guard case .success(let sets) = try sets(requireNew: false) else { throw RetrainingError.tooFewHeldOut(0) }
        let parent = config.retraining.from == "active" ? current : nil
        let settings = try trainingSettings(parent: parent)
        let trainText = sets.trainText, holdoutText = sets.holdoutText
        let manifest = ExportManifest(id: String(SHA256.hex(trainText + holdoutText).prefix(16)), created: ISO8601DateFormatter().string(from: Date()),
                                      baseModel: baseModel, trainedOn: sets.trainSet.map(\.review.id), heldOut: sets.heldOut.map(\.review.id),
                                      trainSHA256: SHA256.hex(trainText), holdoutSHA256: SHA256.hex(holdoutText))
        // Written beside the final folder and renamed, so a half-written export is never mistaken for one.
        let staging = folder.deletingLastPathComponent().appendingPathComponent(".\(folder.lastPathComponent).partial")
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        func write(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: staging.appendingPathComponent(name))
        }
        func json(_ object: Any) throws -> String {
            String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]), as: UTF8.self) + "\n"
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try write("train.jsonl", trainText)
        try write("holdout.jsonl", holdoutText)
        try write(ExportManifest.fileName, String(decoding: try encoder.encode(manifest), as: UTF8.self) + "\n")
        let lora = settings.lora
        try write("lora_config.json", try json([
            "r": lora.rank, "lora_alpha": lora.alpha, "lora_dropout": lora.dropout, "target_modules": lora.targets,
            "use_rslora": lora.rslora, "bias": "none", "task_type": "CAUSAL_LM",
            "init_lora_weights": lora.initialisation == .gaussian ? "gaussian" as Any : true as Any,
        ]))
        try write("sft_config.json", try json([
            "num_train_epochs": settings.epochs, "learning_rate": settings.learningRate,
            "per_device_train_batch_size": settings.batch, "gradient_accumulation_steps": settings.accumulation,
            "max_length": settings.maxLength, "lr_scheduler_type": settings.schedule == .cosine ? "cosine" : "linear",
            "warmup_steps": settings.warmup, "weight_decay": settings.weightDecay, "max_grad_norm": settings.clip ?? 0,
            "seed": Int(settings.seed), "completion_only_loss": true, "packing": false,
        ]))
        try write("ds_zero3.json", ExportScripts.deepSpeedZero3)
        try write("train_sft.py", ExportScripts.trainSFT)
        try write("README.md", ExportScripts.readme(manifest: manifest, examples: sets.trainSet.count, heldOut: sets.heldOut.count))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: staging.appendingPathComponent("train_sft.py").path)
        try? FileManager.default.removeItem(at: folder)  // an empty folder given by the user
        try FileManager.default.moveItem(at: staging, to: folder)
        try store.record(actor: actor, action: "retraining.exported", details: [
            "export": .string(manifest.id), "trained_on": .int(manifest.trainedOn.count), "held_out": .int(manifest.heldOut.count),
            "train_sha256": .string(manifest.trainSHA256),
        ])
        let files = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
        return ExportSummary(folder: path, manifest: manifest, files: files)
    }
}
