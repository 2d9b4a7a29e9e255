import ClinicalDocuments
import Foundation
import Mustache

/// Escapers for values placed into templates, one per output format, so a template author writes `{{value}}`
/// and never has to remember the format's rules.
enum Escaping {
    /// XML text and attribute values (the CDA reader's counterpart in ClinicalDocuments).
    static func xml(_ s: String) -> String { XMLText.escape(s) }

    /// HL7 v2 field text (the HL7 reader's counterpart in ClinicalDocuments).
    static func hl7(_ s: String) -> String { HL7Text.escape(s) }

    /// The inside of a JSON string.
    static func json(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }

    struct XML: MustacheContentType { func escapeText(_ text: String) -> String { Escaping.xml(text) } }
    struct HL7: MustacheContentType { func escapeText(_ text: String) -> String { Escaping.hl7(text) } }
    struct JSON: MustacheContentType { func escapeText(_ text: String) -> String { Escaping.json(text) } }

    /// Registers the content types once, before any template is parsed.
    static let registered: Void = {
        MustacheContentTypes.register(XML(), named: "QUILL_XML")
        MustacheContentTypes.register(HL7(), named: "QUILL_HL7")
        MustacheContentTypes.register(JSON(), named: "QUILL_JSON")
    }()
}
