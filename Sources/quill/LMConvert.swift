import ArgumentParser
import Foundation
import LLM

/// `quill lm convert`: a Hugging Face folder (with an adapter merged in, optionally) to one GGUF file, or a GGUF
/// file back to a Hugging Face folder. Which way is told by `--model`: a `.gguf` file or a folder.
struct LMConvert: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a Hugging Face model folder to a GGUF file (llama.cpp's layout), or a GGUF file to a folder.")

    @Option(help: "A Hugging Face model folder (config.json, *.safetensors, tokenizer.json), or a .gguf file.")
    var model: String

    @Option(help: "A LoRA adapter to merge into the weights, a PEFT folder or llama.cpp's .gguf adapter file (folder to GGUF only).")
    var adapter: String?

    @Option(help: "The GGUF type of every matrix (folder to GGUF): f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q4_K, q5_K, q6_K.")
    var type: WeightFormat = .q8_0

    @Option(help: "The safetensors dtype (GGUF to folder): f32 or bf16.")
    var dtype: HFFolderExport.DType = .f32

    @Option(help: "The .gguf file to write (from a folder), or the folder to create (from a .gguf file).")
    var output: String

    func run() throws {
        let source = URL(fileURLWithPath: model), destination = URL(fileURLWithPath: output)
        let started = Date()
        if ModelFiles.isGGUF(source) {
            guard adapter == nil else { throw ValidationError("--adapter merges into a Hugging Face folder's weights; convert the GGUF file to a folder first") }
            let s = try HFFolderExport.export(gguf: source, output: destination, dtype: dtype)
            try printJSON(["from": source.path, "to": destination.path, "direction": "gguf-to-folder", "architecture": s.architecture,
                           "dtype": dtype.rawValue, "tensors": s.tensors, "tokenizer": s.tokenizer,
                           "seconds": Date().timeIntervalSince(started)])
        } else {
            let s = try GGUFConversion.convert(folder: source, adapter: adapter.map { URL(fileURLWithPath: $0) }, format: type, output: destination)
            try printJSON(["from": source.path, "to": destination.path, "direction": "folder-to-gguf", "architecture": s.architecture,
                           "type": type.rawValue, "tensors": s.tensors, "bytes": s.bytes, "tokens": s.tokens,
                           "adapter": adapter ?? NSNull(), "seconds": Date().timeIntervalSince(started)])
        }
    }
}

extension HFFolderExport.DType: ExpressibleByArgument {}
