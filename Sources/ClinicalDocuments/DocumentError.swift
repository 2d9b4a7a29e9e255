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

        /// The place in numbers only, for logs and the audit trail: an XML element's name and an
        /// HL7 segment id that is not three letters or digits come from the file and are left out.
        public var safeDescription: String {
            switch self {
            case .wholeFile, .byteOffset, .line: return description
            case let .hl7(message, segment, field, line):
                let isSegmentID = segment.utf8.count == 3 && segment.utf8.allSatisfy { (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) }
                let s = isSegmentID ? segment : "?"
                return "message \(message), segment \(field.map { "\(s)-\($0)" } ?? s), line \(line)"
            case let .xml(line, _): return "line \(line)"
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

    /// A stable word for the kind of problem.
    public var kind: String {
        switch problem {
        case .unreadable: return "unreadable"
        case .empty: return "empty"
        case .tooLarge: return "too_large"
        case .textTooLong: return "text_too_long"
        case .binary: return "binary"
        case .wrongEncoding: return "wrong_encoding"
        case .hl7: return "hl7_malformed"
        case .tooManyMessages: return "too_many_messages"
        case .xmlMalformed: return "xml_malformed"
        case .xmlEntityDeclaration: return "xml_entity_declaration"
        case .notCDA: return "not_cda"
        case .noText: return "no_text"
        case .kindOverrideFailed: return "kind_override_failed"
        }
    }

    /// The rendering for logs, the jobs table and the audit trail: the kind, the limits involved
    /// and the place, never the file's name nor anything quoted from its content (a detail text
    /// can quote narrative, a name can hold a patient's name or MRN). `description` stays the one
    /// for `<name>.error.json`, which an operator can purge.
    public var safeDescription: String {
        var s = kind
        switch problem {
        case let .tooLarge(bytes, limit): s += " (\(bytes) bytes, limit \(limit))"
        case let .textTooLong(chars, limit): s += " (\(chars) characters, limit \(limit))"
        case .tooManyMessages(let limit): s += " (limit \(limit))"
        default: break
        }
        return s + " at " + place.safeDescription
    }
}
