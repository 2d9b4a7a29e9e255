import CBLAS
import Foundation

/// A LoRA adapter for a loaded model: one pair A [r, in], B [out, r] with its scale per adapted projection,
/// read from a PEFT folder (`adapter_config.json` + `adapter_model.safetensors`, LoRAAdapter+PEFT.swift) or from
/// llama.cpp's own GGUF LoRA file (LoRAAdapter+GGUF.swift). This type holds the pairs in the row order of the
/// base model's weights; `Linear` applies a pair unmerged (y = W x + b + scale · B (A x)), so the daemon can swap
/// adapters without reloading the base, and `LanguageModel.merging` folds them in.
public final class LoRAAdapter: @unchecked Sendable {
    package struct Pair: Sendable {
        package let a: [Float]       // [r, in]
        package let b: [Float]       // [out, r]
        package let rank: Int
        package let scale: Float

        package init(a: [Float], b: [Float], rank: Int, scale: Float) { self.a = a; self.b = b; self.rank = rank; self.scale = scale }
    }

    /// The adapter folder, or the `.gguf` adapter file.
    public let folder: URL
    /// layer index → projection → its A/B pair
    package let modules: [Int: [Projection: Pair]]
    public let maxRank: Int

    package init(folder: URL, modules: [Int: [Projection: Pair]]) {
        self.folder = folder; self.modules = modules
        self.maxRank = modules.values.flatMap { $0.values.map(\.rank) }.max() ?? 0
    }

    package func pair(layer: Int, _ p: Projection) -> Pair? { modules[layer]?[p] }

    /// Loads the adapter `url` names: a path ending `.gguf` (not a folder) is llama.cpp's LoRA format, anything
    /// else a PEFT folder. Both are checked against `config`'s shapes.
    public static func load(_ url: URL, for config: ModelConfig) throws -> LoRAAdapter {
        var isFolder: ObjCBool = false
        let folder = FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) && isFolder.boolValue
        return url.pathExtension.lowercased() == "gguf" && !folder ? try load(gguf: url, for: config) : try load(folder: url, for: config)
    }

    /// dense [out, in] += scale · B [out, r] · A [r, in]: the pair folded into a weight (merging, export).
    package static func addProduct(_ pair: Pair, into dense: inout [Float], rows: Int, columns: Int) {
        pair.b.withUnsafeBufferPointer { b in pair.a.withUnsafeBufferPointer { a in dense.withUnsafeMutableBufferPointer { d in
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(columns), Int32(pair.rank),
                        pair.scale, b.baseAddress, Int32(pair.rank), a.baseAddress, Int32(columns), 1, d.baseAddress, Int32(columns))
        } } }
    }

    /// [out, in] of a projection's weight in a model of `config`'s shape.
    package static func dimensions(_ p: Projection, _ config: ModelConfig) -> (out: Int, in: Int) {
        let C = config.hidden, I = config.intermediate
        let qDim = config.heads * config.headDim, kvDim = config.kvHeads * config.headDim
        switch p {
        case .q: return (qDim, C)
        case .k, .v: return (kvDim, C)
        case .o: return (C, qDim)
        case .gate, .up: return (I, C)
        case .down: return (C, I)
        }
    }
}
