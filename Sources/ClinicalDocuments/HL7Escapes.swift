/// HL7 v2 escape sequences (v2.5 §2.7, "Use of escape sequences in text fields").
///
/// Escapes are undone only after a value has been split at its delimiters, because `\F\`
/// stands for a literal field separator inside a field. An escape that is not recognised,
/// or not closed, is kept as written: senders get these wrong often, and dropping text would
/// lose more than keeping a stray backslash.
enum HL7Escapes {
    /// Repeats of `\.sp n\` and `\.sk n\` are capped, so a hostile count cannot inflate the text.
    static let maxRepeat = 20

    static func unescape(_ raw: Substring, _ d: HL7Delimiters) -> String {
        let scalars = raw.unicodeScalars
        let esc = d.escape
        guard scalars.contains(esc) else { return String(raw) }
        var out = String.UnicodeScalarView()
        var i = scalars.startIndex
        while i < scalars.endIndex {
            let c = scalars[i]
            guard c == esc else { out.append(c); i = scalars.index(after: i); continue }
            let bodyStart = scalars.index(after: i)
            guard let close = scalars[bodyStart...].firstIndex(of: esc) else {
                out.append(contentsOf: scalars[i...])   // unclosed: keep as written
                break
            }
            if let replacement = expand(String(scalars[bodyStart..<close]), d) {
                out.append(contentsOf: replacement.unicodeScalars)
            } else {
                out.append(contentsOf: scalars[i...close])
            }
            i = scalars.index(after: close)
        }
        return String(out)
    }

    /// The text an escape body stands for; nil when the body is not an escape we know.
    private static func expand(_ body: String, _ d: HL7Delimiters) -> String? {
        switch body {
        case "F": return String(d.field)
        case "S": return String(d.component)
        case "T": return String(d.subcomponent)
        case "R": return String(d.repetition)
        case "E": return String(d.escape)
        case "P": return d.truncation.map(String.init) ?? "#"
        case "H", "N": return ""                 // highlight on/off: no meaning in plain text
        case ".br": return "\n"
        case ".fi", ".nf": return ""              // fill mode on/off
        case ".ce": return "\n"                    // centre the next line: start it on its own line
        default: break
        }
        guard let first = body.unicodeScalars.first else { return nil }
        let rest = body.unicodeScalars.dropFirst()
        switch first {
        case "X": return hexText(String(rest))
        case "C", "M", "Z": return ""              // character-set switches and locally defined escapes
        case ".":
            let parts = String(rest).split(separator: " ", maxSplits: 1)
            guard let command = parts.first else { return nil }
            let n = parts.count > 1 ? Int(parts[1].filter { $0 != "+" && $0 != " " }) ?? 1 : 1
            let count = min(max(n, 0), maxRepeat)
            switch command {
            case "sp": return String(repeating: "\n", count: max(count, 1))
            case "sk": return String(repeating: " ", count: count)
            case "in", "ti": return ""             // indentation: layout only
            default: return nil
            }
        default: return nil
        }
    }

    /// `\Xhhhh\`: bytes in hex. Read as UTF-8 where valid, else as Latin-1, the common 8-bit set.
    /// Control bytes other than tab and line breaks are dropped: they have no place in text.
    private static func hexText(_ hex: String) -> String? {
        let digits = Array(hex.utf8)
        guard digits.count % 2 == 0, !digits.isEmpty else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var i = 0
        while i + 1 < digits.count {
            guard let hi = hexValue(digits[i]), let lo = hexValue(digits[i + 1]) else { return nil }
            bytes.append(hi << 4 | lo)
            i += 2
        }
        let kept = bytes.filter { $0 >= 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        if let s = String(validating: kept, as: UTF8.self) { return s }
        return String(String.UnicodeScalarView(kept.filter { !(0x7F...0x9F).contains($0) }.map { Unicode.Scalar($0) }))
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
