/// Plain-text clinical notes, in the terse styles clinicians write:
///
///     36 y/o female, adm 2025-03-07, c/o headache x 1 week. Dx: migraine. PMH: HTN. Tx: …
///
/// Sections are cut where a known heading appears (`SectionCodes.textHeadings`): at the start
/// of a line ("Hospital course:", "PLAN", "HISTORY OF PRESENT ILLNESS") or, for the common
/// abbreviations, after a sentence break in the middle of a line (". Dx:", "; PMH:").
/// An all-capitals line of two or more words is a heading too. Text before the first heading,
/// or the whole note when there is none, is one section titled "Narrative".
public enum TextNoteReader {
    public static func read(text: String, encoding: TextEncoding, file: String) -> ClinicalDocument {
        let normalized = TextLines.normalizeLineEnds(text)
        var doc = ClinicalDocument(kind: .clinicalNote, task: .dischargeSummary, sourceFormat: .plainText,
                                   encoding: encoding, sourceFile: file)
        doc.sections = sections(of: normalized)
        TextFacts.extract(from: normalized, into: &doc)
        return doc
    }

    struct Heading { let title: String; let code: String?; let rest: Substring }

    /// The note cut into sections; never empty for non-blank text.
    static func sections(of text: String) -> [Section] {
        var sections: [Section] = []
        var title = "Narrative", code: String? = nil
        var body: [String] = []
        var headingLine: String? = nil
        func flush() {
            let t = body.joined(separator: "\n").trimmedWhitespace
            if !t.isEmpty {
                sections.append(Section(title: title, code: code, text: t))
            } else if let h = headingLine {
                // A heading with nothing under it ("PROGRESS NOTE" atop a note) is text, not a section.
                if sections.isEmpty { sections.append(Section(title: "Narrative", code: nil, text: h)) }
                else { sections[sections.count - 1].text += "\n" + h }
            }
            body = []
            headingLine = nil
        }
        for line in TextLines.lines(text) {
            var remainder = line
            if let h = lineHeading(line) {
                flush()
                title = h.title; code = h.code
                remainder = h.rest
                headingLine = String(line).trimmedWhitespace
            }
            // Mid-line headings: ". Dx: …" splits the line.
            var pieces = inlineHeadings(remainder)
            if let first = pieces.first, first.heading == nil {
                body.append(String(first.text))
                pieces.removeFirst()
            }
            for piece in pieces {
                flush()
                headingLine = nil
                if let h = piece.heading { title = h.title; code = h.loinc }
                body.append(String(piece.text))
            }
        }
        flush()
        return sections
    }

    static func lookup(_ label: Substring) -> SectionCodes.Known? {
        let key = label.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        return SectionCodes.textHeadings[key.hasSuffix(".") ? String(key.dropLast()) : key]
    }

    /// A heading at the start of a line: "Label: rest" with a known label, or a line that is only a
    /// known label or an all-capitals title (optionally ending in ':').
    static func lineHeading(_ line: Substring) -> Heading? {
        let trimmed = Substring(String(line).trimmedWhitespace.trimmingMarkdown)
        guard !trimmed.isEmpty, trimmed.count <= 200 else { return nil }
        if let colon = trimmed.firstIndex(of: ":") {
            let label = trimmed[..<colon]
            guard label.count <= 40 else { return nil }
            if let known = lookup(label) {
                return Heading(title: known.title, code: known.loinc, rest: trimmed[trimmed.index(after: colon)...].trimmedWhitespaceSub)
            }
            if trimmed.index(after: colon) == trimmed.endIndex, isCapitalsTitle(label) {
                return Heading(title: String(label).trimmedWhitespace, code: nil, rest: "")
            }
            return nil
        }
        if let known = lookup(trimmed), !SectionCodes.lineStartOnly.contains(trimmed.lowercased()) || trimmed.count > 1 {
            // A line holding only a heading's name ("Plan", "HPI").
            if trimmed.count <= 40 { return Heading(title: known.title, code: known.loinc, rest: "") }
        }
        if isCapitalsTitle(trimmed) { return Heading(title: String(trimmed.trimmedWhitespaceSub), code: nil, rest: "") }
        return nil
    }

