import ArgumentParser
import Foundation
import LLM
import Tokenizers

/// Options shared by the `quill lm` commands that load a model.
struct ModelOptions: ParsableArguments {
    @Option(help: "A Hugging Face model folder (config.json, *.safetensors, tokenizer.json) or a .gguf file.")
    var model: String

    @Option(help: "How weights are held in memory (ggml's names).")
    var quant: WeightFormat = .q8_0

    @Option(help: "Threads for the model's kernels (default: every core).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "A LoRA adapter: a PEFT folder (adapter_config.json, adapter_model.safetensors) or llama.cpp's .gguf adapter file.")
    var adapter: String?

    @Flag(help: "Fold the adapter into the weights instead of applying it alongside them.")
    var merge = false

    var modelURL: URL { URL(fileURLWithPath: model) }

    /// Loads the model and, when given, its adapter; returns a session with `context` positions.
    func session(context: Int) throws -> InferenceSession {
        var model = try LanguageModel.load(folder: modelURL, format: quant)
        var adapter: LoRAAdapter?
        if let path = self.adapter {
            adapter = try LoRAAdapter.load(URL(fileURLWithPath: path), for: model.config)
        }
        if merge, let a = adapter { model = model.merging(a); adapter = nil }
        let session = InferenceSession(model: model, contextLength: context, threads: threads)
        session.adapter = adapter
        return session
    }
}

extension WeightFormat: ExpressibleByArgument {}

/// Parses "1,2,3" into token ids, naming the piece that is not a number.
func parseIDs(_ text: String) throws -> [Int] {
    try text.split(separator: ",").map { piece in
        guard let id = Int(piece.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError("'\(piece)' in the id list is not an integer")
        }
        return id
    }
}

/// Writes a JSON object to standard output (keys sorted, so output is stable for scripts).
func printJSON(_ object: Any) throws {
    let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    FileHandle.standardOutput.write(data)
    FileHandle.standardOutput.write(Data("\n".utf8))
}
