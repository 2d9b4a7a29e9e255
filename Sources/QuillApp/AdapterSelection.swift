import Foundation
import QuillDaemon

/// Which LoRA adapter folder `model.adapter` selects.
enum AdapterSelection {
    /// `model.adapter`: "none", "active" (the version `<state>/adapters/active` names, if any), a version such as
    /// "v3" (`<state>/adapters/v3`), or a folder path. `nil`: no adapter.
    static func folder(config: QuillConfig) throws -> String? {
        let setting = config.model.adapter.trimmingCharacters(in: .whitespaces)
        if setting.isEmpty || setting == "none" { return nil }
        var folder = setting
        if setting == "active" {
            let pointer = config.stateRoot + "/adapters/active"
            guard let name = try? String(contentsOfFile: pointer, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                  !name.isEmpty else { return nil }
            folder = config.stateRoot + "/adapters/" + name
        }
        if !folder.contains("/") { folder = config.stateRoot + "/adapters/" + folder }
        return folder
    }
}
