import Foundation
import GGUF
import Tensors

/// Loading a model from one GGUF file (llama and qwen2 architectures, llama.cpp's tensor names).
///
/// Matrices are used where they lie in the memory map when `WeightFormat(ggmlType:)` has a kernel for their type,
/// so one file mixes formats (Q4_K_M holds Q4_K and Q6_K); `format` is the format holding most matrix bytes.
/// Llama files keep W_q/W_k rows permuted for llama.cpp's adjacent-pair RoPE: rather than un-permute (a copy of
/// both matrices, and no longer zero-copy), the model rotates adjacent pairs as llama.cpp does — attention only
/// takes dot products within a head, so any permutation shared by q and k gives the same scores.
extension LanguageModel {
    public static func load(gguf url: URL) throws -> LanguageModel {
        let file = try GGUFFile(path: url.path)
        let config = try ModelConfig(gguf: file)
        let architecture = try Architectures.resolve(config, file: file.path)
        let C = config.hidden, I = config.intermediate, V = config.vocabulary
        let qDim = config.heads * config.headDim, kvDim = config.kvHeads * config.headDim
        let bias = architecture.qkvBias(config)
        let weights = GGUFWeights(file: file)

        let embedding = try weights.matrix("token_embd.weight", rows: V, columns: C)
        var layers: [LayerWeights] = []
        for i in 0..<config.layers {
            func m(_ s: String, _ rows: Int, _ cols: Int) throws -> WeightMatrix { try weights.matrix("blk.\(i).\(s).weight", rows: rows, columns: cols) }
            func v(_ s: String, _ n: Int) throws -> [Float] { try weights.floats("blk.\(i).\(s)", count: n) }
            layers.append(LayerWeights(
                inputNorm: try v("attn_norm.weight", C),
                q: try m("attn_q", qDim, C), k: try m("attn_k", kvDim, C), v: try m("attn_v", kvDim, C),
                qBias: bias ? try v("attn_q.bias", qDim) : nil,
                kBias: bias ? try v("attn_k.bias", kvDim) : nil,
                vBias: bias ? try v("attn_v.bias", kvDim) : nil,
                o: try m("attn_output", C, qDim),
                postNorm: try v("ffn_norm.weight", C),
                gate: try m("ffn_gate", I, C), up: try m("ffn_up", I, C), down: try m("ffn_down", C, I)))
        }
        let finalNorm = try weights.floats("output_norm.weight", count: C)
        let lmHead = try config.tieWordEmbeddings ? embedding : weights.matrix("output.weight", rows: V, columns: C)

        // The format holding most matrix bytes stands for the model (provenance, `lm info`); each matrix keeps its own.
        var bytesByFormat: [WeightFormat: Int] = [:]
        for w in layers.flatMap({ l in Projection.allCases.map { l.matrix($0) } }) + [embedding] + (lmHead === embedding ? [] : [lmHead]) {
            bytesByFormat[w.format, default: 0] += w.byteCount
        }
        let dominant = bytesByFormat.max { $0.value < $1.value || ($0.value == $1.value && $0.key.rawValue > $1.key.rawValue) }!.key
        return LanguageModel(folder: url, config: config, architecture: architecture, format: dominant,
                             embedding: embedding, layers: layers, finalNorm: finalNorm, lmHead: lmHead)
    }
}

/// The tensors of a GGUF model file, checked against the shapes the config implies.
struct GGUFWeights {
    let file: GGUFFile

    func info(_ name: String) throws -> GGUFTensorInfo {
        guard let t = file.tensor(name) else { throw ModelLoadError.missingTensor(file: file.path, tensor: name) }
        return t
    }

    /// A [rows, columns] matrix (ggml dimensions [columns, rows]) used where it lies when a kernel knows its type.
    func matrix(_ name: String, rows: Int, columns: Int) throws -> WeightMatrix {
        let t = try info(name)
        guard t.dimensions == [columns, rows] else {
            throw ModelLoadError.wrongShape(file: file.path, tensor: name, expected: [rows, columns], found: t.dimensions.reversed())
        }
        guard let format = WeightFormat(ggmlType: t.type) else {
            throw ModelLoadError.unsupported(file: file.path, reason: "tensor '\(name)' is GGUF type \(t.type) (\(t.type.rawValue)), which Quill has no kernel for")
        }
        guard format.blockValues == 1 || columns % format.blockValues == 0 else {
            throw ModelLoadError.unsupported(file: file.path, reason: "tensor '\(name)' has \(columns) columns, not whole \(t.type) blocks")
        }
        return WeightMatrix(rows: rows, columns: columns, format: format, bytes: file.bytes(of: t).baseAddress!, owner: file)
    }

    /// A vector (norm weight, bias) as floats, from F32, F16 or BF16.
    func floats(_ name: String, count: Int) throws -> [Float] {
        let t = try info(name)
        guard t.dimensions == [count] else {
            throw ModelLoadError.wrongShape(file: file.path, tensor: name, expected: [count], found: t.dimensions.reversed())
        }
        let p = file.bytes(of: t).baseAddress!
        switch t.type {
        case .f32: return (0..<count).map { p.loadUnaligned(fromByteOffset: $0 * 4, as: Float.self) }
        case .f16: return (0..<count).map { f16ToF32(p.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) }
        case .bf16: return (0..<count).map { bf16ToF32(p.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) }
        default:
            throw ModelLoadError.unsupportedDType(file: file.path, tensor: name, dtype: "GGUF \(t.type)")
        }
    }
}
