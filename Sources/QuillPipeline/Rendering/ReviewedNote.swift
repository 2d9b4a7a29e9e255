import ClinicalDocuments
import Foundation

/// A reviewer's saved text or Markdown output read back into its task's sections: the inverse of the
/// `.txt` and `.md` templates, so that a correction becomes the same kind of completion the model writes.
///
/// Text: `Heading: text` lines (the first line is the title, a `Patient:` line is skipped); a line that
/// starts no known heading continues the section before it. Markdown: `## Heading` starts a section, text
/// runs until the next heading or the `---` footer; `# Title` and `**Patient:**` lines are skipped.
public struct ReviewedNote: Sendable, Equatable {
    public var task: DocumentTask
    /// Section key → text, for every section the reviewer kept.
    public var sections: [String: String]

    /// The formats a correction may be saved in.
    public static let formats = ["txt", "md"]

    /// Reads `text`, saved under `outputName` (`<stem>.<task>.<txt|md>`, the name of the output it corrects).
    public init(text: String, outputName: String) throws {
        let parts = outputName.split(separator: ".").map(String.init)
        guard let at = parts.indices.dropFirst().last(where: { DocumentTask(name: parts[$0]) != nil && $0 < parts.count - 1 }),
              let task = DocumentTask(name: parts[at]) else {
            throw ReviewedNoteError(outputName, line: nil, "is not named like an output of Quill (<name>.<task>.<txt|md>)")
        }
        let format = parts[(at + 1)...].joined(separator: ".")
        guard Self.formats.contains(format) else {
            throw ReviewedNoteError(outputName, line: nil, "is a .\(format) output; corrections are taken as the .txt or .md output")
        }
        self.task = task
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var collected: [(key: String, lines: [String], line: Int)] = []
        func begin(_ heading: String, rest: String, line: Int) throws {
            guard let spec = task.sections.first(where: { $0.heading.lowercased() == heading.lowercased() }) else {
                throw ReviewedNoteError(outputName, line: line, "has a section \"\(heading)\" that a \(task.fileName) does not have (its sections: \(task.headings.joined(separator: ", ")))")
            }
            if let earlier = collected.first(where: { $0.key == spec.key }) {
                throw ReviewedNoteError(outputName, line: line, "has the section \"\(spec.heading)\" twice (first at line \(earlier.line))")
            }
            collected.append((spec.key, rest.isEmpty ? [] : [rest], line))
        }
        for (i, raw) in lines.enumerated() {
            let number = i + 1
            let line = raw.trimmingCharacters(in: .whitespaces)
            if format == "md" {
                if line == "---" { break }
                if line.hasPrefix("## ") { try begin(String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces), rest: "", line: number); continue }
                if line.hasPrefix("# ") || line.hasPrefix("**Patient:**") { continue }
            } else {
                if let colon = line.firstIndex(of: ":"),
                   task.headings.contains(where: { $0.lowercased() == line[..<colon].lowercased() }) {
                    try begin(String(line[..<colon]), rest: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces), line: number)
                    continue
                }
            }
            if collected.isEmpty {
                // Before the first section: the title line and the patient line, which come from the document.
                if line.isEmpty || (format == "txt" && (i == 0 || line.hasPrefix("Patient:"))) { continue }
                throw ReviewedNoteError(outputName, line: number, "has text before its first section heading")
            }
            collected[collected.count - 1].lines.append(line)
        }
        var sections: [String: String] = [:]
        for c in collected {
            let text = c.lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            sections[c.key] = text.isEmpty ? notDocumented : text
        }
        if let missing = task.requiredSections.first(where: { sections[$0.key] == nil }) {
            throw ReviewedNoteError(outputName, line: nil, "has no \"\(missing.heading)\" section, which a \(task.fileName) requires (write \"\(notDocumented)\" under it if the source has nothing)")
        }
        self.sections = sections
    }
}

/// Why a reviewer's file could not be read back into sections: the file and, where there is one, the line.
public struct ReviewedNoteError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var problem: String
    init(_ file: String, line: Int?, _ problem: String) { self.file = file; self.line = line; self.problem = problem }
    public var description: String { "\(file)\(line.map { ", line \($0)," } ?? "") \(problem)" }
}
