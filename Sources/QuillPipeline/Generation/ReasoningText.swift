/// DeepSeek-R1-style reasoning, `<think>…</think>`: found, kept apart, and removed from anything written.
public enum ReasoningText {
    public static let open = "<think>"
    public static let close = "</think>"

    /// Whether a rendered prompt ends inside a thought (R1's generation prompt ends with "<think>\n").
    public static func opensThinking(_ prompt: String) -> Bool {
        guard let o = prompt.range(of: open, options: .backwards) else { return false }
        return prompt.range(of: close, range: o.upperBound..<prompt.endIndex) == nil
            && prompt[o.upperBound...].allSatisfy(\.isWhitespace)
    }

    /// The reasoning before `</think>` (the prompt already opened the thought).
    public static func reasoning(in generated: String) -> String {
        let body = generated.range(of: close).map { String(generated[..<$0.lowerBound]) } ?? generated
        return body.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Text with every `<think>…</think>` span removed; an unclosed `<think>` removes the rest, and a stray
    /// `</think>` removes what came before it (the thought began in the prompt).
    public static func strip(_ text: String) -> String {
        var s = text
        if let c = s.range(of: close), s.range(of: open).map({ $0.lowerBound > c.lowerBound }) ?? true {
            s = String(s[c.upperBound...])
        }
        while let o = s.range(of: open) {
            if let c = s.range(of: close, range: o.upperBound..<s.endIndex) {
                s.removeSubrange(o.lowerBound..<c.upperBound)
            } else {
                s.removeSubrange(o.lowerBound..<s.endIndex)
            }
        }
        return s
    }
}

import Foundation
