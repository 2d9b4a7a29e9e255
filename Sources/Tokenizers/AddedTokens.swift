/// An entry of tokenizer.json's `added_tokens`: text matched whole in the input before any normalization or BPE.
public struct AddedToken: Sendable, Equatable {
    public var id: Int
    public var content: String
    /// Only matches when not inside a word.
    public var singleWord: Bool
    /// The match swallows whitespace on its left / right.
    public var lstrip: Bool
    public var rstrip: Bool
    /// Matched against normalized text in tokenizers; here matched against the raw text like the others
    /// (the target models have no normalized added tokens).
    public var normalized: Bool
    /// Special tokens (BOS, EOS, …) are the ones `skipSpecialTokens` drops when decoding.
    public var special: Bool
}

/// Finds added tokens in text: at each position the longest token that starts there, leftmost match first,
/// as the leftmost-longest automaton in tokenizers does.
struct AddedTokenMatcher {
    private let tokens: [AddedToken]
    private let tokenBytes: [[UInt8]]
    /// First byte → indices of tokens starting with it, longest first.
    private var byFirstByte: [[Int]] = Array(repeating: [], count: 256)

    init(_ tokens: [AddedToken]) {
        let usable = tokens.filter { !$0.content.isEmpty }
        self.tokens = usable
        tokenBytes = usable.map { Array($0.content.utf8) }
        for (i, b) in tokenBytes.enumerated() { byFirstByte[Int(b[0])].append(i) }
        for k in 0..<256 { byFirstByte[k].sort { tokenBytes[$0].count > tokenBytes[$1].count } }
    }

    var isEmpty: Bool { tokens.isEmpty }

    enum Piece: Equatable {
        case text(Range<Int>)
        case token(Int)
    }

    /// Splits UTF-8 `text` into stretches of plain text and added tokens, applying lstrip/rstrip.
    func split(_ text: [UInt8]) -> [Piece] {
        splitWithRanges(text).map(\.piece)
    }

    /// The same, with the bytes each piece covers (a token's range includes whitespace it strips).
    func splitWithRanges(_ text: [UInt8]) -> [(piece: Piece, range: Range<Int>)] {
        var pieces: [(piece: Piece, range: Range<Int>)] = []
        var textStart = 0
        var i = 0
        while i < text.count {
            let candidates = byFirstByte[Int(text[i])]
            var matched: Int? = nil
            for c in candidates {
                let bytes = tokenBytes[c]
                guard i + bytes.count <= text.count, text[i..<(i + bytes.count)].elementsEqual(bytes) else { continue }
                if tokens[c].singleWord && !isWordBoundary(text, before: i, after: i + bytes.count) { continue }
                matched = c
                break
            }
            guard let c = matched else { i += 1; continue }
            var start = i
            var end = i + tokenBytes[c].count
            if tokens[c].lstrip {
                while start > textStart, let s = scalarBefore(text, start), isWhitespace(s.value) { start = s.start }
            }
            if tokens[c].rstrip {
                while end < text.count, let s = scalarAt(text, end), isWhitespace(s.value) { end = s.end }
            }
            if start > textStart { pieces.append((.text(textStart..<start), textStart..<start)) }
            pieces.append((.token(tokens[c].id), start..<end))
            textStart = end
            i = end
        }
        if textStart < text.count { pieces.append((.text(textStart..<text.count), textStart..<text.count)) }
        return pieces
    }

    private func isWhitespace(_ v: UInt32) -> Bool { CharacterClass.of(v) == .whitespace }

    private func isWordScalar(_ v: UInt32) -> Bool {
        let c = CharacterClass.of(v)
        return c == .letter || c == .number || v == 0x5F
    }

    private func isWordBoundary(_ text: [UInt8], before start: Int, after end: Int) -> Bool {
        if let s = scalarBefore(text, start), isWordScalar(s.value) { return false }
        if let s = scalarAt(text, end), isWordScalar(s.value) { return false }
        return true
    }

    private func scalarAt(_ text: [UInt8], _ i: Int) -> (value: UInt32, end: Int)? {
        guard i < text.count else { return nil }
        var j = i + 1
        while j < text.count && text[j] & 0xC0 == 0x80 { j += 1 }
        let s = String(decoding: text[i..<j], as: UTF8.self).unicodeScalars.first!
        return (s.value, j)
    }

    private func scalarBefore(_ text: [UInt8], _ i: Int) -> (value: UInt32, start: Int)? {
        guard i > 0 else { return nil }
        var j = i - 1
        while j > 0 && text[j] & 0xC0 == 0x80 { j -= 1 }
        let s = String(decoding: text[j..<i], as: UTF8.self).unicodeScalars.first!
        return (s.value, j)
    }
}
