/// tokenizer.json's `decoder`: turns token strings back into text. Each step works on the list of token strings
/// exactly as in tokenizers (`decode_chain`), so that quirks such as one U+FFFD per invalid fallback byte match.
indirect enum Decoder {
    /// Maps GPT-2 alphabet characters back to bytes and decodes the whole byte string as UTF-8 (lossy).
    case byteLevel
    case replace(String, with: String)
    /// `<0xNN>` tokens become bytes; a run of them that is not valid UTF-8 becomes one U+FFFD per byte.
    case byteFallback
    /// Joins all tokens into one.
    case fuse
    /// Removes up to `start` leading and `stop` trailing copies of `content` from each token.
    case strip(content: Unicode.Scalar, start: Int, stop: Int)
    /// `▁` back to spaces; the first token loses its leading space unless the scheme is "never".
    case metaspace(replacement: String, prependScheme: PreTokenizer.PrependScheme)
    case sequence([Decoder])

    static func decode(_ node: JSONNode) throws -> Decoder? {
        if node.isNull { return nil }
        let type = try node["type"].string()
        switch type {
        case "ByteLevel": return .byteLevel
        case "ByteFallback": return .byteFallback
        case "Fuse": return .fuse
        case "Replace":
            guard let literal = try node["pattern"]["String"].optionalString() else {
                throw node["pattern"].unsupported("Replace pattern (only {\"String\": ...} literals are supported)")
            }
            return .replace(literal, with: try node["content"].string())
        case "Strip":
            let content = try node["content"].string()
            guard content.unicodeScalars.count == 1, let c = content.unicodeScalars.first else {
                throw node["content"].fail("expected one character")
            }
            return .strip(content: c, start: try node["start"].int(), stop: try node["stop"].int())
        case "Metaspace":
            var scheme = PreTokenizer.PrependScheme.always
            if let raw = try node["prepend_scheme"].optionalString() {
                guard let s = PreTokenizer.PrependScheme(rawValue: raw) else { throw node["prepend_scheme"].unsupported("prepend_scheme \"\(raw)\"") }
                scheme = s
            } else if !(try node["add_prefix_space"].bool(default: true)) {
                scheme = .never
            }
            return .metaspace(replacement: try node["replacement"].optionalString() ?? "\u{2581}", prependScheme: scheme)
        case "Sequence":
            return .sequence(try node["decoders"].array().compactMap { try decode($0) })
        default:
            throw node["type"].unsupported("decoder \"\(type)\"")
        }
    }

    func decodeChain(_ tokens: [String]) -> [String] {
        switch self {
        case .byteLevel:
            var bytes: [UInt8] = []
            for t in tokens {
                if let b = ByteLevelAlphabet.bytes(of: t) { bytes += b } else { bytes += Array(t.utf8) }
            }
            return [String(decoding: bytes, as: UTF8.self)]
        case .replace(let pattern, let content):
            return tokens.map { replaceLiteral(pattern, with: content, in: $0) }
        case .byteFallback:
            var out: [String] = []
            var pending: [UInt8] = []
            func flush() {
                guard !pending.isEmpty else { return }
                if let s = String(validating: pending, as: UTF8.self) {
                    out.append(s)
                } else {
                    out.append(String(repeating: "\u{FFFD}", count: pending.count))
                }
                pending.removeAll()
            }
            for t in tokens {
                if let b = Decoder.fallbackByte(t) {
                    pending.append(b)
                } else {
                    flush()
                    out.append(t)
                }
            }
            flush()
            return out
        case .fuse:
            return [tokens.joined()]
        case .strip(let content, let start, let stop):
            return tokens.map { token in
                var chars = Substring(token).unicodeScalars
                var n = 0
                while n < start, chars.first == content { chars = chars.dropFirst(); n += 1 }
                n = 0
                while n < stop, chars.last == content { chars = chars.dropLast(); n += 1 }
                return String(String.UnicodeScalarView(chars))
            }
        case .metaspace(let replacement, let scheme):
            return tokens.enumerated().map { i, token in
                var s = replaceLiteral(replacement, with: " ", in: token)
                if i == 0 && scheme != .never && s.first == " " { s.removeFirst() }
                return s
            }
        case .sequence(let steps):
            return steps.reduce(tokens) { $1.decodeChain($0) }
        }
    }

    /// The byte of a `<0xNN>` token, or nil for any other token.
    static func fallbackByte(_ token: String) -> UInt8? {
        let u = Array(token.utf8)
        guard u.count == 6, u[0] == UInt8(ascii: "<"), u[1] == UInt8(ascii: "0"), u[2] == UInt8(ascii: "x"),
              u[5] == UInt8(ascii: ">") else { return nil }
        return UInt8(String(decoding: u[3..<5], as: UTF8.self), radix: 16)
    }
}
