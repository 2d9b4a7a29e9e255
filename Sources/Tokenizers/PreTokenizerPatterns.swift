/// The `Split` pre-tokenizer regexes of the supported model families, recognised by their exact text and run by
/// hand-written scanners over UTF-8. A general regex engine is both far slower and a second source of truth on
/// what `\s` and `\p{L}` mean; these scanners follow Oniguruma's leftmost, first-alternative-wins matching of the
/// exact patterns below. Any other pattern is refused when the tokenizer loads.
enum SplitPattern: Equatable {
    /// Qwen2 (`\p{N}` one digit per piece) and Llama 3 (`\p{N}{1,3}`):
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
    case llama3Style(maxDigits: Int)
    /// GPT-2, also what `ByteLevel` with `use_regex: true` splits with:
    /// `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
    case gpt2
    /// `[set]+` (or `\s?[set]+` with `optionalWhitespace`), taking at least `minLength` and at most `maxLength`
    /// scalars of the set. Text between matches stays as pieces of its own (the patterns of llama.cpp's
    /// pre-tokenizer list, see GGUFPreTokenizer.swift).
    case run(ScalarSet, optionalWhitespace: Bool = false, minLength: Int = 1, maxLength: Int = .max)
    /// `\s+$`: the whitespace at the end of the piece.
    case trailingWhitespace

    static let qwen2Regex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let llama3Regex = #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let gpt2Regex = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    init?(regex: String) {
        switch regex {
        case Self.qwen2Regex: self = .llama3Style(maxDigits: 1)
        case Self.llama3Regex: self = .llama3Style(maxDigits: 3)
        case Self.gpt2Regex: self = .gpt2
        default: return nil
        }
    }

    /// Calls `body` with each piece (a byte range of `text`) in order. Every byte belongs to exactly one piece,
    /// which is what `Split` with behaviour `Isolated` yields for patterns that can match any character.
    func split(_ text: UnsafeBufferPointer<UInt8>, in range: Range<Int>, _ body: (Range<Int>) -> Void) {
        let scanner = Scanner(text: text, end: range.upperBound)
        var i = range.lowerBound
        while i < range.upperBound {
            let end: Int
            switch self {
            case .llama3Style(let maxDigits): end = scanner.llama3Piece(at: i, maxDigits: maxDigits)
            case .gpt2: end = scanner.gpt2Piece(at: i)
            case .run, .trailingWhitespace:
                splitAtMatches(scanner, in: range, body)
                return
            }
            body(i..<end)
            i = end
        }
    }

    /// For patterns that do not match everywhere: each leftmost match is a piece, and so is the text between.
    private func splitAtMatches(_ scanner: Scanner, in range: Range<Int>, _ body: (Range<Int>) -> Void) {
        var gapStart = range.lowerBound
        var i = range.lowerBound
        while i < range.upperBound {
            let next = scanner.scalar(at: i).next
            guard let end = match(scanner, at: i, rangeStart: range.lowerBound) else {
                i = next
                continue
            }
            if gapStart < i { body(gapStart..<i) }
            body(i..<end)
            i = end
            gapStart = end
        }
        if gapStart < range.upperBound { body(gapStart..<range.upperBound) }
    }

    /// The end of the match starting at byte i, or nil when none starts there.
    private func match(_ scanner: Scanner, at i: Int, rangeStart: Int) -> Int? {
        switch self {
        case .llama3Style, .gpt2:
            return nil
        case .trailingWhitespace:
            // \s+ then the end: only a whitespace run that reaches the end of the piece.
            var j = i
            while j < scanner.end {
                let (c, n) = scanner.classAt(j)
                if c != .whitespace { return nil }
                j = n
            }
            return j > i ? j : nil
        case .run(let set, let optionalWhitespace, let minLength, let maxLength):
            var (v, j) = scanner.scalar(at: i)
            if optionalWhitespace && CharacterClass.of(v) == .whitespace && j < scanner.end {
                // \s? is greedy: it takes the whitespace when the set follows, else gives it back.
                let (after, afterNext) = scanner.scalar(at: j)
                if set.contains(after) { v = after; j = afterNext }
            }
            guard set.contains(v) else { return nil }
            var count = 1
            while count < maxLength && j < scanner.end {
                let (w, n) = scanner.scalar(at: j)
                guard set.contains(w) else { break }
                j = n
                count += 1
            }
            return count >= minLength ? j : nil
        }
    }
}

/// The scalars a `SplitPattern.run` takes.
enum ScalarSet: Equatable {
    /// Closed ranges of scalar values (a regex bracket expression).
    case ranges([ClosedRange<UInt32>])
    /// `\p{N}`.
    case numbers
    /// `[\p{P}\$\+<=>\^~\|]`: Unicode punctuation and these ASCII symbols.
    case punctuationAndSymbols

    func contains(_ v: UInt32) -> Bool {
        switch self {
        case .ranges(let ranges):
            for r in ranges where r.contains(v) { return true }
            return false
        case .numbers:
            return CharacterClass.of(v) == .number
        case .punctuationAndSymbols:
            // $ + < = > ^ ~ | are symbols (Sm, Sc, Sk), not punctuation, in Unicode.
            if [0x24, 0x2B, 0x3C, 0x3D, 0x3E, 0x5E, 0x7E, 0x7C].contains(v) { return true }
            guard let scalar = Unicode.Scalar(v) else { return false }
            switch scalar.properties.generalCategory {
            case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                 .initialPunctuation, .finalPunctuation, .otherPunctuation:
                return true
            default:
                return false
            }
        }
    }
}

