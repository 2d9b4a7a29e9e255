import Foundation
import QuillDaemon

/// The model Quill runs when neither `--model` nor `model.path` names one: `models/default.gguf`, a link the
/// repository commits to the chosen GGUF file (which `make models` fetches), and `models/default.adapter`,
/// a link to the task adapter trained for that base, when there is one. Looked for where the templates are
/// (`ShippedFiles.roots`).
enum DefaultModel {
    static let modelName = "models/default.gguf"
    static let adapterName = "models/default.adapter"

    static func candidates(state: String, executable: String? = ShippedFiles.executablePath()) -> [String] {
        ShippedFiles.roots(state: state, executable: executable).map { $0 + "/" + modelName }
    }

    /// The default model's file and its shipped adapter (links resolved, so that provenance and the audit trail
    /// name the real files), or an error that says where it was looked for and how to get it.
    static func resolve(state: String) throws -> (model: String, adapter: String?) {
        let list = candidates(state: state)
        if let found = list.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            let adapter = String(found.dropLast(modelName.count)) + adapterName
            return (URL(fileURLWithPath: found).resolvingSymlinksInPath().path,
                    FileManager.default.fileExists(atPath: adapter) ? URL(fileURLWithPath: adapter).resolvingSymlinksInPath().path : nil)
        }
        let link = list.lazy.compactMap { try? FileManager.default.destinationOfSymbolicLink(atPath: $0) }.first
        throw ConfigError(file: nil, "no model given (--model or model.path) and the default model is missing"
            + (link.map { ": \(modelName) names \($0), which `make models` fetches" } ?? " (looked for \(list.joined(separator: ", ")))")
            + "; run `make models`, or give --model PATH")
    }
}
