import ClinicalDocuments
import Foundation
import QuillPipeline
import Tokenizers

/// Prompt/completion pairs from documents written by people (a public corpus, or later reviewers' corrections):
/// each record's input is read by the same document readers as an inbox file of its name, and prompted by the
/// pipeline's own prompt code, so an adapter is trained on exactly the text the daemon sends.
///
/// A record is one JSON line: `{"id", "task": "soap_note"|"discharge_summary", "input_name": "x.dialogue.txt",
/// "input": "…", "sections": {"Subjective": "…", …}}`, the sections by their headings. Every section of the task
/// must be there (a section the source does not cover says "Not documented."): a missing one would teach the
/// model to leave out what the source may well hold.
public enum CorpusPairs {
    struct Record: Decodable {
        var id: String
        var task: String
        var input_name: String
        var input: String
        var sections: [String: String]
    }

    /// One JSON line of `{"id", "task", "prompt", "completion"}` for one record line; errors name the line.
    public static func pair(line: String, number: Int, file: String, template: ChatTemplate) throws -> String {
        func fail(_ problem: String) -> CorpusPairError { CorpusPairError(file: file, line: number, problem: problem) }
        let record: Record
        do { record = try JSONDecoder().decode(Record.self, from: Data(line.utf8)) } catch {
            throw fail("not a record (id, task, input_name, input, sections): \(error)")
        }
        guard let task = DocumentTask(rawValue: record.task) else {
            throw fail("task \"\(record.task)\" is not one of \(DocumentTask.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var sections: [String: String] = [:]
        for (heading, text) in record.sections {
            guard let spec = task.sections.first(where: { $0.heading == heading }) else {
                throw fail("record \(record.id): \"\(heading)\" is not a section of a \(task.fileName)")
            }
            guard !text.contains("\n") else { throw fail("record \(record.id): section \"\(heading)\" holds a line break; a section is one line") }
            sections[spec.key] = text
        }
        if let missing = task.sections.first(where: { sections[$0.key] == nil }) {
            throw fail("record \(record.id): no \"\(missing.heading)\" section")
        }
        let results = ClinicalDocumentReader.read(bytes: Array(record.input.utf8), fileName: record.input_name)
        guard results.count == 1 else { throw fail("record \(record.id): its input reads as \(results.count) documents, not one") }
        let document = try results[0].get()
        let pair = try ClinicalPrompt.trainingPair(task: task, documentText: ClinicalPrompt.documentText(document),
                                                   sections: sections, template: template)
        let object: [String: Any] = ["id": record.id, "task": task.fileName, "prompt": pair.prompt, "completion": pair.completion]
        return String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }
}

/// A corpus record that cannot become a training pair.
public struct CorpusPairError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var problem: String
    public var description: String { "\(file), line \(line): \(problem)" }
}
