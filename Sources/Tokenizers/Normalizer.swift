import Foundation

/// tokenizer.json's `normalizer`: text rewrites applied to each stretch of input between added tokens.
enum Normalizer {
    case nfc, nfd, nfkc, nfkd
    case lowercase
    /// Prepends the string to non-empty text (SentencePiece's `▁` word-start marker).
    case prepend(String)
    /// Replaces every occurrence of a literal string.
    case replace(String, with: String)
    case sequence([Normalizer])

    static func decode(_ node: JSONNode) throws -> Normalizer? {
        if node.isNull { return nil }
        let type = try node["type"].string()
        switch type {
        case "NFC": return .nfc
        case "NFD": return .nfd
        case "NFKC": return .nfkc
        case "NFKD": return .nfkd
        case "Lowercase": return .lowercase
        case "Prepend": return .prepend(try node["prepend"].string())
        case "Replace":
            guard let literal = try node["pattern"]["String"].optionalString() else {
                throw node["pattern"].unsupported("Replace pattern (only {\"String\": ...} literals are supported)")
            }
            return .replace(literal, with: try node["content"].string())
        case "Sequence":
            return .sequence(try node["normalizers"].array().compactMap { try decode($0) })
        default:
            throw node["type"].unsupported("normalizer \"\(type)\"")
        }
    }

    func apply(_ text: String) -> String {
        switch self {
        case .nfc:
            // Text below U+0300 (ASCII, Latin-1, Latin Extended) is already NFC: every character that NFC changes
            // or composes with is at U+0300 or above. Skip Foundation for that common case.
            return text.unicodeScalars.allSatisfy({ $0.value < 0x300 }) ? text : text.precomposedStringWithCanonicalMapping
        case .nfd:
            return text.utf8.allSatisfy({ $0 < 0x80 }) ? text : text.decomposedStringWithCanonicalMapping
        case .nfkc:
            return text.utf8.allSatisfy({ $0 < 0x80 }) ? text : text.precomposedStringWithCompatibilityMapping
        case .nfkd:
            return text.utf8.allSatisfy({ $0 < 0x80 }) ? text : text.decomposedStringWithCompatibilityMapping
        case .lowercase:
            return text.lowercased()
        case .prepend(let prefix):
            return text.isEmpty ? text : prefix + text
        case .replace(let pattern, let content):
            return replaceLiteral(pattern, with: content, in: text)
        case .sequence(let steps):
            return steps.reduce(text) { $1.apply($0) }
        }
    }
}

/// Replaces every occurrence of `pattern` byte for byte. (Foundation's `replacingOccurrences` compares by
/// canonical equivalence, so a space followed by a combining mark would not match a plain space.)
func replaceLiteral(_ pattern: String, with content: String, in text: String) -> String {
    let needle = Array(pattern.utf8)
    guard !needle.isEmpty, text.utf8.count >= needle.count else { return text }
    let hay = Array(text.utf8)
    let replacement = Array(content.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(hay.count)
    var i = 0
    var changed = false
    while i < hay.count {
        if hay[i] == needle[0], i + needle.count <= hay.count, hay[i..<(i + needle.count)].elementsEqual(needle) {
            out.append(contentsOf: replacement)
            i += needle.count
            changed = true
        } else {
            out.append(hay[i])
            i += 1
        }
    }
    return changed ? String(decoding: out, as: UTF8.self) : text
}
