import ArgumentParser
import Foundation
import LLM
import LoRATraining
import Tokenizers

/// `quill lm train`: a LoRA adapter trained on this machine's CPU, written as a PEFT folder with its
/// training-run.json, loss curve and checkpoint. SIGINT or SIGTERM checkpoints and exits 0; `--resume` goes on.
struct LMTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a LoRA adapter on the CPU (supervised fine-tuning or continual pre-training).",
        discussion: """
        --data is JSONL: {"messages": [...]} (chat template, loss on assistant turns), {"prompt", "completion"} \
        (loss on the completion and end-of-sequence) or {"text"} (packed raw text, loss everywhere). \
        With --resume the run's settings come from its checkpoint; the data must be the same file.
        """)

    @Option(help: "The base: a Hugging Face model folder or a .gguf file (frozen).")
    var model: String
    @Option(help: "How a folder's weights are held (f32, q8_0, q4_0); a .gguf file's are used as stored.")
    var quant: WeightFormat = .q8_0
    @Option(help: "Training data, JSONL.") var data: String
    @Option(help: "Held-out data for validation loss, JSONL.") var val: String?
    @Option(help: "The adapter folder to write.") var out: String
    @Option(help: "An adapter (PEFT folder) to continue training instead of fresh pairs.") var adapter: String?
    @Option(help: "A run's folder to resume from its checkpoint.bin.") var resume: String?

    @Option(help: "Projections to adapt: q,k,v,o,gate,up,down or all.") var targets = "q,v"
    @Option(help: "LoRA rank.") var rank = 16
    @Option(help: "LoRA alpha.") var alpha = 32.0
    @Option(help: "Dropout on the adapter's input.") var dropout = 0.05
    @Flag(help: "rsLoRA scaling (alpha / √rank).") var rslora = false
    @Option(help: "Initialisation of A: kaiming or gaussian.") var initialisation = "kaiming"

    @Option(help: "Epochs.") var epochs = 1
    @Option(help: "Peak learning rate.") var lr = 2e-4
    @Option(help: "Sequences per micro-batch.") var batch = 1
    @Option(help: "Micro-batches per optimizer step.") var accum = 1
    @Option(name: .customLong("max-len"), help: "Tokens per sequence.") var maxLength = 512
    @Option(help: "Warm-up steps.") var warmup = 0
    @Option(help: "cosine, linear or constant.") var schedule = "cosine"
    @Option(name: .customLong("weight-decay"), help: "AdamW's decoupled weight decay.") var weightDecay = 0.0
    @Option(help: "Global gradient-norm limit (0: none).") var clip = 1.0
    @Option(help: "Seed for initialisation, dropout and data order.") var seed: UInt64 = 0
    @Option(name: .customLong("eval-every"), help: "Validate every N steps (0: each epoch).") var evalEvery = 0
    @Option(help: "Stop after N validations without improvement.") var patience: Int?
    @Option(name: .customLong("checkpoint-every"), help: "Checkpoint every N steps (0: on a signal and at the end).") var checkpointEvery = 0
    @Option(help: "Frozen-weight products: auto (bf16 on AMX for a quantized base, else f32), f32 or bf16.") var products = "auto"
    @Option(name: .customLong("memory-budget"), help: "GiB of memory the run may plan for: layers whose activations fit are kept instead of recomputed (0, the default: recompute every layer, the least memory).")
    var memoryBudget = 0.0
    @Option(help: "Threads (default: every core).") var threads = ProcessInfo.processInfo.activeProcessorCount

    func settingsFromFlags(quantizedBase: Bool) throws -> TrainingSettings {
        var s = TrainingSettings()
        switch products {
        case "auto": s.products = .automatic(quantizedBase: quantizedBase)
        case let p: guard let v = FrozenProductPrecision(rawValue: p) else { throw ValidationError("--products must be auto, f32 or bf16, not '\(p)'") }
            s.products = v
        }
        guard let initial = LoRASettings.Initialisation(rawValue: initialisation) else {
            throw ValidationError("--initialisation must be kaiming or gaussian, not '\(initialisation)'")
        }
        s.lora = LoRASettings(targets: try LoRASettings.targets(parsing: targets), rank: rank, alpha: alpha, dropout: dropout,
                              rslora: rslora, initialisation: initial)
        guard let sched = LearningRateSchedule(rawValue: schedule) else {
            throw ValidationError("--schedule must be cosine, linear or constant, not '\(schedule)'")
        }
        s.epochs = epochs; s.learningRate = lr; s.batch = batch; s.accumulation = accum; s.maxLength = maxLength
        s.warmup = warmup; s.schedule = sched; s.weightDecay = weightDecay; s.clip = clip > 0 ? clip : nil; s.seed = seed
        s.evalEvery = evalEvery; s.patience = patience; s.checkpointEvery = checkpointEvery
        try s.validate()
        return s
    }

    func run() throws {
        let modelURL = URL(fileURLWithPath: model), outURL = URL(fileURLWithPath: out)
        let base = try LanguageModel.load(folder: modelURL, format: quant)
        let quantized = base.layers.contains { $0.q.format != .f32 || $0.down.format != .f32 }
        let settings = try resume.map { try TrainingCheckpoint.settings(in: URL(fileURLWithPath: $0)) } ?? settingsFromFlags(quantizedBase: quantized)
        // A folder without tokenizer.json (a benchmark shape, a bare checkpoint) trains on input_ids records only.
        let hasTokenizer = ModelFiles.isGGUF(modelURL) || FileManager.default.fileExists(atPath: modelURL.appendingPathComponent("tokenizer.json").path)
        let tokenizer = hasTokenizer ? try ModelFiles.tokenizer(at: modelURL) : nil
        let template = hasTokenizer ? try? ModelFiles.chatTemplate(at: modelURL) : nil
        func read(_ file: String) throws -> TrainingData {
            try TrainingData(file: file, tokenizer: tokenizer, template: template, maxLength: settings.maxLength, vocabulary: base.config.vocabulary)
        }
        let train = try read(data)
        let validation = try val.map(read)
        let initial = try adapter.map { try LoRAAdapter.load(URL(fileURLWithPath: $0), for: base.config) }
        let trainer = try Trainer(model: base, settings: settings, data: train, validation: validation, initial: initial, threads: threads)
        if memoryBudget > 0 { trainer.memoryBudget = Int(memoryBudget * 1_073_741_824) }
        if let resume { try TrainingCheckpoint.restore(trainer, from: URL(fileURLWithPath: resume)) }
        try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true)

        let signals = [SIGINT, SIGTERM].map { sig -> DispatchSourceSignal in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { trainer.requestStop() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }

        let terminal = isatty(STDERR_FILENO) == 1
        let outcome = try trainer.run(progress: { p in
            if terminal {
                let eta = p.secondsLeft.isFinite ? String(format: "%dm%02ds", Int(p.secondsLeft) / 60, Int(p.secondsLeft) % 60) : "–"
                let v = p.validationLoss.map { String(format: "  val %.4f", $0) } ?? ""
                FileHandle.standardError.write(Data(String(format: "\rstep %d/%d  loss %.4f%@  lr %.2e  %.1f tok/s  ETA %@   ",
                                                           p.step, p.totalSteps, p.loss, v, p.learningRate, p.tokensPerSecond, eta).utf8))
            } else {
                var line: [String: Any] = ["step": p.step, "total_steps": p.totalSteps, "epoch": p.epoch, "loss": p.loss,
                                           "learning_rate": p.learningRate, "gradient_norm": p.gradientNorm,
                                           "tokens_per_second": p.tokensPerSecond, "seconds_left": p.secondsLeft]
                if let v = p.validationLoss { line["validation_loss"] = v }
                try? printJSON(line)
            }
        }, checkpoint: { try TrainingCheckpoint.write($0, to: outURL) })
        if terminal { FileHandle.standardError.write(Data("\n".utf8)) }

        try PEFTAdapterWriter.write(trainer.adapter(folder: outURL), settings: settings.lora, config: base.config, baseModel: model, to: outURL)
        let report = try TrainingRunReport.json(trainer, baseModel: model, outcome: outcome, peakRSSBytes: peakRSS())
        try report.write(to: outURL.appendingPathComponent("training-run.json"), options: .atomic)
        try LossCurveSVG.draw(trainer.history, title: "LoRA r\(settings.lora.rank) on \(modelURL.lastPathComponent)")
            .write(to: outURL.appendingPathComponent("loss-curve.svg"), atomically: true, encoding: .utf8)
        try printJSON(["outcome": outcome.rawValue, "steps": trainer.position.step, "out": out,
                       "final_loss": trainer.history.steps.last?.loss ?? NSNull(),
                       "best_validation_loss": trainer.history.bestValidation?.loss ?? NSNull(),
                       "lines_left_out": train.dropped, "peak_rss_bytes": peakRSS()])
    }
}

/// Peak resident memory of this process so far, in bytes (Linux reports kilobytes).
func peakRSS() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}
