import ClinicalDocuments
import Foundation
import Mustache

/// A template that could not be loaded: named, with the reason, at start-up or reload (never at the first document).
public struct TemplateError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let reason: String
    public var description: String { "\(file): \(reason)" }
}

/// Every template the configured tasks and formats need, parsed once from `templates/`.
public struct TemplateSet: @unchecked Sendable {
    public let folder: URL
    private let templates: [String: MustacheTemplate]

    public static func fileName(task: DocumentTask, format: OutputFormat) -> String { "\(task.fileName).\(format.fileExtension).mustache" }

    /// Loads and parses the templates for `tasks` × `formats`, failing on the first missing or broken one.
    public init(folder: URL, tasks: [DocumentTask] = DocumentTask.allCases, formats: [OutputFormat] = OutputFormat.allCases) throws {
        _ = Escaping.registered
        self.folder = folder
        var templates: [String: MustacheTemplate] = [:]
        for task in tasks {
            for format in formats {
                let name = Self.fileName(task: task, format: format)
                let url = folder.appendingPathComponent(name)
                guard let data = FileManager.default.contents(atPath: url.path) else {
                    throw TemplateError(file: url.path, reason: "the template is missing")
                }
                guard let source = String(data: data, encoding: .utf8) else {
                    throw TemplateError(file: url.path, reason: "the template is not UTF-8 text")
                }
                do {
                    // The format's escaping is set here, not by the template, so an edit cannot switch it off.
                    templates[name] = try MustacheTemplate(string: "{{% CONTENT_TYPE: \(format.contentType)}}\n" + source)
                } catch {
                    throw TemplateError(file: url.path, reason: "the template does not parse: \(error)")
                }
            }
        }
        self.templates = templates
    }

    /// Renders one output. HL7 segments end in carriage returns whatever line endings the template file has.
    public func render(task: DocumentTask, format: OutputFormat, context: [String: Any]) throws -> String {
        let name = Self.fileName(task: task, format: format)
        guard let template = templates[name] else {
            throw TemplateError(file: folder.appendingPathComponent(name).path, reason: "the template was not loaded for this format")
        }
        let text = template.render(context)
        if format == .hl7 {
            return text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" || $0 == "\r\n" })
                .joined(separator: "\r") + "\r"
        }
        return text
    }
}
