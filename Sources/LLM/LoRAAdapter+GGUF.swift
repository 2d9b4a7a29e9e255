import Foundation
import GGUF
import Tensors

extension LoRAAdapter {
    /// Loads llama.cpp's own LoRA adapter file (convert_lora_to_gguf.py; read by llama.cpp's
    /// `llama_adapter_lora_init`): `general.type = adapter`, `adapter.type = lora`, `general.architecture` the
    /// base's, `adapter.lora.alpha`, and per adapted matrix `<base tensor>.lora_a` (ggml [in, r], PyTorch's A
    /// [r, in]) and `.lora_b` (ggml [r, out], B [out, r]). Scale = alpha / r as llama.cpp applies it (1 where alpha
    /// is 0 or absent). The converter keeps no rsLoRA flag: an rsLoRA adapter converted as is gets alpha / r, not
    /// PEFT's alpha / √r (convert a config with lora_alpha · √r instead).
    ///
    /// For llama the converter permutes B of q and k as it permutes W_q and W_k; on a llama base from a Hugging
    /// Face folder (HF's row order) those rows are put back. Anything else in the file (norm vectors, which
    /// llama.cpp skips; embeddings; the output) is refused by name rather than applied in part.
    public static func load(gguf url: URL, for config: ModelConfig) throws -> LoRAAdapter {
        let file = try GGUFFile(path: url.path)
        let type = try file.string("general.type")
        guard type == "adapter" else {
            throw ModelLoadError.unsupported(file: file.path, reason: "key 'general.type' is \(type.map { "'\($0)'" } ?? "missing"), not 'adapter': this is not a LoRA adapter file (a model file?)")
        }
        guard let kind = try file.string("adapter.type"), kind == "lora" else {
            throw ModelLoadError.unsupported(file: file.path, reason: "key 'adapter.type' is \((try? file.string("adapter.type")).flatMap { $0 }.map { "'\($0)'" } ?? "missing"), not 'lora'")
        }
        let arch = try file.string("general.architecture")
        guard arch == config.modelType else {
            throw ModelLoadError.unsupported(file: file.path, reason: "key 'general.architecture' is \(arch.map { "'\($0)'" } ?? "missing"): an adapter for that architecture does not fit this \(config.modelType) model")
        }
        if file.value("adapter.alora.invocation_tokens") != nil {
            throw ModelLoadError.unsupported(file: file.path, reason: "key 'adapter.alora.invocation_tokens': activated LoRA (aLoRA) adapters are not supported")
        }
        let alpha = try file.number("adapter.lora.alpha") ?? 0

        var found: [Int: [Projection: (a: GGUFTensorInfo?, b: GGUFTensorInfo?)]] = [:]
        for t in file.tensors {
            let isA = t.name.hasSuffix(".lora_a"), isB = t.name.hasSuffix(".lora_b")
            let base = isA || isB ? String(t.name.dropLast(".lora_a".count)) : t.name
            let parts = base.split(separator: ".").map(String.init)
            guard isA || isB, parts.count == 4, parts[0] == "blk", let layer = Int(parts[1]), layer >= 0, layer < config.layers,
                  let p = Projection(ggufName: parts[2]), parts[3] == "weight" else {
                let why = t.name.hasSuffix("_norm.weight") ? "a norm vector (llama.cpp skips these; Quill refuses rather than apply part of the adapter)"
                    : "not the lora_a/lora_b of a layer projection this \(config.layers)-layer model has"
                throw ModelLoadError.unsupported(file: file.path, reason: "tensor '\(t.name)' is \(why)")
            }
            var entry = found[layer]?[p] ?? (nil, nil)
            if isA { entry.a = t } else { entry.b = t }
            found[layer, default: [:]][p] = entry
        }
        // llama.cpp's converter permutes llama's q/k rows (and so lora_B's); the base may keep HF's order.
        let adapterRowsAdjacent = arch == "llama"
        var modules: [Int: [Projection: Pair]] = [:]
        for (layer, projections) in found {
            for (p, entry) in projections {
                let prefix = "blk.\(layer).\(p.ggufName).weight"
                guard let aInfo = entry.a else { throw ModelLoadError.missingTensor(file: file.path, tensor: "\(prefix).lora_a") }
                guard let bInfo = entry.b else { throw ModelLoadError.missingTensor(file: file.path, tensor: "\(prefix).lora_b") }
                let (out, inp) = dimensions(p, config)
                // Shapes as [rows, columns] (ggml dimensions reversed), like the model's own errors.
                let r = aInfo.dimensions.count == 2 ? aInfo.dimensions[1] : 0
                guard r > 0, aInfo.dimensions == [inp, r] else {
                    throw ModelLoadError.wrongShape(file: file.path, tensor: aInfo.name, expected: [max(r, 1), inp], found: aInfo.dimensions.reversed())
                }
                guard bInfo.dimensions == [r, out] else {
                    throw ModelLoadError.wrongShape(file: file.path, tensor: bInfo.name, expected: [out, r], found: bInfo.dimensions.reversed())
                }
                let a = try floats(aInfo, rows: r, columns: inp, file)
                var b = try floats(bInfo, rows: out, columns: r, file)
                if (p == .q || p == .k) && adapterRowsAdjacent != config.rope.adjacentPairs {
                    let heads = p == .q ? config.heads : config.kvHeads
                    b = adapterRowsAdjacent ? LlamaRowPermutation.unpermute(b, rows: out, columns: r, heads: heads)
                                            : LlamaRowPermutation.permute(b, rows: out, columns: r, heads: heads)
                }
                let scale = Float(alpha == 0 ? 1 : alpha / Double(r))
                modules[layer, default: [:]][p] = Pair(a: a, b: b, rank: r, scale: scale)
            }
        }
        guard !modules.isEmpty else { throw ModelLoadError.unsupported(file: file.path, reason: "the adapter holds no LoRA tensors") }
        return LoRAAdapter(folder: url, modules: modules)
    }

    /// A [rows, columns] tensor as floats, from any GGUF type Quill has a kernel for (the converter writes F32,
    /// F16, BF16 or Q8_0).
    private static func floats(_ t: GGUFTensorInfo, rows: Int, columns: Int, _ file: GGUFFile) throws -> [Float] {
        guard let format = WeightFormat(ggmlType: t.type) else {
            throw ModelLoadError.unsupportedDType(file: file.path, tensor: t.name, dtype: "GGUF \(t.type)")
        }
        guard format.blockValues == 1 || columns % format.blockValues == 0 else {
            throw ModelLoadError.unsupported(file: file.path, reason: "tensor '\(t.name)' has \(columns) columns, not whole \(t.type) blocks")
        }
        return WeightMatrix(rows: rows, columns: columns, format: format, bytes: file.bytes(of: t).baseAddress!, owner: file).dequantized()
    }
}

extension Projection {
    /// llama.cpp's name of the projection's matrix in a block (`blk.N.<name>.weight`).
    var ggufName: String {
        switch self {
        case .q: return "attn_q"
        case .k: return "attn_k"
        case .v: return "attn_v"
        case .o: return "attn_output"
        case .gate: return "ffn_gate"
        case .up: return "ffn_up"
        case .down: return "ffn_down"
        }
    }

    init?(ggufName: String) {
        guard let p = Projection.allCases.first(where: { $0.ggufName == ggufName }) else { return nil }
        self = p
    }
}
