import ArgumentParser
import Foundation
import QuillApp

/// `quill pairs --records FILE.jsonl --chat-template MODEL [--out FILE]`: training pairs (prompt, completion) from
/// records of documents and their sections, prompted exactly as the daemon prompts (`CorpusPairs`).
struct Pairs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pairs",
        abstract: "Turn documents with their written sections into prompt/completion pairs for training an adapter.")

    @Option(help: "JSONL records: id, task, input_name, input, sections (heading → one line of text).")
    var records: String

    @Option(name: .customLong("chat-template"), help: "The model whose chat template prompts: a .gguf file, a model folder, or a .jinja file.")
    var chatTemplate: String

    @Option(help: "Where to write the pairs (JSONL); standard output when left out.")
    var out: String?

    func run() throws {
        let template = try TrainingPairs.template(at: chatTemplate)
        let text = try String(contentsOfFile: records, encoding: .utf8)
        var lines = ""
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            lines += try CorpusPairs.pair(line: String(line), number: i + 1, file: records, template: template) + "\n"
        }
        if let out { try Data(lines.utf8).write(to: URL(fileURLWithPath: out), options: .atomic) }
        else { FileHandle.standardOutput.write(Data(lines.utf8)) }
    }
}
