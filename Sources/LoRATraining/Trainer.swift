import CBLAS
import Foundation
import LLM

/// The training loop: epochs over the data in a seeded order, micro-batches accumulated into optimizer steps
/// (the loss of a step is the mean over all its labelled tokens, so batch 4 × 1 and 2 × 2 give the same step),
/// global-norm clipping, AdamW, the schedule, validation, early stopping and checkpoints.
public final class Trainer {
    public enum Outcome: String, Sendable { case finished, stoppedEarly = "stopped early", interrupted }

    public struct Progress: Sendable {
        public var step: Int, totalSteps: Int, epoch: Int
        public var loss: Double, learningRate: Double, gradientNorm: Double, tokensPerSecond: Double
        public var validationLoss: Double?
        public var secondsLeft: Double
    }

    public let model: LanguageModel
    public let settings: TrainingSettings
    public let data: TrainingData
    public let validation: TrainingData?
    let lora: LoRAParameters
    let optimizer: AdamW
    let gradients: DecoderGradients
    public private(set) var history = TrainingHistory()
    public private(set) var position = TrainingPosition()
    /// The adapter with the best validation loss so far (A, B per module), when validating.
    private(set) var best: [[Float]]?
    public let threads: Int
    /// Set from a signal handler's queue; checked between micro-batches.
    private let stopFlag = StopFlag()

    /// A run from fresh pairs (or from `initial`, an adapter to go on training).
    public init(model: LanguageModel, settings: TrainingSettings, data: TrainingData, validation: TrainingData? = nil,
                initial: LoRAAdapter? = nil, threads: Int) throws {
        try settings.validate()
        self.model = model; self.settings = settings; self.data = data; self.validation = validation
        self.threads = max(1, threads)
        lora = initial.map { LoRAParameters(adapter: $0, config: model.config) }
            ?? LoRAParameters(config: model.config, settings: settings.lora, seed: settings.seed)
        optimizer = AdamW(shapes: lora.parameters.map(\.value.count), weightDecay: Float(settings.weightDecay))
        gradients = DecoderGradients(model: model, lora: lora, dropout: Float(settings.lora.dropout), threads: self.threads,
                                     precision: settings.products)
    }

    /// The optimizer steps of every epoch as micro-batches of example indices, instead of the seeded order
    /// (parity tests replay a reference run's batches).
    package var fixedGroups: [[[Int]]]?

    /// Peak memory in bytes the run may plan for: layers whose internals fit are kept from the forward pass
    /// instead of being recomputed (nil: every layer recomputed, the least memory). Results do not change.
    public var memoryBudget: Int? {
        get { gradients.memoryBudget }
        set { gradients.memoryBudget = newValue }
    }

    public var totalSteps: Int { settings.epochs * (fixedGroups?.count ?? settings.stepsPerEpoch(examples: data.examples.count)) }

    /// Asks the loop to stop at the next micro-batch; the run then checkpoints and returns `.interrupted`.
    public func requestStop() { stopFlag.set() }

    /// The micro-batches of each optimizer step of `epoch`, as example indices.
    func groups(epoch: Int) -> [[[Int]]] {
        if let fixedGroups { return fixedGroups }
        var random = TrainingRandom(seed: TrainingRandom.mix(settings.seed ^ 0xDA7A) ^ UInt64(epoch))
        let order = random.permutation(data.examples.count)
        let batches = stride(from: 0, to: order.count, by: settings.batch).map { Array(order[$0..<min(order.count, $0 + settings.batch)]) }
        return stride(from: 0, to: batches.count, by: settings.accumulation).map {
            Array(batches[$0..<min(batches.count, $0 + settings.accumulation)])
        }
    }

