/// Line handling shared by the plain-text readers.
enum TextLines {
    /// `\r\n` and lone `\r` become `\n`; MLLP framing bytes and a stray BOM are dropped.
    static func normalizeLineEnds(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        var previousCR = false
        for u in s.unicodeScalars {
            switch u {
            case "\r": out.append("\n"); previousCR = true; continue
            case "\n": if !previousCR { out.append("\n") }
            case "\u{0B}", "\u{1C}", "\u{FEFF}": break
            case "\u{0C}": out.append("\n")
            default: out.append(u)
            }
            previousCR = false
        }
        return String(out)
    }

    static func lines(_ s: String) -> [Substring] {
        s.split(separator: "\n", omittingEmptySubsequences: false)
    }
}
