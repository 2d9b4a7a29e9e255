import ClinicalDocuments
import Foundation
import QuillPipeline
import SyntheticRecords
import Tokenizers

/// Prompt/completion pairs for training, rendered by the pipeline's own prompt code from what the document
/// readers make of each synthetic input, so a model is trained on exactly the text the daemon will send.
enum TrainingPairs {
    /// The chat template: a model folder's tokenizer_config.json, or a bare .jinja file with DeepSeek-R1's
    /// special tokens (for training a model whose tokenizer does not exist yet).
    static func template(at path: String) throws -> ChatTemplate {
        let url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue {
            return try ChatTemplate(modelFolder: url)
        }
        return try ChatTemplate(template: String(contentsOf: url, encoding: .utf8),
                                specialTokens: ["bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>"],
                                sourceName: url.lastPathComponent)
    }

    /// The record as the daemon would receive it: its document file (text, HL7 v2 or CDA, rotating by record)
    /// read by the same readers, so training covers every input format the way serving sees it.
    static func document(_ record: SyntheticRecord) throws -> ClinicalDocument {
        let (name, content) = RecordFiles.document(record)
        let results = ClinicalDocumentReader.read(bytes: Array(content.utf8), fileName: name)
        guard results.count == 1 else { throw DocumentError(file: name, problem: .empty) }
        return try results[0].get()
    }

    static func line(_ record: SyntheticRecord, template: ChatTemplate) throws -> String {
        let task: OutputTask = record.task == .soapNote ? .soapNote : .dischargeSummary
        let document = try document(record)
        var sections: [String: String] = [:]
        for s in record.sections {
            if let spec = task.sections.first(where: { $0.heading == s.heading }) { sections[spec.key] = s.text }
        }
        let pair = try ClinicalPrompt.trainingPair(task: task, documentText: ClinicalPrompt.documentText(document),
                                                   sections: sections, template: template)
        let object: [String: Any] = ["id": record.id, "task": task.rawValue, "prompt": pair.prompt, "completion": pair.completion]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}
