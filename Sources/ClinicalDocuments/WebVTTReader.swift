/// WebVTT captions (W3C WebVTT §4) as dialogue: each cue's `<v Speaker>` voice names the speaker;
/// consecutive cues of one speaker form one turn; a cue without a voice continues the turn before
/// it. Timings, cue settings, NOTE/STYLE/REGION blocks and styling tags are dropped. A file
/// without any voice tag is read as labelled lines ("Doctor: …") inside the cues instead.
enum WebVTTReader {
    static func isWebVTT(_ text: String) -> Bool {
        let head = text.unicodeScalars.drop { $0 == "\u{FEFF}" }.prefix(6)
        return String(String.UnicodeScalarView(head)) == "WEBVTT"
    }

    static func turns(_ text: String) -> DialogueReader.Turns {
        var payloads: [String] = []
        var anyVoice = false
        var turns: [DialogueTurn] = []
        var doctor = 0, patient = 0, other = 0

        func add(speaker: String?, _ text: String) {
            let t = text.trimmedWhitespace
            guard !t.isEmpty else { return }
            if let speaker, speaker != turns.last?.speaker || turns.isEmpty {
                let role = SpeakerLabels.classify(Substring(speaker))?.role ?? .other
                switch role { case .doctor: doctor += 1; case .patient: patient += 1; case .other: other += 1 }
                turns.append(DialogueTurn(role: role, speaker: speaker, text: t))
            } else if !turns.isEmpty {
                turns[turns.count - 1].text += "\n" + t
            } else {
                turns.append(DialogueTurn(role: .other, speaker: "", text: t))
            }
        }

        let blocks = text.split(separator: "\n\n", omittingEmptySubsequences: true)
        for (index, block) in blocks.enumerated() {
            var lines = block.split(separator: "\n", omittingEmptySubsequences: true)
            if index == 0, lines.first?.hasPrefix("WEBVTT") == true { continue }   // header block
            guard let first = lines.first else { continue }
            if first.hasPrefix("NOTE") || first.hasPrefix("STYLE") || first.hasPrefix("REGION") { continue }
            guard let timing = lines.firstIndex(where: { $0.contains("-->") }) else { continue }
            lines = Array(lines[(timing + 1)...])
            let payload = lines.joined(separator: "\n")
            payloads.append(payload)
            for (speaker, piece) in voices(payload) {
                if speaker != nil { anyVoice = true }
                add(speaker: speaker, piece)
            }
        }
        if !anyVoice {
            // No voice tags: the cues may carry "Doctor: …" lines themselves.
            return DialogueReader.turns(in: payloads.map { stripTags($0) }.joined(separator: "\n"))
        }
        return DialogueReader.Turns(header: "", turns: turns, doctorTurns: doctor, patientTurns: patient, otherTurns: other, unlabelledLines: 0)
    }

    /// Splits a cue payload at `<v Speaker>` / `<v.class Speaker>` tags; text before the first voice has no speaker.
    static func voices(_ payload: String) -> [(String?, String)] {
        var out: [(String?, String)] = []
        var speaker: String? = nil
        var rest = Substring(payload)
        while let open = rest.firstRange(of: "<v") {
            let afterV = rest[open.upperBound...]
            guard let close = afterV.firstIndex(of: ">"), let next = afterV.first, next == " " || next == "." else {
                break
            }
            out.append((speaker, stripTags(String(rest[..<open.lowerBound]))))
            var annotation = afterV[..<close]
            if annotation.first == "." {   // classes: "<v.loud Doctor>"
                annotation = annotation.drop { $0 != " " }
            }
            let name = String(annotation).trimmedWhitespace
            speaker = name.isEmpty ? nil : decodeEntities(name)
            rest = afterV[afterV.index(after: close)...]
        }
        out.append((speaker, stripTags(String(rest))))
        return out.filter { !$0.1.trimmedWhitespace.isEmpty }
    }

    /// Removes cue tags (`<b>`, `</v>`, `<c.x>`, `<00:01.000>`) and decodes the character references WebVTT allows.
    static func stripTags(_ s: String) -> String {
        var out = ""
        var inTag = false
        for ch in s {
            if ch == "<" { inTag = true; continue }
            if ch == ">" && inTag { inTag = false; continue }
            if !inTag { out.append(ch) }
        }
        return decodeEntities(out)
    }

    static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = s
        for (entity, ch) in [("&lt;", "<"), ("&gt;", ">"), ("&nbsp;", " "), ("&lrm;", ""), ("&rlm;", ""), ("&amp;", "&")] {
            out = out.replacing(entity, with: ch)
        }
        return out
    }
}
