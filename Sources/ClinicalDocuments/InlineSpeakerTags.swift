extension DialogueReader {
    /// A transcript whose bracket-tagged turns run on within a line ("[doctor] how are you ? [patient] fine ."),
    /// as ACI-Bench's dialogues and some speech-recognition exports may write them, with each such tag moved to
    /// the start of a line of its own, so that `turns(in:)` reads one turn per tag. Tags already at a line's
    /// start stay as they are.
    ///
    /// Only a tag that is a role word alone counts (`[doctor]`, `[patient]`, `[patient_guest]`, `[nurse]`): a
    /// bracketed name or placeholder mid-sentence ("[patient name]", "[Dr. Smith]") stays text. The daemon's
    /// readers do not apply this (a note may quote "[patient]" mid-line); a caller that knows its input is a
    /// bracket-tagged transcript does.
    public static func bracketTagsOnTheirOwnLines(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "[") {
            out += rest[..<open]
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "]"), rest.distance(from: open, to: close) <= 42,
                  !rest[afterOpen..<close].contains("\n"),
                  SpeakerLabels.roleWord(SpeakerLabels.normalize(rest[afterOpen..<close])) != nil
            else {
                out.append("["); rest = rest[afterOpen...]
                continue
            }
            let lineSoFar = out.lastIndex(of: "\n").map { out[out.index(after: $0)...] } ?? out[...]
            if !lineSoFar.allSatisfy(\.isWhitespace) { out.append("\n") }
            let afterClose = rest.index(after: close)
            out += rest[open..<afterClose]
            rest = rest[afterClose...]
        }
        return out + rest
    }
}
