/// The writers' side of the formats the readers parse: escaping text placed into HL7 v2 fields and XML.
/// Output templates and the synthetic-record writers use these, so what Quill writes reads back unchanged.
public enum HL7Text {
    /// HL7 v2 escapes for the standard delimiters |^~\& (v2.5 §2.7): the escape character first, then the
    /// delimiters; a line break becomes `\.br\` so it cannot end the segment.
    public static func escape(_ s: String) -> String {
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
}

public enum XMLText {
    /// XML 1.0 escapes for text and attribute values. Characters XML 1.0 cannot hold at all (most C0 controls,
    /// U+FFFE/U+FFFF) are dropped rather than producing a file no parser accepts.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for scalar in s.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\u{9}", "\u{A}", "\u{D}": out.unicodeScalars.append(scalar)
            default:
                if scalar.value < 0x20 || (0xFFFE...0xFFFF).contains(scalar.value) { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
