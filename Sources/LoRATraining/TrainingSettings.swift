import Foundation

/// One training run's settings; defaults follow transformers' `TrainingArguments` where it has one (no weight
/// decay, no warm-up, clipping at 1.0), with PEFT users' usual LoRA learning rate.
public struct TrainingSettings: Sendable, Equatable, Codable {
    public var lora = LoRASettings()
    public var epochs = 1
    public var learningRate = 2e-4
    /// Sequences per micro-batch, and micro-batches per optimizer step.
    public var batch = 1
    public var accumulation = 1
    /// Tokens per sequence (longer ones are cut; raw text is packed into blocks of this length).
    public var maxLength = 512
    /// Optimizer steps of linear warm-up.
    public var warmup = 0
    public var schedule = LearningRateSchedule.cosine
    public var weightDecay = 0.0
    /// Global gradient-norm limit (nil: no clipping).
    public var clip: Double? = 1.0
    /// Seeds A's initialisation, dropout masks and the data order.
    public var seed: UInt64 = 0
    /// Validation every this many optimizer steps (0: at the end of each epoch), when a validation file is given.
    public var evalEvery = 0
    /// Stop after this many validations without a better loss (nil: never stop early).
    public var patience: Int?
    /// A checkpoint every this many optimizer steps (0: only when stopped by a signal and at the end).
    public var checkpointEvery = 0
    /// How the frozen weights' products are computed (f32 exact, or bf16 on AMX tiles).
    public var products = FrozenProductPrecision.f32

    public init() {}

    public func validate() throws {
        try lora.validate()
        func positive(_ name: String, _ v: Int) throws {
            guard v > 0 else { throw TrainingError.badSetting("\(name) must be positive, not \(v)") }
        }
        try positive("epochs", epochs); try positive("batch", batch); try positive("accum", accumulation)
        try positive("max-len", maxLength)
        guard maxLength >= 2 else { throw TrainingError.badSetting("max-len must be at least 2 tokens") }
        guard learningRate > 0 else { throw TrainingError.badSetting("lr must be positive, not \(learningRate)") }
        guard warmup >= 0, evalEvery >= 0, checkpointEvery >= 0 else {
            throw TrainingError.badSetting("warmup, eval-every and checkpoint-every cannot be negative")
        }
        guard weightDecay >= 0 else { throw TrainingError.badSetting("weight-decay cannot be negative") }
        if let clip, clip <= 0 { throw TrainingError.badSetting("clip must be positive, not \(clip)") }
        if products == .bf16 && !BF16Products.available {
            throw TrainingError.badSetting("bf16 products need Intel AMX (amx_bf16), which this CPU or kernel does not offer; use f32")
        }
        if let patience, patience <= 0 { throw TrainingError.badSetting("patience must be positive, not \(patience)") }
    }

    /// Optimizer steps in one epoch of `examples` sequences (a last short batch and group still make a step).
    public func stepsPerEpoch(examples: Int) -> Int {
        let batches = (examples + batch - 1) / batch
        return (batches + accumulation - 1) / accumulation
    }
}
