/// Decodes ids one at a time as a model generates them, returning only text that is final: a piece is held back
/// while its bytes do not yet form complete UTF-8 (the decoded window ends in U+FFFD), so a multi-byte character
/// split across tokens is never emitted broken. The concatenated pieces equal `decode` of all ids.
///
/// Each step decodes a small window (the last emitted token plus the pending ones), as Hugging Face's
/// text-generation-inference does, so decoder steps that look at the start of the text (strip a leading space)
/// behave the same in the window as in the whole.
public struct StreamingDecoder {
    public let tokenizer: Tokenizer
    public let skipSpecialTokens: Bool
    private var ids: [Int] = []
    /// Window start: the last token already emitted (context for the decoder).
    private var prefixOffset = 0
    /// First token whose text has not been emitted.
    private var readOffset = 0

    public init(tokenizer: Tokenizer, skipSpecialTokens: Bool = false) {
        self.tokenizer = tokenizer
        self.skipSpecialTokens = skipSpecialTokens
    }

    /// Adds one id; returns the text that became final (often the token's text, sometimes "" while a character
    /// is incomplete, sometimes several tokens' text at once).
    public mutating func feed(_ id: Int) -> String {
        ids.append(id)
        let emitted = tokenizer.decode(Array(ids[prefixOffset..<readOffset]), skipSpecialTokens: skipSpecialTokens)
        let window = tokenizer.decode(Array(ids[prefixOffset...]), skipSpecialTokens: skipSpecialTokens)
        guard window.utf8.count > emitted.utf8.count, !window.hasSuffix("\u{FFFD}") else { return "" }
        prefixOffset = readOffset
        readOffset = ids.count
        return Self.suffix(of: window, after: emitted)
    }

    /// Adds several ids; returns the text that became final.
    public mutating func feed(_ newIds: [Int]) -> String {
        newIds.map { feed($0) }.joined()
    }

    /// Ends the stream: returns whatever was held back, even if it is not valid UTF-8 (as U+FFFD, like `decode`).
    public mutating func finish() -> String {
        let emitted = tokenizer.decode(Array(ids[prefixOffset..<readOffset]), skipSpecialTokens: skipSpecialTokens)
        let window = tokenizer.decode(Array(ids[prefixOffset...]), skipSpecialTokens: skipSpecialTokens)
        prefixOffset = ids.count
        readOffset = ids.count
        return Self.suffix(of: window, after: emitted)
    }

    /// The part of `window` past `emitted`, cut on a scalar boundary.
    private static func suffix(of window: String, after emitted: String) -> String {
        var scalars = window.unicodeScalars[...]
        var bytes = emitted.utf8.count
        while bytes > 0, let first = scalars.first {
            bytes -= UTF8.width(first)
            scalars = scalars.dropFirst()
        }
        return String(String.UnicodeScalarView(scalars))
    }
}