    /// "HISTORY OF PRESENT ILLNESS", "ASSESSMENT AND PLAN": letters (and & / - spaces), all capitals,
    /// two words or more, at most 60 characters. One capitalised word is too often an abbreviation.
    static func isCapitalsTitle(_ s: Substring) -> Bool {
        let t = s.trimmedWhitespaceSub
        guard t.count >= 4, t.count <= 60 else { return false }
        var letters = 0
        for u in t.unicodeScalars {
            if u.properties.isAlphabetic {
                guard u.properties.isUppercase else { return false }
                letters += 1
            } else if !(u == " " || u == "&" || u == "/" || u == "-" || u == ",") {
                return false
            }
        }
        return letters >= 4 && t.split(separator: " ").count >= 2
    }

    struct Piece { let heading: SectionCodes.Known?; let text: Substring }

    /// Splits a line at known abbreviation headings that follow a sentence break (or start the line):
    /// "c/o headache. Dx: migraine. PMH: HTN" → [c/o headache.] [Dx → migraine.] [PMH → HTN].
    static func inlineHeadings(_ line: Substring) -> [Piece] {
        var pieces: [Piece] = []
        var segmentStart = line.startIndex
        var currentHeading: SectionCodes.Known? = nil
        var i = line.startIndex
        while i < line.endIndex {
            guard line[i] == ":" else { i = line.index(after: i); continue }
            let after = line.index(after: i)
            // The label runs back to a sentence break (". ", "; ", ", ") or the start of the line.
            var labelStart = i
            var steps = 0
            while labelStart > segmentStart, steps < 30 {
                let prev = line.index(before: labelStart)
                let ch = line[prev]
                if ch == "." || ch == ";" || ch == "," || ch == ")" {
                    break
                }
                labelStart = prev
                steps += 1
            }
            let label = line[labelStart..<i].trimmedWhitespaceSub
            let atBoundary = labelStart == line.startIndex || labelStart == segmentStart
                || [".", ";", ",", ")"].contains(line[line.index(before: labelStart)])
            let followedBySpace = after == line.endIndex || line[after] == " " || line[after] == "\t"
            if atBoundary, followedBySpace, !label.isEmpty, label.count <= 30,
               !SectionCodes.lineStartOnly.contains(label.lowercased()),
               let known = lookup(label) {
                let before = line[segmentStart..<labelStart].trimmedWhitespaceSub
                if !before.isEmpty || currentHeading != nil || !pieces.isEmpty {
                    pieces.append(Piece(heading: currentHeading, text: before))
                }
                currentHeading = known
                segmentStart = after
            }
            i = after
        }
        let tail = line[segmentStart...].trimmedWhitespaceSub
        pieces.append(Piece(heading: currentHeading, text: tail))
        return pieces
    }
}

extension Substring {
    var trimmedWhitespaceSub: Substring {
        guard let first = firstIndex(where: { !$0.isWhitespace }),
              let last = lastIndex(where: { !$0.isWhitespace }) else { return self[endIndex...] }
        return self[first...last]
    }
}

extension String {
    /// Drops markdown emphasis and heading marks around a line ("## Plan", "**Dx:**").
    var trimmingMarkdown: String {
        var s = Substring(self)
        while let f = s.first, f == "#" || f == "*" || f == "_" { s = s.dropFirst() }
        while let l = s.last, l == "*" || l == "_" { s = s.dropLast() }
        return String(s).replacingOccurrencesOfColonStars
    }

    private var replacingOccurrencesOfColonStars: String {
        // "**Dx:** migraine" leaves ":** migraine": drop the closing emphasis after the colon.
        guard let r = firstRange(of: ":**") else { return self }
        return String(self[..<r.lowerBound]) + ":" + String(self[r.upperBound...])
    }
}
