import Foundation
import GGUF
import Tensors
import Tokenizers

/// A Hugging Face model folder (llama or qwen2; config.json, safetensors, tokenizer.json), optionally with a PEFT
/// adapter folded into its weights, written as one GGUF file llama.cpp loads: llama.cpp's metadata keys and tensor
/// names, Llama's W_q and W_k rows permuted as convert_hf_to_gguf.py permutes them (K with n_head_kv heads),
/// norms and biases F32, every matrix (the embedding and output head too) in `format`, as `llama-quantize --pure`
/// would leave it.
///
/// The weights are read through Quill's own loader (so every missing tensor, wrong shape or dtype is refused as
/// loading would refuse it, naming the file and the tensor) and held as F32 while converting: the merge, the
/// permutation and the quantizers work on floats.
public enum GGUFConversion {
    public struct Summary: Sendable {
        public let architecture: String
        public let format: WeightFormat
        public let tensors: Int
        public let bytes: Int
        public let tokens: Int
        public let merged: Bool
    }

    public static func convert(folder: URL, adapter: URL? = nil, format: WeightFormat, output: URL) throws -> Summary {
        let configURL = folder.appendingPathComponent("config.json")
        let config = try ModelConfig.load(configURL)
        let architecture = try Architectures.resolve(config, file: configURL.path)
        let arch = architecture.name
        let vocabulary = try HFTokenizerVocabulary.read(folder: folder, config: config)
        var model = try LanguageModel.load(folder: folder, format: .f32)
        if let adapter { model = model.merging(try LoRAAdapter.load(adapter, for: config)) }

        var writer = GGUFWriter()
        let name = folder.standardizedFileURL.lastPathComponent
        for (k, v) in try GGUFModelMetadata.model(config, arch: arch, name: name, format: format, file: configURL.path) { writer.add(k, v) }
        for (k, v) in GGUFModelMetadata.tokenizer(vocabulary) { writer.add(k, v) }

        let permuted = arch == "llama"
        func matrix(_ name: String, _ w: WeightMatrix, permuteHeads heads: Int? = nil) throws {
            guard w.columns % format.blockValues == 0 else {
                throw ModelLoadError.unsupported(file: folder.path, reason: "tensor '\(name)' has \(w.columns) columns, not whole \(format.rawValue) blocks of \(format.blockValues)")
            }
            writer.add(GGUFTensorToWrite(name: name, dimensions: [w.columns, w.rows], type: format.ggmlType) {
                var dense = w.dequantized()
                if let heads { dense = LlamaRowPermutation.permute(dense, rows: w.rows, columns: w.columns, heads: heads) }
                return DenseRows.encode(dense, rows: w.rows, columns: w.columns, format: format)
            })
        }
        func vector(_ name: String, _ v: [Float], permuteHeads heads: Int? = nil) {
            writer.add(GGUFTensorToWrite(name: name, dimensions: [v.count], type: .f32) {
                let values = heads.map { LlamaRowPermutation.permute(v, rows: v.count, columns: 1, heads: $0) } ?? v
                return values.withUnsafeBytes { Array($0) }
            })
        }

        // llama3 rope scaling travels as one divisor per rotary pair, as convert_hf_to_gguf.py writes it.
        if case .llama3 = config.rope.scaling {
            var unscaled = config.rope; unscaled.scaling = .none
            let base = unscaled.inverseFrequencies(headDim: config.headDim)
            let scaled = config.rope.inverseFrequencies(headDim: config.headDim)
            vector("rope_freqs.weight", zip(base, scaled).map { $0 / $1 })
        }
        try matrix(GGUFTensorNames.embedding, model.embedding)
        for (i, layer) in model.layers.enumerated() {
            func blk(_ s: String) -> String { GGUFTensorNames.block(i, s) }
            vector(blk(GGUFTensorNames.inputNorm), layer.inputNorm)
            for p in Projection.allCases {
                let heads = !permuted ? nil : p == .q ? config.heads : p == .k ? config.kvHeads : nil
                let base = GGUFTensorNames.projection(p)
                try matrix(blk("\(base).weight"), layer.matrix(p), permuteHeads: heads)
                if let bias = layer.bias(p) { vector(blk("\(base).bias"), bias, permuteHeads: heads) }
            }
            vector(blk(GGUFTensorNames.postNorm), layer.postNorm)
        }
        vector(GGUFTensorNames.finalNorm, model.finalNorm)
        if model.lmHead !== model.embedding { try matrix(GGUFTensorNames.output, model.lmHead) }

        try writer.write(to: output.path)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? 0
        return Summary(architecture: arch, format: format, tensors: writer.tensors.count, bytes: bytes,
                       tokens: vocabulary.tokens.count, merged: adapter != nil)
    }
}
