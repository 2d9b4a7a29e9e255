/// HL7 v2 messages in ER7 ("pipe and hat") encoding: delimiters, segments, fields, repetitions,
/// components, and batches. This file knows the syntax only; `HL7Reader` knows what the segments mean.

/// The five delimiters a message declares in MSH-1 and MSH-2 (v2.7 adds a truncation character).
struct HL7Delimiters: Equatable {
    var field: Unicode.Scalar
    var component: Unicode.Scalar
    var repetition: Unicode.Scalar
    var escape: Unicode.Scalar
    var subcomponent: Unicode.Scalar
    var truncation: Unicode.Scalar?
}

/// One segment: its name, its raw (still escaped) fields, and the line it starts on.
struct HL7Segment {
    let id: String
    /// `fields[0]` is the segment name. For MSH, `fields[1]` is MSH-2, because MSH-1 is the
    /// field separator itself; `field(_:)` hides that offset.
    let fields: [Substring]
    let line: Int
    let delimiters: HL7Delimiters

    /// Field `n` in HL7 numbering, raw; empty when absent.
    func raw(_ n: Int) -> Substring {
        if id == "MSH" {
            if n == 1 { return Substring(String(delimiters.field)) }
            return n - 1 < fields.count && n >= 2 ? fields[n - 1] : ""
        }
        return n >= 1 && n < fields.count ? fields[n] : ""
    }

    func repetitions(_ n: Int) -> [Substring] {
        let r = raw(n)
        if r.isEmpty { return [] }
        // MSH-2 holds the delimiters themselves; never split it.
        if id == "MSH" && n == 2 { return [r] }
        return HL7Split.split(r, by: delimiters.repetition)
    }

    /// Component `c` (1-based) of repetition `rep` (0-based) of field `n`, first subcomponent, unescaped.
    func component(_ n: Int, _ c: Int, rep: Int = 0) -> String {
        let reps = repetitions(n)
        guard rep < reps.count else { return "" }
        return Self.component(of: reps[rep], c, delimiters)
    }

    static func component(of repetition: Substring, _ c: Int, _ d: HL7Delimiters) -> String {
        let comps = HL7Split.split(repetition, by: d.component)
        guard c >= 1, c - 1 < comps.count else { return "" }
        let sub = HL7Split.split(comps[c - 1], by: d.subcomponent).first ?? ""
        return HL7Escapes.unescape(sub, d).trimmedWhitespace
    }

    /// A text field (TX, FT, ST): each repetition is one line; components are not split, since
    /// senders often leave a raw `^` in prose.
    func text(_ n: Int) -> String {
        repetitions(n).map { HL7Escapes.unescape($0, delimiters) }.joined(separator: "\n")
    }
}

/// One message: the segments from an MSH up to the next MSH (or batch segment).
struct HL7Message {
    /// 1-based position in the file.
    let index: Int
    let segments: [HL7Segment]
    var msh: HL7Segment { segments[0] }
    func first(_ id: String) -> HL7Segment? { segments.first { $0.id == id } }
}

enum HL7Split {
    /// Splits on a delimiter by Unicode scalar, not by Character: a combining mark after a `|`
    /// would otherwise glue the two into one grapheme and hide the delimiter.
    static func split(_ s: Substring, by d: Unicode.Scalar) -> [Substring] {
        var parts: [Substring] = []
        let u = s.unicodeScalars
        var start = u.startIndex
        var i = u.startIndex
        while i < u.endIndex {
            if u[i] == d {
                parts.append(Substring(u[start..<i]))
                start = u.index(after: i)
            }
            i = u.index(after: i)
        }
        parts.append(Substring(u[start..<u.endIndex]))
        return parts
    }
}

/// Turns the text of an HL7 file into messages, one `Result` per message so that one broken
/// message does not lose the good ones around it.
enum HL7Parser {
    /// Segments that frame batches (file and batch header/trailer). They carry no clinical content.
    static let envelopeSegments: Set<String> = ["FHS", "FTS", "BHS", "BTS"]

