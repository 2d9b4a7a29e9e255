import Foundation

/// `training-run.json`: the settings, the data (file, SHA-256, sequences, tokens, lines left out), every step's
/// loss, learning rate, gradient norm and tokens/s, every validation, and how the run ended.
public enum TrainingRunReport {
    public static func json(_ trainer: Trainer, baseModel: String, outcome: Trainer.Outcome, peakRSSBytes: Int?) throws -> Data {
        func dataJSON(_ d: TrainingData) -> [String: Any] {
            ["file": d.file, "sha256": d.sha256, "sequences": d.examples.count, "tokens": d.tokenCount,
             "labelled_tokens": d.examples.reduce(0) { $0 + $1.labelCount }, "lines_left_out": d.dropped]
        }
        let settings = try JSONSerialization.jsonObject(with: JSONEncoder().encode(trainer.settings))
        let h = trainer.history
        let steps: [[String: Any]] = h.steps.map {
            ["step": $0.step, "epoch": $0.epoch, "loss": $0.loss, "learning_rate": $0.learningRate, "gradient_norm": $0.gradientNorm,
             "tokens": $0.tokens, "seconds": $0.seconds, "tokens_per_second": $0.tokensPerSecond]
        }
        let totalTokens = h.steps.reduce(0) { $0 + $1.tokens }, totalSeconds = h.steps.reduce(0) { $0 + $1.seconds }
        var object: [String: Any] = [
            "base_model": baseModel, "settings": settings, "data": dataJSON(trainer.data), "outcome": outcome.rawValue,
            "steps_done": trainer.position.step, "steps_planned": trainer.totalSteps, "threads": trainer.threads,
            "trainable_parameters": trainer.lora.parameterCount,
            "tokens_per_second": totalSeconds > 0 ? Double(totalTokens) / totalSeconds : 0,
            "steps": steps, "validations": h.validations.map { ["step": $0.step, "loss": $0.loss] },
        ]
        if let v = trainer.validation { object["validation_data"] = dataJSON(v) }
        if let b = h.bestValidation { object["best_validation"] = ["step": b.step, "loss": b.loss]; object["adapter_is"] = "best by validation loss" }
        else { object["adapter_is"] = "last step" }
        if let peakRSSBytes { object["peak_rss_bytes"] = peakRSSBytes }
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}
