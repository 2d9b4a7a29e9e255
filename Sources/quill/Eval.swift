import ArgumentParser
import ClinicalDocuments
import Foundation
import LLM
import QuillEval
import QuillPipeline
import SyntheticRecords

/// `quill eval`: Quill's pipeline over a synthetic data set (`quill synth --format jsonl`), scored against the
/// references; `--outputs` scores outputs generated elsewhere with the same scorer; `--fact-check` measures the
/// fact checker's precision and recall on references with planted unsupported facts (`--held-out`: on vocabulary
/// the lexicons do not hold); `--handwritten` runs any model on the hand-written set (`eval/handwritten/`); `--set`
/// runs any model on public sets no model here was trained on (MTS-Dialog, ACI-Bench, C-CDA and HL7 v2 samples).
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score the pipeline (or given outputs) on synthetic records, the hand-written set or public sets: ROUGE, fact recall and fact-check findings, review, speed.")

    enum Task: String, ExpressibleByArgument, CaseIterable {
        case discharge, soap
        var documentTask: DocumentTask { self == .discharge ? .dischargeSummary : .soapNote }
    }

    @Option(help: "discharge or soap (with --fact-check: both when left out).")
    var task: Task?

    @Option(help: "Records from `quill synth --format jsonl`.")
    var data: String?

    @Option(help: "A Hugging Face model folder or a .gguf file.")
    var model: String = "models/demo"

    @Option(help: "A LoRA adapter: a PEFT folder, or llama.cpp's .gguf adapter file.")
    var adapter: String?

    @Option(help: "How weights are held in memory (ggml's names).")
    var quant: WeightFormat = .q8_0

    @Option(help: "Threads for the model's kernels (default: every core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Only the first N records (with --set: the first N documents of each set).")
    var limit: Int?

    @Option(help: "Score these outputs (JSONL of id, task, output: the section lines) instead of running the model.")
    var outputs: String?

    @Option(name: .customLong("write-outputs"), help: "Also write Quill's outputs as JSONL (id, task, output), the form --outputs reads; with --set: set, id, output, reference, scored_section, scores (or error) per document.")
    var writeOutputs: String?

    @Flag(name: .customLong("all-formats"), help: "Render all five output formats, as the daemon does (the text output is scored).")
    var allFormats = false

    @Option(help: "The templates folder (the text template renders Quill's output; the lexicon feeds the fact check).")
    var templates: String = "templates"

    @Flag(name: .customLong("fact-check"), help: "Measure the fact checker on references with planted unsupported facts.")
    var factCheck = false

    @Option(help: "With --fact-check: records per task.")
    var count: Int = 500

    @Option(help: "With --fact-check: the synthetic records' seed (default 606; 909 with --held-out).")
    var seed: UInt64?

    @Option(help: "With --fact-check: unsupported facts planted per reference.")
    var plants: Int = 2

    @Flag(name: .customLong("false-positives"), help: "With --fact-check: list false positives on clean references (kind, word, section).")
    var falsePositives = false

    @Flag(name: .customLong("held-out"), help: "With --fact-check: records that use the drugs and conditions the lexicons hold out, with held-out drugs and brand names planted (default seed 909).")
    var heldOut = false

    @Option(help: "Run the pipeline on the hand-written notes and dialogues in this folder (eval/handwritten) with --model, and report sections, fact-check findings, unsupported facts and the share routed to review.")
    var handwritten: String?

    @Option(name: .customLong("set"), help: ArgumentHelp("Run the pipeline with --model on a public set (repeat for several): \(PublicSet.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "name"))
    var sets: [PublicSet] = []

    @Option(help: "With --set: the folder the public sets are read from.")
    var samples: String = "Tests/Data/samples"

    @Option(help: "Positions in the model's context when the pipeline runs (the daemon's 4096; the model's own maximum caps it).")
    var context: Int = 4096

    @Option(name: .customLong("no-repeat-ngram-size"), help: "Forbid the output to repeat a run of this many of its own tokens (generation.no_repeat_ngram_size; 0 = off).")
    var noRepeatNgramSize: Int = 0

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    func validate() throws {
        if heldOut && !factCheck { throw ValidationError("--held-out goes with --fact-check") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
        if context < 64 { throw ValidationError("--context must be at least 64") }
        if !sets.isEmpty {
            if factCheck || handwritten != nil || data != nil || outputs != nil || task != nil {
                throw ValidationError("--set runs the model on public sets; it does not go with --task, --data, --outputs, --fact-check or --handwritten")
            }
            return
        }
        if factCheck || handwritten != nil { return }
        guard task != nil else { throw ValidationError("--task is required (discharge or soap)") }
        guard data != nil else { throw ValidationError("--data FILE.jsonl is required") }
    }

    func run() throws {
        let templatesURL = URL(fileURLWithPath: templates)
        let checker = try FactChecker(lexicon: templatesURL.appendingPathComponent("lexicon/medications.txt"))
        if factCheck { return try runFactCheck(checker) }
        if !sets.isEmpty { return try runPublicSets(templates: templatesURL) }
        if let handwritten { return try runHandwritten(URL(fileURLWithPath: handwritten), templates: templatesURL) }
        let task = self.task!
        var records = try EvalRecord.load(URL(fileURLWithPath: data!)).filter { $0.task == task.documentTask }
        if let limit { records = Array(records.prefix(limit)) }
        guard !records.isEmpty else { throw ValidationError("\(data!) holds no \(task.documentTask.fileName) records") }
        let scorer = Scorer(checker: checker)

        var scores: [OutputScore] = [], timings: [OutputTiming] = []
        let source: String
        if let outputs {
            let byID = try ExternalOutput.load(URL(fileURLWithPath: outputs))
            let missing = records.filter { byID[$0.id] == nil }.count
            guard missing == 0 else { throw ValidationError("\(outputs) lacks outputs for \(missing) of the \(records.count) records") }
            scores = try records.map { try scorer.score($0, output: byID[$0.id]!) }
            source = (outputs as NSString).lastPathComponent
        } else {
            let pipeline = try DocumentPipeline(modelFolder: URL(fileURLWithPath: model), quantization: quant,
                                                settings: PipelineRun.settings(templates: templatesURL, allFormats: allFormats, noRepeatNgramSize: noRepeatNgramSize))
            let lora = try adapter.map { try LoRAAdapter.load(URL(fileURLWithPath: $0), for: pipeline.model.config) }
            let run = PipelineRun(pipeline: pipeline, threads: threads, adapter: lora,
                                  adapterVersion: adapter.map { URL(fileURLWithPath: $0).lastPathComponent }, contextLength: context)
            var written = ""
            for (i, record) in records.enumerated() {
                let out = try run.output(for: record)
                scores.append(try scorer.score(record, output: out.text))
                timings.append(out.timing)
                if writeOutputs != nil { written += try ExternalOutput.line(id: record.id, task: task.documentTask, rendered: out.text) + "\n" }
                // Progress as counts only: no document text on the terminal.
                if !json, (i + 1) % 50 == 0 { FileHandle.standardError.write(Data("\(i + 1)/\(records.count)\n".utf8)) }
            }
            if let writeOutputs { try Data(written.utf8).write(to: URL(fileURLWithPath: writeOutputs), options: .atomic) }
            source = "quill \(pipeline.modelID) \(quant.rawValue)" + (adapter.map { " + \(URL(fileURLWithPath: $0).lastPathComponent)" } ?? "")
        }
        let report = EvalReport(task: task.documentTask, source: source, scores: scores, timings: timings)
        if json { try printJSON(report.json) } else { print(report.table) }
    }

    func runFactCheck(_ checker: FactChecker) throws {
        var total = FactCheckEvaluation()
        for t in task.map({ [$0] }) ?? Task.allCases {
            total.merge(heldOut
                ? try FactCheckEvaluation.measureHeldOut(checker: checker, task: t.documentTask, count: count, seed: seed ?? 909, plants: plants)
                : try FactCheckEvaluation.measure(checker: checker, task: t.documentTask, count: count, seed: seed ?? 606, plants: plants))
        }
        if json { try printJSON(total.json) } else { print(total.table) }
        if falsePositives { print(total.falsePositiveSamples.joined(separator: "\n")) }
    }

    func runHandwritten(_ folder: URL, templates: URL) throws {
        let set = try HandwrittenSet.load(folder: folder)
        let pipeline = try DocumentPipeline(modelFolder: URL(fileURLWithPath: model), quantization: quant,
                                            settings: PipelineRun.settings(templates: templates, noRepeatNgramSize: noRepeatNgramSize))
        let lora = try adapter.map { try LoRAAdapter.load(URL(fileURLWithPath: $0), for: pipeline.model.config) }
        let run = PipelineRun(pipeline: pipeline, threads: threads, adapter: lora,
                              adapterVersion: adapter.map { URL(fileURLWithPath: $0).lastPathComponent }, contextLength: context)
        let source = "quill \(pipeline.modelID) \(quant.rawValue)" + (adapter.map { " + \(URL(fileURLWithPath: $0).lastPathComponent)" } ?? "")
        let report = try set.evaluate(with: run, source: source) { done, total in
            if !json, done % 5 == 0 { FileHandle.standardError.write(Data("\(done)/\(total)\n".utf8)) }
        }
        if json { try printJSON(report.json) } else { print(report.table) }
    }
}
