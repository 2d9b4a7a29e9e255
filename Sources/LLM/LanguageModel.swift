import CBLAS
import Foundation

/// A loaded decoder-only model: config, weights in the chosen format, and rotary tables.
/// Immutable and shared: several `InferenceSession`s (one per worker) may run on one model.
public final class LanguageModel: @unchecked Sendable {
    public let folder: URL
    public let config: ModelConfig
    public let architecture: Architecture
    public let format: WeightFormat
    package let embedding: WeightMatrix      // [V, C]
    package let layers: [LayerWeights]
    package let finalNorm: [Float]           // [C]
    package let lmHead: WeightMatrix         // [V, C]; the embedding itself when tied
    package let rope: RotaryEmbedding

    package init(folder: URL, config: ModelConfig, architecture: Architecture, format: WeightFormat, embedding: WeightMatrix,
                layers: [LayerWeights], finalNorm: [Float], lmHead: WeightMatrix) {
        self.folder = folder; self.config = config; self.architecture = architecture; self.format = format
        self.embedding = embedding; self.layers = layers; self.finalNorm = finalNorm; self.lmHead = lmHead
        self.rope = RotaryEmbedding(headDim: config.headDim, parameters: config.rope)
    }

    /// Loads a Hugging Face model folder (`config.json` + safetensors), holding weights in `format`.
    /// With q4, the embedding and output head are held in q8: they are a small share of the bytes read
    /// per token and the most sensitive to rounding (llama.cpp keeps its output head at higher precision too).
    /// A `.gguf` file instead of a folder is loaded by `load(gguf:)` (its weights as stored; `format` unused).
    public static func load(folder: URL, format: WeightFormat) throws -> LanguageModel {
        if ModelFiles.isGGUF(folder) { return try load(gguf: folder) }
        let configURL = folder.appendingPathComponent("config.json")
        let config = try ModelConfig.load(configURL)
        let architecture = try Architectures.resolve(config, file: configURL.path)
        let store = try WeightStore(folder: folder)
        let C = config.hidden, I = config.intermediate, V = config.vocabulary
        let qDim = config.heads * config.headDim, kvDim = config.kvHeads * config.headDim
        let headFormat: WeightFormat = format == .q4_0 ? .q8_0 : format
        let bias = architecture.qkvBias(config)

        let embedding = try store.matrix(HFTensorNames.embedding, rows: V, columns: C, format: headFormat)
        var layers: [LayerWeights] = []
        for i in 0..<config.layers {
            func name(_ s: String) -> String { HFTensorNames.layer(i, s) }
            func proj(_ p: Projection, _ rows: Int, _ cols: Int) throws -> WeightMatrix {
                try store.matrix(name("\(p.modulePath).weight"), rows: rows, columns: cols, format: format)
            }
            layers.append(LayerWeights(
                inputNorm: try store.floats(name("input_layernorm.weight"), shape: [C]),
                q: try proj(.q, qDim, C), k: try proj(.k, kvDim, C), v: try proj(.v, kvDim, C),
                qBias: bias ? try store.floats(name("self_attn.q_proj.bias"), shape: [qDim]) : nil,
                kBias: bias ? try store.floats(name("self_attn.k_proj.bias"), shape: [kvDim]) : nil,
                vBias: bias ? try store.floats(name("self_attn.v_proj.bias"), shape: [kvDim]) : nil,
                o: try proj(.o, C, qDim),
                postNorm: try store.floats(name("post_attention_layernorm.weight"), shape: [C]),
                gate: try proj(.gate, I, C), up: try proj(.up, I, C), down: try proj(.down, C, I)))
        }
        let finalNorm = try store.floats(HFTensorNames.finalNorm, shape: [C])
        let lmHead: WeightMatrix
        if config.tieWordEmbeddings && !store.contains(HFTensorNames.lmHead) {
            lmHead = embedding
        } else {
            lmHead = try store.matrix(HFTensorNames.lmHead, rows: V, columns: C, format: headFormat)
        }
        return LanguageModel(folder: folder, config: config, architecture: architecture, format: format,
                             embedding: embedding, layers: layers, finalNorm: finalNorm, lmHead: lmHead)
    }

    /// Bytes of weights held in memory.
    public var weightBytes: Int {
        layers.reduce(0) { $0 + $1.byteCount } + embedding.byteCount + (lmHead === embedding ? 0 : lmHead.byteCount) + finalNorm.count * 4
    }

    /// Bytes of weights streamed from memory for one decoded token: every layer, the head, one embedding row.
    public var weightBytesPerToken: Int {
        layers.reduce(0) { $0 + $1.byteCount } + lmHead.byteCount + embedding.rowBytes
    }

    /// A model whose projections have `adapter` folded in: W' = W + scale · B·A, re-held in this model's format.
    public func merging(_ adapter: LoRAAdapter) -> LanguageModel {
        let merged = layers.enumerated().map { i, layer -> LayerWeights in
            var replacements: [Projection: WeightMatrix] = [:]
            for (p, pair) in adapter.modules[i] ?? [:] {
                let w = layer.matrix(p)
                var dense = w.dequantized()
                LoRAAdapter.addProduct(pair, into: &dense, rows: w.rows, columns: w.columns)
                replacements[p] = dense.withUnsafeBufferPointer {
                    WeightMatrix(quantizing: $0.baseAddress!, rows: w.rows, columns: w.columns, format: w.format)
                }
            }
            return layer.replacing(replacements)
        }
        return LanguageModel(folder: folder, config: config, architecture: architecture, format: format, embedding: embedding,
                             layers: merged, finalNorm: finalNorm, lmHead: lmHead)
    }
}