/// Reads scalars and their classes out of valid UTF-8 (Swift strings are always valid UTF-8).
private struct Scanner {
    let text: UnsafeBufferPointer<UInt8>
    let end: Int

    /// The scalar starting at byte i and the index of the byte after it.
    @inline(__always)
    func scalar(at i: Int) -> (value: UInt32, next: Int) {
        let b0 = UInt32(text[i])
        if b0 < 0x80 { return (b0, i + 1) }
        if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(text[i + 1] & 0x3F), i + 2) }
        if b0 < 0xF0 {
            return ((b0 & 0x0F) << 12 | UInt32(text[i + 1] & 0x3F) << 6 | UInt32(text[i + 2] & 0x3F), i + 3)
        }
        return ((b0 & 0x07) << 18 | UInt32(text[i + 1] & 0x3F) << 12 | UInt32(text[i + 2] & 0x3F) << 6
                    | UInt32(text[i + 3] & 0x3F), i + 4)
    }

    @inline(__always)
    func classAt(_ i: Int) -> (CharacterClass, next: Int) {
        let (v, n) = scalar(at: i)
        return (CharacterClass.of(v), n)
    }

    @inline(__always)
    func skip(_ cls: CharacterClass, from i: Int) -> Int {
        var j = i
        while j < end {
            let (c, n) = classAt(j)
            if c != cls { break }
            j = n
        }
        return j
    }

    @inline(__always)
    func skipNewlines(from i: Int) -> Int {
        var j = i
        while j < end && (text[j] == 0x0A || text[j] == 0x0D) { j += 1 }
        return j
    }

    /// `'s|'t|'re|'ve|'m|'ll|'d`, ASCII case-insensitive or not; the end of the match or nil.
    func contraction(at i: Int, caseInsensitive: Bool) -> Int? {
        guard text[i] == UInt8(ascii: "'"), i + 1 < end else { return nil }
        let fold: (Int) -> UInt8 = { j in
            guard j < end else { return 0 }
            let b = text[j]
            return caseInsensitive && b >= 0x41 && b <= 0x5A ? b | 0x20 : b
        }
        switch fold(i + 1) {
        case UInt8(ascii: "s"), UInt8(ascii: "t"), UInt8(ascii: "m"), UInt8(ascii: "d"): return i + 2
        case UInt8(ascii: "r"), UInt8(ascii: "v"): return fold(i + 2) == UInt8(ascii: "e") ? i + 3 : nil
        case UInt8(ascii: "l"): return fold(i + 2) == UInt8(ascii: "l") ? i + 3 : nil
        default: return nil
        }
    }

    /// The whitespace alternatives shared by both patterns once nothing earlier matched at i (a whitespace
    /// scalar): `\s*[\r\n]+` (only in the Llama 3 style), then `\s+(?!\S)`, then `\s+`.
    func whitespacePiece(at i: Int, newlineAlternative: Bool) -> Int {
        var j = i
        var lastNewlineEnd = -1
        var lastScalarStart = i
        var scalars = 0
        while j < end {
            let (v, n) = scalar(at: j)
            guard CharacterClass.of(v) == .whitespace else { break }
            if v == 0x0A || v == 0x0D { lastNewlineEnd = n }
            lastScalarStart = j
            scalars += 1
            j = n
        }
        // \s*[\r\n]+ : greedy \s* backs off to the last CR/LF of the run, which [\r\n]+ then takes.
        if newlineAlternative && lastNewlineEnd >= 0 { return lastNewlineEnd }
        // \s+(?!\S) : the whole run at the end of text, else the run minus its last scalar.
        if j == end { return j }
        if scalars >= 2 { return lastScalarStart }
        // \s+
        return j
    }

    func llama3Piece(at i: Int, maxDigits: Int) -> Int {
        if let e = contraction(at: i, caseInsensitive: true) { return e }
        let (v, next) = scalar(at: i)
        let cls = CharacterClass.of(v)
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if cls == .letter { return skip(.letter, from: next) }
        if v != 0x0A && v != 0x0D && cls != .number && next < end && classAt(next).0 == .letter {
            return skip(.letter, from: next)
        }
        // \p{N}{1,maxDigits}
        if cls == .number {
            var j = next
            var count = 1
            while count < maxDigits && j < end {
                let (c, n) = classAt(j)
                if c != .number { break }
                j = n
                count += 1
            }
            return j
        }
        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        if v == 0x20 && next < end && classAt(next).0 == .other {
            return skipNewlines(from: skip(.other, from: next))
        }
        if cls == .other { return skipNewlines(from: skip(.other, from: next)) }
        return whitespacePiece(at: i, newlineAlternative: true)
    }

    func gpt2Piece(at i: Int) -> Int {
        if let e = contraction(at: i, caseInsensitive: false) { return e }
        let (v, next) = scalar(at: i)
        let cls = CharacterClass.of(v)
        // ' ?\p{L}+', ' ?\p{N}+', ' ?[^\s\p{L}\p{N}]+'
        if v == 0x20 && next < end {
            let (c, _) = classAt(next)
            if c != .whitespace { return skip(c, from: next) }
        }
        if cls != .whitespace { return skip(cls, from: next) }
        return whitespacePiece(at: i, newlineAlternative: false)
    }
}
