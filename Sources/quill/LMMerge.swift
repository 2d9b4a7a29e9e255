import ArgumentParser
import Foundation
import LLM

/// `quill lm merge`: a base with a LoRA adapter folded in, written as a Hugging Face folder that transformers
/// loads (and `quill lm convert` turns into GGUF).
struct LMMerge: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "merge", abstract: "Fold a LoRA adapter into a model; write a Hugging Face folder.")

    @Option(help: "The base: a Hugging Face model folder or a .gguf file.") var model: String
    @Option(help: "The adapter: a PEFT folder or llama.cpp's .gguf adapter file.") var adapter: String
    @Option(help: "The folder to create.") var out: String
    @Option(help: "The safetensors dtype: f32 or bf16.") var dtype: HFFolderExport.DType = .f32

    func run() throws {
        let source = URL(fileURLWithPath: model), destination = URL(fileURLWithPath: out)
        let config = try ModelFiles.config(at: source)
        let lora = try LoRAAdapter.load(URL(fileURLWithPath: adapter), for: config)
        let started = Date()
        let s = ModelFiles.isGGUF(source)
            ? try HFFolderExport.export(gguf: source, output: destination, dtype: dtype, adapter: lora)
            : try HFFolderExport.export(folder: source, output: destination, dtype: dtype, adapter: lora)
        try printJSON(["from": source.path, "adapter": adapter, "to": destination.path, "architecture": s.architecture,
                       "dtype": dtype.rawValue, "tensors": s.tensors, "tokenizer": s.tokenizer, "seconds": Date().timeIntervalSince(started)])
    }
}