    /// True when the text, after blank space and MLLP framing, starts with MSH, FHS or BHS followed by
    /// a field separator: content decides, not the file name.
    static func looksLikeHL7(_ text: String) -> Bool {
        var u = Substring(text).unicodeScalars.drop { $0.properties.isWhitespace || $0 == "\u{0B}" || $0 == "\u{1C}" || $0 == "\u{FEFF}" }
        let head = String(String.UnicodeScalarView(u.prefix(3)))
        guard head == "MSH" || head == "FHS" || head == "BHS" else { return false }
        u = u.dropFirst(3)
        guard let sep = u.first else { return false }
        // Sentence punctuation after "MSH" is prose ("MSH: methylsulfonylmethane"), not a field separator.
        return isValidSeparator(sep) && !":.,;-()'\"/".unicodeScalars.contains(sep)
    }

    static func isValidSeparator(_ s: Unicode.Scalar) -> Bool {
        s.isASCII && !s.properties.isAlphabetic && !s.properties.isWhitespace
            && !("0"..."9").contains(s) && s.value >= 0x21 && s.value < 0x7F
    }

    struct Line { let text: Substring; let number: Int }

    /// Physical segments with the line each starts on. `\r`, `\n` and `\r\n` all end a segment;
    /// MLLP's start (0x0B) and end (0x1C) bytes end one too and are otherwise dropped.
    static func segmentLines(_ text: String) -> [Line] {
        var lines: [Line] = []
        let u = text.unicodeScalars
        var line = 1
        var start = u.startIndex
        var startLine = 1
        var i = u.startIndex
        func flush(_ end: String.UnicodeScalarView.Index) {
            let piece = Substring(u[start..<end])
            if piece.unicodeScalars.contains(where: { !$0.properties.isWhitespace && $0 != "\u{FEFF}" }) {
                lines.append(Line(text: piece, number: startLine))
            }
        }
        while i < u.endIndex {
            let c = u[i]
            if c == "\r" || c == "\n" || c == "\u{0B}" || c == "\u{1C}" {
                flush(i)
                let next = u.index(after: i)
                if c == "\n" || (c == "\r" && (next == u.endIndex || u[next] != "\n")) { line += 1 }
                i = next
                start = i
                startLine = line
            } else {
                i = u.index(after: i)
            }
        }
        flush(u.endIndex)
        return lines
    }

    /// Parses MSH-1/MSH-2 into delimiters, or says what is wrong with them.
    struct HeaderProblem: Error { let field: Int; let detail: String }

    static func delimiters(fromHeader line: Substring) -> Result<HL7Delimiters, HeaderProblem> {
        var u = line.unicodeScalars.drop { $0 == "\u{FEFF}" || $0.properties.isWhitespace }
        u = u.dropFirst(3)   // "MSH"
        guard let field = u.first else {
            return .failure(HeaderProblem(field: 1, detail: "the MSH segment ends right after its name; MSH-1 (the field separator, usually '|') is missing"))
        }
        guard isValidSeparator(field) else {
            return .failure(HeaderProblem(field: 1, detail: "MSH-1 must be the field separator (usually '|'), found '\(field.escaped(asASCII: true))'"))
        }
        let enc = Array(u.dropFirst().prefix { $0 != field })
        let shown = String(String.UnicodeScalarView(enc))
        guard enc.count == 4 || enc.count == 5 else {
            return .failure(HeaderProblem(field: 2, detail: "MSH-2 must hold the four encoding characters (usually ^~\\&), found '\(shown)'"))
        }
        guard enc.allSatisfy(isValidSeparator), Set(enc).count == enc.count, !enc.contains(field) else {
            return .failure(HeaderProblem(field: 2, detail: "MSH-2 must hold four different punctuation characters, none equal to the field separator; found '\(shown)'"))
        }
        return .success(HL7Delimiters(field: field, component: enc[0], repetition: enc[1], escape: enc[2],
                                      subcomponent: enc[3], truncation: enc.count == 5 ? enc[4] : nil))
    }

