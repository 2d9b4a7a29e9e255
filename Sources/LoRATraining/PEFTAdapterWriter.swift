import Foundation
import LLM

/// Writes an adapter as PEFT saves one: `adapter_config.json` and `adapter_model.safetensors` with PEFT's key
/// names (`base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight`), f32, B's rows in Hugging Face's
/// order (a llama GGUF base's q/k rows are permuted; B is un-permuted here), so `PeftModel.from_pretrained`
/// and Quill both load it. Each file is written under a temporary name and renamed into place.
public enum PEFTAdapterWriter {
    public static func write(_ adapter: LoRAAdapter, settings: LoRASettings, config: ModelConfig, baseModel: String, to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var st = SafetensorsWriter()
        for (layer, pairs) in adapter.modules {
            for (p, pair) in pairs {
                let (out, inp) = LoRAAdapter.dimensions(p, config)
                let prefix = "base_model.model.model.layers.\(layer).\(p.modulePath)"
                st.add("\(prefix).lora_A.weight", shape: [pair.rank, inp]) { pair.a }
                let heads = config.rope.adjacentPairs ? (p == .q ? config.heads : p == .k ? config.kvHeads : nil) : nil
                st.add("\(prefix).lora_B.weight", shape: [out, pair.rank]) {
                    heads.map { LlamaRowPermutation.unpermute(pair.b, rows: out, columns: pair.rank, heads: $0) } ?? pair.b
                }
            }
        }
        let weights = folder.appendingPathComponent("adapter_model.safetensors")
        let partial = folder.appendingPathComponent(".adapter_model.safetensors.partial-\(getpid())")
        try st.write(to: partial, dtype: .f32)
        guard rename(partial.path, weights.path) == 0 else {
            throw TrainingError.cannotWrite(file: weights.path, reason: String(cString: strerror(errno)))
        }
        let json: [String: Any] = [
            "peft_type": "LORA", "task_type": "CAUSAL_LM", "base_model_name_or_path": baseModel,
            "r": settings.rank, "lora_alpha": settings.alpha, "lora_dropout": settings.dropout,
            "target_modules": settings.targets, "use_rslora": settings.rslora, "bias": "none", "fan_in_fan_out": false,
            "init_lora_weights": settings.initialisation == .gaussian ? "gaussian" as Any : true as Any,
            "inference_mode": true, "modules_to_save": NSNull(), "use_dora": false,
        ]
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try AtomicFile.write(data, to: folder.appendingPathComponent("adapter_config.json"))
    }
}
