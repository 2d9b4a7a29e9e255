/// Why a file, or one message in it, could not be read: the file, the place, and what is wrong,
/// in words a clerk can act on. A failed document is data (it goes to `failed/` with this
/// description), never a crash.
public struct DocumentError: Error, Sendable, Codable, Equatable, CustomStringConvertible {
    /// The file's name, as in `ClinicalDocument.sourceFile`.
    public var file: String
    public var place: Place
    public var problem: Problem

    public init(file: String, place: Place = .wholeFile, problem: Problem) {
        self.file = file; self.place = place; self.problem = problem
    }

    /// Where in the file the problem is.
    public enum Place: Sendable, Codable, Equatable, CustomStringConvertible {
        case wholeFile
        case byteOffset(Int)
        case line(Int)
        /// HL7 v2: the message's number in the file, the segment (e.g. "PID"), the field number
        /// (e.g. 5 for PID-5) where one is to blame, and the line the segment starts on.
        case hl7(message: Int, segment: String, field: Int?, line: Int)
        /// XML: the line and, where known, the element.
        case xml(line: Int, element: String?)

        public var description: String {
            switch self {
            case .wholeFile: return "whole file"
            case .byteOffset(let o): return "byte \(o)"
            case .line(let l): return "line \(l)"
            case let .hl7(message, segment, field, line):
                let f = field.map { "\(segment)-\($0)" } ?? segment
                return "message \(message), segment \(f), line \(line)"
            case let .xml(line, element):
                return element.map { "line \(line), element <\($0)>" } ?? "line \(line)"
            }
        }
    }

    public enum Problem: Sendable, Codable, Equatable {
        case unreadable(reason: String)
        case empty
        case tooLarge(bytes: Int, limit: Int)
        case textTooLong(characters: Int, limit: Int)
        case binary(detail: String)
        case wrongEncoding(detail: String)
        case hl7(detail: String)
        case tooManyMessages(limit: Int)
        case xmlMalformed(detail: String)
        case xmlEntityDeclaration(name: String)
        case notCDA(root: String)
        case noText(detail: String)
        case kindOverrideFailed(detail: String)
    }

    /// The sentence that goes into `<name>.error.json` and `quill inspect`.
    public var reason: String {
        switch problem {
        case .unreadable(let r): return "the file could not be opened or read (\(r))"
        case .empty: return "the file is empty or holds only blank space; there is nothing to summarise"
        case let .tooLarge(bytes, limit):
            return "the file is \(bytes) bytes, larger than the limit of \(limit) bytes (documents.max_file_bytes)"
        case let .textTooLong(chars, limit):
            return "the document holds \(chars) characters of text, more than the limit of \(limit) (documents.max_text_characters)"
        case .binary(let d): return "this does not look like a text document: \(d)"
        case .wrongEncoding(let d): return "the text encoding is wrong: \(d)"
        case .hl7(let d): return "the HL7 message is malformed: \(d)"
        case .tooManyMessages(let limit):
            return "the HL7 batch holds more than \(limit) messages (documents.max_messages_per_file); split it"
        case .xmlMalformed(let d): return "the XML is malformed or cut off: \(d)"
        case .xmlEntityDeclaration(let name):
            return "the XML declares an entity ('\(name)') in a DOCTYPE; Quill refuses entity declarations because they can read local files or expand without bound"
        case .notCDA(let root):
            return "the XML is not a CDA document: its root element is <\(root)>, expected <ClinicalDocument> (or a <section> fragment)"
        case .noText(let d): return "no clinical text was found: \(d)"
        case .kindOverrideFailed(let d): return d
        }
    }

    public var description: String { "\(file): \(place): \(reason)" }
}