    /// A segment name is three capital letters or digits (Z-segments included).
    static func segmentName(_ line: Substring, _ field: Unicode.Scalar) -> String? {
        let u = line.unicodeScalars
        let name = Array(u.prefix(3))
        guard name.count == 3,
              name.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) }) else { return nil }
        let rest = u.dropFirst(3)
        guard rest.isEmpty || rest.first == field else { return nil }
        return String(String.UnicodeScalarView(name))
    }

    static func split(_ text: String, file: String, limits: DocumentLimits) -> [Result<HL7Message, DocumentError>] {
        var results: [Result<HL7Message, DocumentError>] = []
        var current: [HL7Segment] = []
        var currentIndex = 0
        var currentError: DocumentError?
        var active: HL7Delimiters?
        var messageCount = 0

        func finish() {
            defer { current = []; currentError = nil }
            guard currentIndex > 0 else { return }
            if let e = currentError { results.append(.failure(e)); return }
            results.append(.success(HL7Message(index: currentIndex, segments: current)))
        }

        for line in segmentLines(text) {
            let trimmed = Substring(line.text.unicodeScalars.drop { $0 == "\u{FEFF}" || $0 == " " || $0 == "\t" })
            let head = String(String.UnicodeScalarView(trimmed.unicodeScalars.prefix(3)))
            if head == "MSH" {
                finish()
                messageCount += 1
                if messageCount > limits.maxMessagesPerFile {
                    results.append(.failure(DocumentError(file: file, place: .line(line.number),
                                                          problem: .tooManyMessages(limit: limits.maxMessagesPerFile))))
                    return results
                }
                currentIndex = messageCount
                switch HL7Parser.delimiters(fromHeader: trimmed) {
                case .success(let d):
                    active = d
                    let fields = HL7Split.split(trimmed, by: d.field)
                    current = [HL7Segment(id: "MSH", fields: fields, line: line.number, delimiters: d)]
                case .failure(let f):
                    active = nil
                    currentError = DocumentError(file: file, place: .hl7(message: currentIndex, segment: "MSH", field: f.field, line: line.number),
                                                 problem: .hl7(detail: f.detail))
                }
                continue
            }
            if envelopeSegments.contains(head) {
                finish()
                currentIndex = 0
                continue
            }
            guard currentIndex > 0 else {
                results.append(.failure(DocumentError(file: file, place: .line(line.number), problem: .hl7(
                    detail: "line \(line.number) is outside any message: every message must begin with an MSH segment"))))
                continue
            }
            guard currentError == nil, let d = active else { continue }
            guard let name = segmentName(trimmed, d.field) else {
                // Usually the previous segment had a line break inside a field, so it is the one named.
                let shown = String(String.UnicodeScalarView(trimmed.unicodeScalars.prefix(12)))
                let previousID = current.last?.id ?? "MSH", previousLine = current.last?.line ?? line.number
                currentError = DocumentError(file: file, place: .hl7(message: currentIndex, segment: previousID, field: nil, line: line.number),
                                             problem: .hl7(detail: "line \(line.number) should start a segment (three capital letters or digits, then '\(d.field)'), but it starts with '\(shown)'; a line break inside a field of the \(previousID) segment on line \(previousLine) can cause this"))
                continue
            }
            current.append(HL7Segment(id: name, fields: HL7Split.split(trimmed, by: d.field), line: line.number, delimiters: d))
        }
        finish()
        return results
    }
}

extension String {
    /// Trims spaces, tabs and line breaks at both ends (Foundation-free, so the fuzz build stays small).
    var trimmedWhitespace: String {
        let u = unicodeScalars
        guard let first = u.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = u.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(u[first...last])
    }
}
