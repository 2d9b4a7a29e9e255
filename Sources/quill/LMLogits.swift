import ArgumentParser
import Foundation
import LLM

/// `quill lm logits`: the last position's logits for given ids, for comparison with a reference implementation.
struct LMLogits: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logits", abstract: "Print the last position's logits (every vocabulary entry, in id order).")

    @OptionGroup var options: ModelOptions

    @Option(name: .customLong("input-ids"), help: "Comma-separated token ids.")
    var inputIDs: String

    @Flag(help: "Print {\"logits\": [...]} (the only output form; kept for scripts that pass it).")
    var json = false

    func run() throws {
        let ids = try parseIDs(inputIDs)
        let session = try options.session(context: ids.count)
        let logits = try session.forward(ids)
        try printJSON(["logits": logits.map { Double($0) }])
    }
}
