import ArgumentParser
import Foundation
import LLM

/// `quill lm info`: what a model folder holds and what it will cost in memory, without loading the weights.
struct LMInfo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Describe a model: architecture, sizes, quantization, memory.")

    @Option(help: "A Hugging Face model folder or a .gguf file.")
    var model: String

    @Option(help: "The quantization to size memory for (ggml's names).")
    var quant: WeightFormat = .q8_0

    @Option(help: "Context length to size the KV cache for.")
    var context: Int = 4096

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let folder = URL(fileURLWithPath: model)
        let c = try ModelFiles.config(at: folder)
        let arch = try Architectures.resolve(c, file: folder.path)
        let stored = try ModelFiles.storedWeightBytes(at: folder)
        if stored == nil { _ = try WeightStore(folder: folder) }  // checks the weight files' headers
        var estimate = MemoryEstimate(config: c, format: quant, qkvBias: arch.qkvBias(c), contextLength: min(context, c.maxPositions))
        if let stored { estimate.weightBytes = stored }
        let quantization = stored == nil ? quant.rawValue : "as stored in the GGUF file"
        let info: [String: Any] = [
            "architecture": arch.name, "class": c.architecture, "layers": c.layers, "hidden": c.hidden,
            "intermediate": c.intermediate, "heads": c.heads, "kv_heads": c.kvHeads, "head_dim": c.headDim,
            "vocabulary": c.vocabulary, "max_positions": c.maxPositions, "rope_theta": Double(c.rope.theta),
            "rope_scaling": "\(c.rope.scaling)", "tied_embeddings": c.tieWordEmbeddings, "parameters": estimate.parameters,
            "quantization": quantization, "weight_bytes": estimate.weightBytes,
            "kv_cache_bytes": estimate.kvCacheBytes, "context": estimate.contextLength,
        ]
        if json { try printJSON(info); return }
        print("""
        \(arch.name) (\(c.architecture)): \(c.layers) layers, hidden \(c.hidden), intermediate \(c.intermediate)
        heads \(c.heads), kv heads \(c.kvHeads), head dim \(c.headDim), vocabulary \(c.vocabulary), max positions \(c.maxPositions)
        rope theta \(c.rope.theta), scaling \(c.rope.scaling), tied embeddings \(c.tieWordEmbeddings)
        parameters \(estimate.parameters)
        memory at \(quantization): weights \(mib(estimate.weightBytes)), KV cache for \(estimate.contextLength) positions \(mib(estimate.kvCacheBytes))
        """)
    }

    func mib(_ bytes: Int) -> String { String(format: "%.1f MiB", Double(bytes) / 1_048_576) }
}
