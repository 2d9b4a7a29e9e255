/// A loop in a generated note: a run of words the model wrote again and again ("the patient with the patient
/// with …", one sentence eighteen times). Small models fall into such loops under greedy decoding; the output
/// is then no summary at all, whatever the fact check says, so it goes to review instead of the outbox.
public struct RepetitionFinding: Sendable, Codable, Equatable {
    /// The repeated words, as the output has them (lower-cased, punctuation dropped).
    public let phrase: String
    /// How many times they occur in the note.
    public let count: Int
    /// The heading of the first section holding them.
    public let section: String
}

/// Finds loops: a run of `phraseWords` words that occurs `minimumCount` or more times in the note's sections.
/// Clinicians do repeat themselves: over the 1,668 references of ACI-Bench (every split) and MTS-Dialog (every
/// set), the most repeated 6-word run occurs 4 times in one note ("stage iii non small cell lung"), the most
/// repeated 8-word run 3 times. Eight words four times flags none of them, and catches every loop whose
/// period is shorter than a quarter of a section (ReferencesAreNotDegenerateTests holds the committed references to it).
public struct RepetitionCheck: Sendable {
    public var phraseWords: Int
    public var minimumCount: Int

    public init(phraseWords: Int = 8, minimumCount: Int = 4) {
        self.phraseWords = phraseWords; self.minimumCount = minimumCount
    }

    /// The most repeated phrase, if any reaches `minimumCount`; one finding per note is enough to send it to review.
    public func check(sections: [(heading: String, text: String)]) -> RepetitionFinding? {
        var counts: [[Substring]: Int] = [:]
        var firstSection: [[Substring]: String] = [:]
        for section in sections {
            let words = Self.words(section.text)
            guard words.count >= phraseWords else { continue }
            for start in 0...(words.count - phraseWords) {
                let phrase = Array(words[start..<(start + phraseWords)])
                counts[phrase, default: 0] += 1
                if firstSection[phrase] == nil { firstSection[phrase] = section.heading }
            }
        }
        // Ties go to the phrase that comes first in the text, so the finding is the same on every run.
        guard let best = counts.filter({ $0.value >= minimumCount })
            .max(by: { $0.value != $1.value ? $0.value < $1.value : $0.key.joined(separator: " ") > $1.key.joined(separator: " ") })
        else { return nil }
        return RepetitionFinding(phrase: best.key.joined(separator: " "), count: best.value, section: firstSection[best.key] ?? "")
    }

    /// Lower-cased words: letters and digits, everything else a separator.
    static func words(_ text: String) -> [Substring] {
        Substring(text.lowercased()).split { !$0.isLetter && !$0.isNumber }
    }
}
