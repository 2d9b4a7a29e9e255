import ClinicalDocuments
import QuillDaemon

/// `tasks.clinical_note` and `tasks.dialogue`: what each kind of input becomes at this site (a clinic whose
/// notes are outpatient letters may want SOAP notes from them). A marker in the file name or the folder
/// (docs/INPUTS.md) still wins for its file; this replaces only the task the reader chose from the content.
struct TaskChoice: Sendable, Equatable {
    var clinicalNote: DocumentTask
    var dialogue: DocumentTask

    init(clinicalNote: DocumentTask = .dischargeSummary, dialogue: DocumentTask = .soapNote) {
        self.clinicalNote = clinicalNote; self.dialogue = dialogue
    }

    init(_ config: QuillConfig) throws {
        func task(_ key: String, _ name: String) throws -> DocumentTask {
            guard let task = DocumentTask(rawValue: name) else {
                throw ConfigError(file: nil, "\(key) is \"\(name)\"; use one of \(DocumentTask.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return task
        }
        self.init(clinicalNote: try task("tasks.clinical_note", config.tasks.clinicalNote),
                  dialogue: try task("tasks.dialogue", config.tasks.dialogue))
    }

    func task(for kind: DocumentKind) -> DocumentTask {
        kind == .dialogue ? dialogue : clinicalNote
    }

    func apply(to document: ClinicalDocument) -> ClinicalDocument {
        guard document.taskSource == .content else { return document }
        var chosen = document
        chosen.task = task(for: document.kind)
        return chosen
    }
}
