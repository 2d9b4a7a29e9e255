/// Dialogue transcripts: one turn per speaker label, in the forms transcription tools and data
/// sets use: `Doctor: …` / `Patient: …`, `[doctor] …` / `[patient] …`, `D: …` / `P: …`, names with
/// roles (`Dr. Patel: …`, `Maria (mother): …`), and WebVTT voices (see `WebVTTReader`).
/// A line without a label continues the turn before it. Text before the first turn becomes a
/// "Header" section.
public enum DialogueReader {
    public struct Turns {
        public var header: String
        public var turns: [DialogueTurn]
        /// Labelled turns whose role is doctor / patient. Single-letter labels (D:, P:) count only
        /// when both letters occur, because "P:" alone is the Plan of a SOAP note.
        public var doctorTurns: Int
        public var patientTurns: Int
        /// Labelled turns of other speakers (family, nurse, interpreter…).
        public var otherTurns: Int = 0
        /// Non-blank lines that are not the start of a turn.
        public var unlabelledLines: Int

        /// Detection rule, any of:
        /// - at least two doctor turns and two patient turns;
        /// - at least two doctor turns and two turns of other speakers (a parent speaking for a
        ///   child), with at least as many labelled turns as unlabelled lines;
        /// - a short exchange: a doctor turn and another speaker's turn, every non-blank line labelled.
        /// A note with "Patient:" and "Doctor:" header lines is not a dialogue by this rule.
        public var looksLikeDialogue: Bool {
            let labelled = doctorTurns + patientTurns + otherTurns
            return (doctorTurns >= 2 && patientTurns >= 2)
                || (doctorTurns >= 2 && otherTurns >= 2 && labelled >= unlabelledLines)
                || (doctorTurns >= 1 && patientTurns + otherTurns >= 1 && unlabelledLines == 0 && turns.count >= 2)
        }
    }

    public static func read(text: String, encoding: TextEncoding, file: String) throws(DocumentError) -> ClinicalDocument {
        let normalized = TextLines.normalizeLineEnds(text)
        let format: SourceFormat = WebVTTReader.isWebVTT(normalized) ? .webVTT : .plainText
        let parsed = format == .webVTT ? WebVTTReader.turns(normalized) : turns(in: normalized)
        guard !parsed.turns.isEmpty else {
            throw DocumentError(file: file, problem: .noText(detail: "no speaker turns were found; a dialogue needs lines such as 'Doctor: …' and 'Patient: …', '[doctor] …', 'D: …' or WebVTT '<v Doctor>' voices"))
        }
        var doc = ClinicalDocument(kind: .dialogue, task: .soapNote, sourceFormat: format, encoding: encoding, sourceFile: file)
        doc.turns = parsed.turns
        if !parsed.header.isEmpty {
            doc.sections = [Section(title: "Header", code: nil, text: parsed.header)]
        }
        TextFacts.extract(from: parsed.header, into: &doc)
        if doc.patient.sex == nil || doc.patient.ageYears == nil {
            // "so, brian is a 58 year old male …": the doctor often states age and sex aloud.
            let spoken = parsed.turns.prefix(40).map(\.text).joined(separator: "\n")
            var probe = doc
            TextFacts.extract(from: spoken, into: &probe)
            if doc.patient.sex == nil { doc.patient.sex = probe.patient.sex }
            if doc.patient.ageYears == nil && doc.patient.birthDate == nil { doc.patient.ageYears = probe.patient.ageYears }
        }
        return doc
    }

    /// A turn start: "[label] text" or "label: text" with a recognised label.
    static func turnStart(_ line: Substring) -> (SpeakerLabels.Classified, Substring)? {
        var s = line.trimmedWhitespaceSub
        while let f = s.first, f == "*" || f == "-" || f == ">" { s = s.dropFirst().trimmedWhitespaceSub }
        if s.first == "[", let close = s.firstIndex(of: "]"), s.distance(from: s.startIndex, to: close) <= 42 {
            let inner = s[s.index(after: s.startIndex)..<close]
            if let c = SpeakerLabels.classify(inner) {
                return (c, s[s.index(after: close)...].trimmedWhitespaceSub)
            }
        }
        if let colon = s.firstIndex(of: ":"), s.distance(from: s.startIndex, to: colon) <= 42 {
            var label = s[..<colon]
            while let l = label.last, l == "*" { label = label.dropLast() }
            if let c = SpeakerLabels.classify(label) {
                var rest = s[s.index(after: colon)...]
                while let f = rest.first, f == "*" { rest = rest.dropFirst() }
                return (c, rest.trimmedWhitespaceSub)
            }
        }
        return nil
    }

    public static func turns(in text: String) -> Turns {
        var header: [Substring] = []
        var turns: [DialogueTurn] = []
        var lines: [Substring] = []
        var role: SpeakerRole = .other, speaker = ""
        var doctor = 0, patient = 0, other = 0, letterD = 0, letterP = 0, unlabelled = 0
        func flush() {
            guard !speaker.isEmpty || !lines.isEmpty else { return }
            let t = lines.map { String($0) }.joined(separator: "\n").trimmedWhitespace
            turns.append(DialogueTurn(role: role, speaker: speaker, text: t))
            lines = []
        }
        for line in TextLines.lines(text) {
            if let (c, rest) = turnStart(line) {
                flush()
                role = c.role; speaker = c.label
                if !rest.isEmpty { lines.append(rest) }
                switch (c.role, c.isSingleLetter) {
                case (.doctor, true): letterD += 1
                case (.patient, true): letterP += 1
                case (.doctor, false): doctor += 1
                case (.patient, false): patient += 1
                case (.other, _): other += 1
                }
            } else if line.trimmedWhitespaceSub.isEmpty {
                continue
            } else if speaker.isEmpty {
                header.append(line.trimmedWhitespaceSub)
                unlabelled += 1
            } else {
                lines.append(line.trimmedWhitespaceSub)
                unlabelled += 1
            }
        }
        flush()
        if letterD > 0 && letterP > 0 { doctor += letterD; patient += letterP }
        return Turns(header: header.joined(separator: "\n"), turns: turns.filter { !$0.text.isEmpty },
                     doctorTurns: doctor, patientTurns: patient, otherTurns: other, unlabelledLines: unlabelled)
    }
}
