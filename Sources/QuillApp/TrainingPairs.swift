import ClinicalDocuments
import Foundation
import LLM
import QuillPipeline
import SyntheticRecords
import Tokenizers

/// Prompt/completion pairs for training, rendered by the pipeline's own prompt code from what the document
/// readers make of each synthetic input, so a model is trained on exactly the text the daemon will send.
public enum TrainingPairs {
    /// The chat template: a GGUF file's `tokenizer.chat_template`, a model folder's tokenizer_config.json, or a
    /// bare .jinja file with DeepSeek-R1's special tokens (for training a model whose tokenizer does not exist yet).
    public static func template(at path: String) throws -> ChatTemplate {
        let url = URL(fileURLWithPath: path)
        if ModelFiles.isGGUF(url) { return try ModelFiles.chatTemplate(at: url) }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            return try ChatTemplate(modelFolder: url)
        }
        return try ChatTemplate(template: String(contentsOf: url, encoding: .utf8),
                                specialTokens: ["bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>"],
                                sourceName: url.lastPathComponent)
    }

    public static func line(_ record: SyntheticRecord, template: ChatTemplate) throws -> String {
        let task = record.task
        let document = try RecordFiles.readBack(record)
        // Every reference section goes to its task's section, and every required section has a reference text:
        // otherwise the pair would teach "Not documented." where the reference says something.
        var sections: [String: String] = [:]
        for s in record.sections {
            guard let spec = task.sections.first(where: { $0.heading == s.heading }) else {
                throw TrainingPairError(record: record.id, problem: "its section \"\(s.heading)\" is not a section of a \(task.fileName)")
            }
            sections[spec.key] = s.text
        }
        if let missing = task.requiredSections.first(where: { sections[$0.key] == nil }) {
            throw TrainingPairError(record: record.id, problem: "it has no \"\(missing.heading)\" section, which a \(task.fileName) requires")
        }
        let pair = try ClinicalPrompt.trainingPair(task: task, documentText: ClinicalPrompt.documentText(document),
                                                   sections: sections, template: template)
        let object: [String: Any] = ["id": record.id, "task": task.fileName, "prompt": pair.prompt, "completion": pair.completion]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

/// A synthetic record that cannot become a training pair without losing or inventing a section.
public struct TrainingPairError: Error, Sendable, Equatable, CustomStringConvertible {
    public var record: String
    public var problem: String
    public var description: String { "record \(record): \(problem)" }
}
