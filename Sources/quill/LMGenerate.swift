import ArgumentParser
import Foundation
import LLM

/// `quill lm generate`: run the model on a prompt and print the continuation (and speeds with --json).
struct LMGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Generate text from a prompt or from token ids.")

    @OptionGroup var options: ModelOptions

    @Option(name: .customLong("input-ids"), help: "Comma-separated prompt token ids.")
    var inputIDs: String?

    @Option(name: .customLong("max-new-tokens"), help: "The most tokens to generate.")
    var maxNewTokens: Int

    @Flag(help: "Always take the most likely token (the default unless --temperature is given).")
    var greedy = false

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0

    @Option(name: .customLong("top-k"), help: "Sample among the k most likely tokens (0 = all).")
    var topK: Int = 0

    @Option(name: .customLong("top-p"), help: "Sample among the most likely tokens reaching this probability.")
    var topP: Float = 1

    @Option(name: .customLong("repetition-penalty"), help: "Penalty for tokens already seen (1 = none).")
    var repetitionPenalty: Float = 1

    @Option(help: "Seed for sampling, so a sampled output can be reproduced.")
    var seed: UInt64 = 0

    @Option(name: .customLong("stop-id"), help: "A token id that ends generation (repeatable).")
    var stopIDs: [Int] = []

    @Option(name: .customLong("stop"), help: "A string that ends generation (repeatable).")
    var stopStrings: [String] = []

    @Option(help: "Context length (prompt plus output); default: what the prompt and --max-new-tokens need.")
    var context: Int?

    @Flag(help: "Print a JSON object with ids, text, token counts and speeds.")
    var json = false

    func validate() throws {
        guard maxNewTokens >= 0 else { throw ValidationError("--max-new-tokens must not be negative") }
        guard inputIDs != nil else { throw ValidationError("give the prompt as --input-ids") }
    }

    func run() throws {
        let prompt = try parseIDs(inputIDs ?? "")
        let session = try options.session(context: context ?? prompt.count + maxNewTokens)
        let sampling = greedy ? SamplingParameters.greedy
            : SamplingParameters(temperature: temperature, topK: topK, topP: topP, repetitionPenalty: repetitionPenalty, seed: seed)
        let generation = GenerationOptions(maxNewTokens: maxNewTokens, sampling: sampling,
                                           stopTokenIds: Set(stopIDs), stopStrings: stopStrings)
        let result = try Generator.generate(session: session, prompt: prompt, options: generation)
        if json {
            try printJSON([
                "ids": result.ids, "text": result.text, "prompt_tokens": result.promptTokens,
                "generated_tokens": result.generatedTokens, "stop_reason": result.stopReason.rawValue,
                "prefill_tokens_per_s": result.prefillTokensPerSecond, "decode_tokens_per_s": result.decodeTokensPerSecond,
            ])
        } else {
            print(result.ids.map(String.init).joined(separator: ","))
        }
    }
}
