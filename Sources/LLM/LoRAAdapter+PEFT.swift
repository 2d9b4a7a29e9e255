import Foundation

extension LoRAAdapter {
    /// Loads a PEFT adapter folder (`adapter_config.json` + `adapter_model.safetensors`): scale = alpha / r
    /// (alpha / √r with `use_rslora`, `alpha_pattern` per module), every tensor checked against `config`'s shapes.
    /// PEFT's pairs were trained on Hugging Face's row order; on a llama GGUF base (q/k rows permuted for
    /// adjacent-pair rotation) B of q and k is permuted the same way, so the pair adapts the rows it was made for.
    public static func load(folder: URL, for config: ModelConfig) throws -> LoRAAdapter {
        let configPath = folder.appendingPathComponent("adapter_config.json").path
        guard let data = FileManager.default.contents(atPath: configPath) else {
            throw ModelLoadError.unreadable(file: configPath, reason: "no such file")
        }
        guard let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ModelLoadError.malformedConfig(file: configPath, key: "(file)", reason: "not a JSON object")
        }
        if let type = json["peft_type"] as? String, type != "LORA" {
            throw ModelLoadError.unsupported(file: configPath, reason: "peft_type '\(type)' is not LORA")
        }
        if json["use_dora"] as? Bool == true { throw ModelLoadError.unsupported(file: configPath, reason: "DoRA adapters (use_dora) are not supported") }
        if json["fan_in_fan_out"] as? Bool == true { throw ModelLoadError.unsupported(file: configPath, reason: "fan_in_fan_out adapters are not supported") }
        if let saved = json["modules_to_save"] as? [String], !saved.isEmpty {
            throw ModelLoadError.unsupported(file: configPath, reason: "modules_to_save (\(saved.joined(separator: ", "))) are not supported")
        }
        guard let defaultAlpha = (json["lora_alpha"] as? Double) else {
            throw ModelLoadError.malformedConfig(file: configPath, key: "lora_alpha", reason: "missing or not a number")
        }
        let rslora = (json["use_rslora"] as? Bool) ?? false
        let alphaPattern = (json["alpha_pattern"] as? [String: Double]) ?? [:]

        let weightsPath = folder.appendingPathComponent("adapter_model.safetensors").path
        let file = try SafetensorsFile(path: weightsPath)
        // base_model.model.model.layers.{i}.{self_attn|mlp}.{proj}.lora_{A|B}.weight
        var found: [Int: [Projection: (a: SafetensorInfo?, b: SafetensorInfo?)]] = [:]
        for (name, info) in file.tensors {
            let parts = name.split(separator: ".").map(String.init)
            guard parts.count == 9, parts[0] == "base_model", parts[1] == "model", parts[2] == "model", parts[3] == "layers",
                  let layer = Int(parts[4]), layer >= 0, layer < config.layers,
                  let proj = Projection(rawValue: parts[6]), proj.modulePath == "\(parts[5]).\(parts[6])",
                  parts[7] == "lora_A" || parts[7] == "lora_B", parts[8] == "weight" else {
                throw ModelLoadError.unsupported(file: weightsPath, reason: "tensor '\(name)' is not a LoRA A/B of a layer projection this model has")
            }
            var entry = found[layer]?[proj] ?? (nil, nil)
            if parts[7] == "lora_A" { entry.a = info } else { entry.b = info }
            found[layer, default: [:]][proj] = entry
        }
        var modules: [Int: [Projection: Pair]] = [:]
        for (layer, projections) in found {
            for (p, entry) in projections {
                let prefix = "base_model.model.model.layers.\(layer).\(p.modulePath)"
                guard let aInfo = entry.a else { throw ModelLoadError.missingTensor(file: weightsPath, tensor: "\(prefix).lora_A.weight") }
                guard let bInfo = entry.b else { throw ModelLoadError.missingTensor(file: weightsPath, tensor: "\(prefix).lora_B.weight") }
                let (out, inp) = dimensions(p, config)
                let r = aInfo.shape.first ?? 0
                guard r > 0, aInfo.shape == [r, inp] else {
                    throw ModelLoadError.wrongShape(file: weightsPath, tensor: aInfo.name, expected: [r, inp], found: aInfo.shape)
                }
                guard bInfo.shape == [out, r] else {
                    throw ModelLoadError.wrongShape(file: weightsPath, tensor: bInfo.name, expected: [out, r], found: bInfo.shape)
                }
                var a = [Float](repeating: 0, count: r * inp), b = [Float](repeating: 0, count: out * r)
                try a.withUnsafeMutableBufferPointer { try file.readFloats(aInfo, into: $0.baseAddress!) }
                try b.withUnsafeMutableBufferPointer { try file.readFloats(bInfo, into: $0.baseAddress!) }
                if config.rope.adjacentPairs && (p == .q || p == .k) {
                    b = LlamaRowPermutation.permute(b, rows: out, columns: r, heads: p == .q ? config.heads : config.kvHeads)
                }
                // alpha_pattern keys are module-name patterns; PEFT matches them as suffixes of the module path.
                let modulePath = "model.layers.\(layer).\(p.modulePath)"
                let alpha = alphaPattern.first(where: { modulePath.hasSuffix($0.key) || p.rawValue == $0.key })?.value ?? defaultAlpha
                let scale = Float(rslora ? alpha / Double(r).squareRoot() : alpha / Double(r))
                modules[layer, default: [:]][p] = Pair(a: a, b: b, rank: r, scale: scale)
            }
        }
        guard !modules.isEmpty else { throw ModelLoadError.unsupported(file: weightsPath, reason: "the adapter holds no LoRA tensors") }
        return LoRAAdapter(folder: folder, modules: modules)
    }
}
