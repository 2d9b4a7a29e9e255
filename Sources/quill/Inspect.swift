import ArgumentParser
import ClinicalDocuments
import Foundation

/// `quill inspect FILE… [--json]`: shows what Quill reads from each file, or why it refuses it, so an
/// integration engineer can see why a file is read the way it is. Exit status 1 when any file failed.
struct Inspect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what Quill reads from clinical documents (text, dialogue, HL7 v2, CDA), or why a file is refused.")

    @Argument(help: "Files to read.")
    var files: [String]

    @Flag(help: "Print one JSON object per document (and per failure) in a JSON array.")
    var json = false

    @Option(help: "Largest file accepted, in bytes.")
    var maxFileBytes: Int = DocumentLimits.defaultMaxFileBytes

    @Option(help: "Largest amount of text in one document, in characters.")
    var maxTextCharacters: Int = DocumentLimits.defaultMaxTextCharacters

    func run() throws {
        let limits = DocumentLimits(maxFileBytes: maxFileBytes, maxTextCharacters: maxTextCharacters)
        let readings = files.map { readClinicalFile(at: URL(fileURLWithPath: $0), limits: limits) }
        if json {
            print(try InspectOutput.json(readings, paths: files))
        } else {
            for (reading, path) in zip(readings, files) { print(InspectOutput.text(reading, path: path)) }
        }
        if readings.contains(where: { !$0.succeeded }) { throw ExitCode(1) }
    }
}

enum InspectOutput {
    /// One object per result: the document's fields, or `file` and `error` for a failure.
    static func json(_ readings: [FileReading], paths: [String]) throws -> String {
        var objects: [Any] = []
        let encoder = JSONEncoder()
        for (reading, path) in zip(readings, paths) {
            for result in reading.results {
                switch result {
                case .success(let doc):
                    var object = try JSONSerialization.jsonObject(with: encoder.encode(doc)) as? [String: Any] ?? [:]
                    object["file"] = path
                    objects.append(object)
                case .failure(let error):
                    var object: [String: Any] = [
                        "file": path,
                        "error": ["file": error.file, "place": error.place.description,
                                  "reason": error.reason, "message": error.description],
                    ]
                    if case let .hl7(message, _, _, _) = error.place { object["message_index"] = message }
                    objects.append(object)
                }
            }
        }
        let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    static func text(_ reading: FileReading, path: String) -> String {
        var out: [String] = []
        for result in reading.results {
            switch result {
            case .failure(let e):
                out.append("== \(path): FAILED")
                out.append("   \(e.place): \(e.reason)")
            case .success(let d):
                let message = d.messageIndex.map { " (message \($0))" } ?? ""
                out.append("== \(path)\(message)")
                out.append("format:    \(d.sourceFormat.rawValue), encoding \(d.encoding.rawValue)")
                out.append("kind:      \(d.kind.rawValue) (from \(d.kindSource.rawValue)); task \(d.task.rawValue) (from \(d.taskSource.rawValue))")
                if let t = d.title { out.append("title:     \(t)") }
                let p = d.patient
                let patient = [p.name, p.id.map { "id \($0)" }, p.birthDate.map { "born \($0)" }, p.ageYears.map { "\($0) years" },
                               p.sex?.rawValue].compactMap { $0 }
                out.append("patient:   \(patient.isEmpty ? "(not stated)" : patient.joined(separator: ", "))")
                let e = d.encounter
                if !e.isEmpty {
                    let parts = [e.id.map { "id \($0)" }, e.patientClass, e.admission.map { "admitted \($0)" },
                                 e.discharge.map { "discharged \($0)" }, e.location.map { "at \($0)" }].compactMap { $0 }
                    out.append("encounter: \(parts.joined(separator: ", "))")
                }
                for a in d.authors { out.append("author:    \(a.name)\(a.role.map { " (\($0))" } ?? "")") }
                for s in d.sections {
                    out.append("-- section \(s.title)\(s.code.map { " [\($0)]" } ?? "")")
                    out.append(indent(s.text))
                }
                if !d.turns.isEmpty { out.append("-- \(d.turns.count) turns") }
                for t in d.turns { out.append("   \(t.role.rawValue) (\(t.speaker)): \(t.text.replacingOccurrences(of: "\n", with: "\n      "))") }
                for n in d.notices { out.append("notice:    \(n)") }
            }
        }
        return out.joined(separator: "\n")
    }

    static func indent(_ s: String) -> String {
        s.split(separator: "\n", omittingEmptySubsequences: false).map { "   " + $0 }.joined(separator: "\n")
    }
}
