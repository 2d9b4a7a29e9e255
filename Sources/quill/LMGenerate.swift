import ArgumentParser
import Foundation
import LLM
import Tokenizers

/// `quill lm generate`: run the model on a prompt and print the continuation (and speeds with --json).
struct LMGenerate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "Generate text from a prompt or from token ids.")

    @OptionGroup var options: ModelOptions

    @Option(name: .customLong("input-ids"), help: "Comma-separated prompt token ids.")
    var inputIDs: String?

    @Option(help: "The prompt as text (tokenized with the model folder's tokenizer.json).")
    var prompt: String?

    @Flag(help: "Wrap --prompt as a user turn with the model's chat template and its generation prompt.")
    var chat = false

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
        guard (inputIDs == nil) != (prompt == nil) else { throw ValidationError("give the prompt as either --prompt or --input-ids") }
        if chat && prompt == nil { throw ValidationError("--chat needs --prompt") }
    }

    func run() throws {
        // Text needs the tokenizer; ids alone do not (tiny test models have none), but use it when it is there.
        let tokenizerFile = options.modelURL.appendingPathComponent("tokenizer.json")
        let tokenizer = (self.prompt != nil || FileManager.default.fileExists(atPath: tokenizerFile.path))
            ? try ModelFiles.tokenizer(at: options.modelURL) : nil
        let prompt: [Int]
        if let text = self.prompt, let tokenizer {
            if chat {
                let template = try ModelFiles.chatTemplate(at: options.modelURL)
                let rendered = try template.render([ChatMessage(role: "user", content: text)], addGenerationPrompt: true)
                // The template already holds BOS and the turn markers: parse them as special tokens, add nothing.
                prompt = tokenizer.encode(rendered, addSpecialTokens: false, parseSpecial: true)
            } else {
                prompt = tokenizer.encode(text, addSpecialTokens: true)
            }
        } else {
            prompt = try parseIDs(inputIDs ?? "")
        }
        let session = try options.session(context: context ?? prompt.count + maxNewTokens)
        let sampling = greedy ? SamplingParameters.greedy
            : SamplingParameters(temperature: temperature, topK: topK, topP: topP, repetitionPenalty: repetitionPenalty, seed: seed)
        // End-of-sequence ids stop generation unless the caller names its own stop ids.
        let stops = stopIDs.isEmpty ? Set(tokenizer?.eosTokenIds ?? []) : Set(stopIDs)
        let generation = GenerationOptions(maxNewTokens: maxNewTokens, sampling: sampling,
                                           stopTokenIds: stops, stopStrings: stopStrings)
        let detokenize = tokenizer.map { t in { (ids: [Int]) in t.decode(ids, skipSpecialTokens: true) } }
        let result = try Generator.generate(session: session, prompt: prompt, options: generation, detokenize: detokenize)
        if json {
            try printJSON([
                "ids": result.ids, "text": result.text, "prompt_tokens": result.promptTokens,
                "generated_tokens": result.generatedTokens, "stop_reason": result.stopReason.rawValue,
                "prefill_tokens_per_s": result.prefillTokensPerSecond, "decode_tokens_per_s": result.decodeTokensPerSecond,
            ])
        } else if tokenizer != nil {
            print(result.text)
        } else {
            print(result.ids.map(String.init).joined(separator: ","))
        }
    }
}