    /// Runs to the end, to early stopping or to `requestStop()`. `checkpoint` is called with self whenever a
    /// checkpoint is due (every `checkpointEvery` steps, on interruption and at the end).
    public func run(progress: (Progress) -> Void = { _ in }, checkpoint: (Trainer) throws -> Void = { _ in }) throws -> Outcome {
        // With bf16 products the trainer shares work out itself (attention by kv head, the products by column
        // block) and OpenBLAS stays at one thread: its idle workers spinning beside the trainer's threads cost
        // more than they gave. With f32 products OpenBLAS's sgemm carries the work and gets the threads.
        openblas_set_num_threads(Int32(settings.products == .bf16 ? 1 : threads))
        defer { openblas_set_num_threads(1) }
        let total = totalSteps
        let started = Date()
        var stepsThisRun = 0
        while position.epoch < settings.epochs {
            let groups = self.groups(epoch: position.epoch)
            while position.group < groups.count {
                let group = groups[position.group]
                let stepStart = Date()
                guard let (loss, tokens) = step(group) else {
                    try checkpoint(self)
                    return .interrupted
                }
                let norm = GradientClipping.clip(lora.parameters.map(\.gradient), maxNorm: settings.clip.map(Float.init))
                let lr = settings.learningRate * settings.schedule.factor(step: position.step, warmup: settings.warmup, total: total)
                optimizer.update(lora.parameters, lr: Float(lr))
                let epoch = position.epoch
                position.step += 1; position.group += 1
                if position.group == groups.count { position.group = 0; position.epoch += 1 }
                stepsThisRun += 1
                let seconds = Date().timeIntervalSince(stepStart)
                history.steps.append(.init(step: position.step, epoch: epoch, loss: loss,
                                           learningRate: lr, gradientNorm: norm, tokens: tokens, seconds: seconds))
                var validationLoss: Double?
                let epochEnded = position.group == 0
                if validation != nil, settings.evalEvery > 0 ? position.step % settings.evalEvery == 0 : epochEnded {
                    validationLoss = validate()
                }
                let elapsed = Date().timeIntervalSince(started)
                progress(Progress(step: position.step, totalSteps: total, epoch: epoch, loss: loss, learningRate: lr,
                                  gradientNorm: norm, tokensPerSecond: history.steps.last!.tokensPerSecond, validationLoss: validationLoss,
                                  secondsLeft: elapsed / Double(stepsThisRun) * Double(total - position.step)))
                if let patience = settings.patience, history.sinceBest >= patience {
                    try checkpoint(self)
                    return .stoppedEarly
                }
                if settings.checkpointEvery > 0, position.step % settings.checkpointEvery == 0 { try checkpoint(self) }
                if position.group == 0 { break }
            }
        }
        try checkpoint(self)
        return .finished
    }

    /// One optimizer step's gradients (zeroed first): every micro-batch's sequences, the loss scaled by one over
    /// the step's labelled tokens. Nil when a stop was requested (the gradients are then incomplete and unused).
    func step(_ group: [[Int]]) -> (loss: Double, tokens: Int)? {
        let examples = group.flatMap { $0 }.map { data.examples[$0] }
        let labelled = examples.reduce(0) { $0 + $1.labelCount }
        lora.zeroGradients()
        var loss = 0.0, tokens = 0
        for (i, e) in examples.enumerated() {
            if stopFlag.isSet { return nil }
            let seed = TrainingRandom.mix(TrainingRandom.mix(settings.seed ^ 0xD809) ^ UInt64(position.step)) ^ UInt64(i)
            let r = gradients.run(ids: e.ids, labels: e.labels, lossScale: 1 / Float(labelled), dropoutSeed: seed)
            loss += r.loss; tokens += e.ids.count
        }
        return (loss / Double(max(1, labelled)), tokens)
    }

    /// Mean loss over the validation sequences' labelled tokens, without dropout; updates the best and the
    /// count since it.
    @discardableResult
    func validate() -> Double? {
        guard let validation else { return nil }
        let loss = self.loss(on: validation)
        history.validations.append(.init(step: position.step, loss: loss))
        if history.bestValidation.map({ loss < $0.loss }) ?? true {
            history.bestValidation = .init(step: position.step, loss: loss)
            history.sinceBest = 0
            best = lora.modules.flatMap { [$0.a.array, $0.b.array] }
        } else {
            history.sinceBest += 1
        }
        return loss
    }

    /// Mean loss over `data`'s labelled tokens with the current pairs (no dropout, no gradients).
    public func loss(on data: TrainingData) -> Double {
        var sum = 0.0, count = 0
        for e in data.examples {
            let r = gradients.run(ids: e.ids, labels: e.labels, lossScale: nil, dropoutSeed: nil)
            sum += r.loss; count += r.count
        }
        return sum / Double(max(1, count))
    }

    /// The adapter to keep: the best by validation loss when there was validation, else the last.
    public func adapter(folder: URL) -> LoRAAdapter {
        guard let best else { return lora.adapter(folder: folder) }
        let snapshot = LoRAParameters(modules: lora.modules.enumerated().map { i, m in
            LoRAParameters.Module(layer: m.layer, projection: m.projection, outputs: m.outputs, inputs: m.inputs, rank: m.rank,
                                  scale: m.scale, a: best[2 * i], b: best[2 * i + 1])
        })
        return snapshot.adapter(folder: folder)
    }

    // MARK: - Checkpoint state (TrainingCheckpoint reads and writes it)

    var tensors: [FloatBuffer] { lora.parameters.map(\.value) + optimizer.m + optimizer.v }
    func restore(position: TrainingPosition, history: TrainingHistory, optimizerStep: Int, best: [[Float]]?) {
        self.position = position; self.history = history; self.best = best
        optimizer.restore(step: optimizerStep)
    }
    var optimizerStep: Int { optimizer.step }
    var bestTensors: [[Float]]? { best }
}

/// A flag one thread sets and another reads.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
    func set() { lock.lock(); value = true; lock.unlock() }
}
