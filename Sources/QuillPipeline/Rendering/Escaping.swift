import Foundation
import Mustache

/// Escapers for values placed into templates, one per output format, so a template author writes `{{value}}`
/// and never has to remember the format's rules.
enum Escaping {
    /// XML text and attribute values.
    static func xml(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            // Characters XML 1.0 cannot hold at all are dropped rather than producing an unreadable file.
            case "\u{9}", "\u{A}", "\u{D}": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// HL7 v2 field text with the standard delimiters |^~\& (escape character first), line breaks as \.br\.
    static func hl7(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\\": out += "\\E\\"
            case "|": out += "\\F\\"
            case "^": out += "\\S\\"
            case "&": out += "\\T\\"
            case "~": out += "\\R\\"
            case "\r\n", "\n", "\r": out += "\\.br\\"
            default: out.append(ch)
            }
        }
        return out
    }

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
