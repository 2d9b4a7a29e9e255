import ArgumentParser
import Foundation
import QuillApp
import SyntheticRecords

/// `quill synth --task discharge|soap --count N --seed S [--format jsonl|files] [--out PATH]`:
/// synthetic clinical records, the same bytes for the same seed. JSONL goes to standard output, or
/// to the file `--out` names; `files` writes each record's document and reference into `--out`.
struct Synth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate synthetic clinical records (notes or dialogues) with reference outputs and their facts.")

    enum Task: String, ExpressibleByArgument, CaseIterable { case discharge, soap }
    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, files }

    @Option(help: "discharge (clinical notes → discharge summaries) or soap (dialogues → SOAP notes).")
    var task: Task

    @Option(help: "How many records.")
    var count: Int = 100

    @Option(help: "Seed; the same seed gives the same records.")
    var seed: UInt64 = 1

    @Option(help: "jsonl (one JSON object per record) or files (document files beside their references).")
    var format: Format = .jsonl

    @Option(help: "For jsonl, a file to write instead of standard output; for files, the folder to write into.")
    var out: String?

    @Flag(help: "Emit prompt/completion pairs (JSONL) rendered by the pipeline's prompt code, for training.")
    var prompts = false

    @Option(name: .customLong("chat-template"), help: "With --prompts: a .gguf file, a model folder, or a .jinja chat template file.")
    var chatTemplate: String = "tools/demo-model/chat_template.jinja"

    func validate() throws {
        guard count >= 0 else { throw ValidationError("--count must not be negative") }
        if format == .files && out == nil { throw ValidationError("--format files needs --out DIR") }
    }

    func run() throws {
        let records = SyntheticRecords.generate(task: task == .discharge ? .dischargeSummary : .soapNote, count: count, seed: seed)
        if prompts {
            let template = try TrainingPairs.template(at: chatTemplate)
            var text = ""
            for r in records { text += try TrainingPairs.line(r, template: template) + "\n" }
            if let out { try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) }
            else { FileHandle.standardOutput.write(Data(text.utf8)) }
            return
        }
        switch format {
        case .files:
            try RecordFiles.write(records, to: URL(fileURLWithPath: out!))
        case .jsonl:
            var text = ""
            for r in records { text += try JSONLines.line(r) + "\n" }
            if let out {
                try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }
}
