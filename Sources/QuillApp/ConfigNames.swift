import Foundation
import QuillDaemon
import QuillPipeline
import Tensors

/// The configuration's names for the model's path, weight formats and output formats, read into the
/// types the pipeline uses; an error names the key, the value and what it may be.
enum ConfigNames {
    /// `model.path`: a Hugging Face model folder or a model file, which must exist (when unset, `DefaultModel`).
    static func modelPath(_ config: QuillConfig) throws -> String {
        let path = config.model.path
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(file: nil, "model.path is \"\(path)\", which does not exist")
        }
        return path
    }

    /// `model.quantization`: ggml's names for the formats the engine computes with (`WeightFormat`).
    static func weightFormat(_ config: QuillConfig) throws -> WeightFormat {
        try weightFormat(named: config.model.quantization, key: "model.quantization")
    }

    static func weightFormat(named name: String, key: String) throws -> WeightFormat {
        guard let format = WeightFormat(rawValue: name) else {
            throw ConfigError(file: nil, "\(key) is \"\(name)\"; use one of \(WeightFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return format
    }

    /// `tasks.formats`: `text`, `markdown`, `cda`, `hl7`, `fhir` (or their file extensions).
    static func outputFormats(_ config: QuillConfig) throws -> [OutputFormat] {
        try config.tasks.formats.map { name -> OutputFormat in
            guard let f = outputFormat(name) else {
                throw ConfigError(file: nil, "tasks.formats: '\(name)' is not one of text, markdown, cda, hl7, fhir")
            }
            return f
        }
    }

    static func outputFormat(_ name: String) -> OutputFormat? {
        switch name.lowercased() {
        case "text", "txt": return .text
        case "markdown", "md": return .markdown
        case "cda", "cda.xml": return .cda
        case "hl7": return .hl7
        case "fhir", "fhir.json": return .fhir
        default: return nil
        }
    }
}
