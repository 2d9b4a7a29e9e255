/// Chat prompts as ids without letting message text act as control tokens.
///
/// Rendering a template and encoding the result with `parseSpecial: true` would turn a note that contains
/// `<｜User｜>` or `</s>` into a real turn marker. Here the content of untrusted messages is escaped before
/// rendering (a private-use marker breaks every spelled-out added token), the template's own markers are parsed
/// as tokens, and the escaped text is restored before BPE — so it tokenizes exactly as plain text would.
extension Tokenizer {
    /// Breaks spelled-out added tokens; never part of an added token in the supported vocabularies.
    static let escapeMarker: Unicode.Scalar = "\u{E000}"
    /// Follows a marker that stood in the original text.
    static let escapeLiteral: Unicode.Scalar = "\u{E001}"

    /// The prompt ids of `messages` rendered with `template`.
    /// - Parameter trustedRoles: roles whose content may contain control tokens (by default the assistant's own
    ///   turns, whose `<think>` / `</think>` the templates rely on). Every other role's content is plain text.
    public func encodeChat(_ messages: [ChatMessage], template: ChatTemplate, addGenerationPrompt: Bool,
                           trustedRoles: Set<String> = ["assistant"]) throws -> [Int] {
        let escaped = messages.map { m in
            trustedRoles.contains(m.role) ? m : ChatMessage(role: m.role, content: escapeAddedTokens(m.content))
        }
        let prompt = try template.render(escaped, addGenerationPrompt: addGenerationPrompt)
        // The template writes BOS itself where the model wants it; no post-processor tokens on top.
        return encode(prompt, addSpecialTokens: false, parseSpecial: true, unescaping: true)
    }

    /// `text` with every spelled-out added token broken by a marker, and existing markers protected.
    func escapeAddedTokens(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for u in text.unicodeScalars {
            scalars.append(u)
            if u == Self.escapeMarker { scalars.append(Self.escapeLiteral) }
        }
        var current = String(scalars)
        // Breaking one token cannot create another from the same characters, but a shorter token inside a
        // longer one could still match; repeat until nothing matches.
        for _ in 0..<8 {
            let bytes = Array(current.utf8)
            let pieces = matcherPieces(bytes)
            guard pieces.contains(where: { if case .token = $0.piece { return true } else { return false } }) else { break }
            var out: [UInt8] = []
            for p in pieces {
                let slice = Array(bytes[p.range])
                if case .token(let id) = p.piece, let content = tokenString(for: id).map({ Array($0.utf8) }),
                   let at = (0...(slice.count - content.count)).first(where: { slice[$0..<($0 + content.count)].elementsEqual(content) }) {
                    // Marker after the first scalar of the token's text (the range may start with stripped spaces).
                    let lead = content[0]
                    let cut = at + (lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4)
                    out += slice[..<cut]
                    out += Array(String(Self.escapeMarker).utf8)
                    out += slice[cut...]
                } else {
                    out += slice
                }
            }
            current = String(decoding: out, as: UTF8.self)
        }
        return current
    }

    /// Removes the markers `escapeAddedTokens` inserted, restoring the original text.
    static func unescape(_ text: some Sequence<UInt8>) -> [UInt8] {
        let marker = Array(String(escapeMarker).utf8), literal = Array(String(escapeLiteral).utf8)
        let bytes = Array(text)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == marker[0], i + 3 <= bytes.count, bytes[i..<(i + 3)].elementsEqual(marker) {
                if i + 6 <= bytes.count, bytes[(i + 3)..<(i + 6)].elementsEqual(literal) {
                    out += marker
                    i += 6
                } else {
                    i += 3
                }
                continue
            }
            out.append(bytes[i])
            i += 1
        }
        return out
    }
}
