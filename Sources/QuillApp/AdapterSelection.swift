import Foundation
import QuillDaemon

/// Which LoRA adapter `model.adapter` selects: a PEFT folder or llama.cpp's `.gguf` adapter file (both load
/// through `LoRAAdapter.load(_:for:)`, which tells them apart by the `.gguf` name).
enum AdapterSelection {
    /// `model.adapter`: "none", "active" (the version `<state>/adapters/active` names, if any), a version such as
    /// "v3" or "v3.gguf" (`<state>/adapters/v3`, `<state>/adapters/v3.gguf`), or a path to a folder or `.gguf`
    /// file. `nil`: no adapter. With the default model, "active" with no active version is `shipped`, the task
    /// adapter that comes with it (`DefaultModel`): a retrained version, once activated, takes its place.
    static func path(config: QuillConfig, shipped: String? = nil) throws -> String? {
        let setting = config.model.adapter.trimmingCharacters(in: .whitespaces)
        if setting.isEmpty || setting == "none" { return nil }
        var path = setting
        if setting == "active" {
            let pointer = config.stateRoot + "/adapters/active"
            guard let name = try? String(contentsOfFile: pointer, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                  !name.isEmpty else { return shipped }
            path = config.stateRoot + "/adapters/" + name
        }
        if !path.contains("/") { path = config.stateRoot + "/adapters/" + path }
        return path
    }
}
