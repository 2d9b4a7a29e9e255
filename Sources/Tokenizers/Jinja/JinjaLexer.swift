/// Cuts a template into text, `{{ … }}` output tags and `{% … %}` statement tags, applying Jinja's whitespace
/// rules exactly as transformers configures them: `trim_blocks` (drop the newline after a block or comment tag),
/// `lstrip_blocks` (drop spaces and tabs before a block or comment tag that starts its line), the `-` and `+`
/// markers, and `keep_trailing_newline = False` (one final newline of the template is dropped).
struct JinjaLexer {
    struct Location { var line: Int; var column: Int }

    enum Piece {
        case text(String)
        case output([JinjaToken], Location)
        case statement([JinjaToken], Location)
    }

    let source: [Character]
    let sourceName: String
    var trimBlocks = true
    var lstripBlocks = true

    init(_ template: String, sourceName: String) {
        var text = template
        if text.hasSuffix("\n") { text.removeLast() }  // "\r\n" is one Character, so this drops it whole too.
        source = Array(text)
        self.sourceName = sourceName
    }

    func location(of index: Int) -> Location {
        var line = 1, column = 1
        for c in source[..<min(index, source.count)] {
            if c == "\n" || c == "\r\n" { line += 1; column = 1 } else { column += 1 }
        }
        return Location(line: line, column: column)
    }

    func error(_ kind: ChatTemplateError.Kind, _ message: String, at index: Int) -> ChatTemplateError {
        let l = location(of: index)
        return ChatTemplateError(kind, message, line: l.line, column: l.column, source: sourceName)
    }

    private func isWhitespace(_ c: Character) -> Bool { c.isWhitespace }

    func pieces() throws -> [Piece] {
        var out: [Piece] = []
        var pos = 0
        var lineStarting = true
        while pos < source.count {
            // Find the next tag opener.
            var open = pos
            var kind: Character = " "
            while open + 1 < source.count {
                if source[open] == "{", ["{", "%", "#"].contains(source[open + 1]) { kind = source[open + 1]; break }
                open += 1
            }
            if open + 1 >= source.count {
                out.append(.text(String(source[pos...])))
                break
            }
            var text = Array(source[pos..<open])
            var inner = open + 2
            let marker = inner < source.count ? source[inner] : " "
            if marker == "-" {
                while let last = text.last, isWhitespace(last) { text.removeLast() }
                inner += 1
            } else if marker == "+" {
                inner += 1
            } else if kind != "{" && lstripBlocks {
                let lineStart = (text.lastIndex(where: { $0 == "\n" || $0 == "\r\n" }).map { $0 + 1 }) ?? 0
                if (lineStart > 0 || lineStarting) && text[lineStart...].allSatisfy(isWhitespace) && lineStart < text.count {
                    text.removeSubrange(lineStart...)
                }
            }
            if !text.isEmpty { out.append(.text(String(text))) }

            // The tag body, up to its closer; string literals may contain closer characters.
            let closer: Character = kind == "{" ? "}" : kind == "%" ? "%" : "#"
            // Jinja only ends a tag where brackets opened inside it are balanced: `{{ {'a': {'b': 1}} }}`.
            var end = inner
            var quote: Character? = nil
            var depth = 0
            while end + 1 < source.count {
                let c = source[end]
                if kind != "#" {
                    if let q = quote {
                        if c == "\\" { end += 2; continue }
                        if c == q { quote = nil }
                        end += 1
                        continue
                    } else if c == "'" || c == "\"" {
                        quote = c
                        end += 1
                        continue
                    }
                }
                if depth == 0 && c == closer && source[end + 1] == "}" { break }
                if kind != "#" {
                    if c == "(" || c == "[" || c == "{" { depth += 1 }
                    if (c == ")" || c == "]" || c == "}") && depth > 0 { depth -= 1 }
                }
                end += 1
            }
            guard end + 1 < source.count else {
                throw error(.syntax, "tag opened here is never closed", at: open)
            }
            var bodyEnd = end
            var stripAfter = false
            var keepNewline = false
            if bodyEnd > inner && source[bodyEnd - 1] == "-" { stripAfter = true; bodyEnd -= 1 }
            else if bodyEnd > inner && source[bodyEnd - 1] == "+" && kind != "{" { keepNewline = true; bodyEnd -= 1 }
            pos = end + 2
            if stripAfter {
                while pos < source.count && isWhitespace(source[pos]) { pos += 1 }
            } else if kind != "{" && trimBlocks && !keepNewline && pos < source.count && source[pos] == "\n" {
                pos += 1
            }
            lineStarting = pos > 0 && (source[pos - 1] == "\n" || source[pos - 1] == "\r\n")

            if kind == "#" { continue }
            let body = String(source[inner..<bodyEnd])
            let tokens = try JinjaTokenizer.tokenize(body, baseOffset: inner, lexer: self)
            let loc = location(of: open)
            out.append(kind == "{" ? .output(tokens, loc) : .statement(tokens, loc))
        }
        return out
    }
}

struct JinjaToken: Equatable {
    enum Kind: Equatable { case name, string, int, float, op }
    var kind: Kind
    var text: String
    /// Character offset in the template, for error locations.
    var offset: Int
}

/// Tokens of the expression language inside tags.
enum JinjaTokenizer {
    static let operators = ["//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "(", ")",
                            "[", "]", "{", "}", ",", ".", ":", "|", "="]

    static func tokenize(_ body: String, baseOffset: Int, lexer: JinjaLexer) throws -> [JinjaToken] {
        let chars = Array(body)
        var tokens: [JinjaToken] = []
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            let start = i
            if c.isLetter || c == "_" {
                while i < chars.count && (chars[i].isLetter || chars[i].isNumber || chars[i] == "_") { i += 1 }
                tokens.append(.init(kind: .name, text: String(chars[start..<i]), offset: baseOffset + start))
            } else if c.isASCII && c.isNumber {
                var isFloat = false
                while i < chars.count && ((chars[i].isASCII && chars[i].isNumber) || chars[i] == "_") { i += 1 }
                if i + 1 < chars.count && chars[i] == "." && chars[i + 1].isASCII && chars[i + 1].isNumber {
                    isFloat = true
                    i += 1
                    while i < chars.count && chars[i].isASCII && chars[i].isNumber { i += 1 }
                }
                if i < chars.count && (chars[i] == "e" || chars[i] == "E") {
                    var j = i + 1
                    if j < chars.count && (chars[j] == "+" || chars[j] == "-") { j += 1 }
                    if j < chars.count && chars[j].isASCII && chars[j].isNumber {
                        isFloat = true
                        i = j
                        while i < chars.count && chars[i].isASCII && chars[i].isNumber { i += 1 }
                    }
                }
                tokens.append(.init(kind: isFloat ? .float : .int, text: String(chars[start..<i]).replacingOccurrences(of: "_", with: ""),
                                    offset: baseOffset + start))
            } else if c == "'" || c == "\"" {
                var value = ""
                i += 1
                var closed = false
                while i < chars.count {
                    let d = chars[i]
                    if d == c { closed = true; i += 1; break }
                    if d == "\\" && i + 1 < chars.count {
                        let e = chars[i + 1]
                        i += 2
                        switch e {
                        case "n": value += "\n"
                        case "t": value += "\t"
                        case "r": value += "\r"
                        case "\\": value += "\\"
                        case "'": value += "'"
                        case "\"": value += "\""
                        case "0": value += "\0"
                        case "a": value += "\u{07}"
                        case "b": value += "\u{08}"
                        case "f": value += "\u{0C}"
                        case "v": value += "\u{0B}"
                        case "\n": break
                        case "x", "u", "U":
                            let width = e == "x" ? 2 : e == "u" ? 4 : 8
                            let hex = String(chars[i..<min(i + width, chars.count)])
                            guard hex.count == width, let v = UInt32(hex, radix: 16), let s = Unicode.Scalar(v) else {
                                throw lexer.error(.syntax, "bad \\\(e) escape in string literal", at: baseOffset + i)
                            }
                            value.unicodeScalars.append(s)
                            i += width
                        default: value += "\\" + String(e)  // Python keeps unknown escapes as written.
                        }
                        continue
                    }
                    value.append(d)
                    i += 1
                }
                guard closed else { throw lexer.error(.syntax, "unterminated string literal", at: baseOffset + start) }
                tokens.append(.init(kind: .string, text: value, offset: baseOffset + start))
            } else {
                guard let op = operators.first(where: { op in
                    let o = Array(op)
                    return i + o.count <= chars.count && Array(chars[i..<(i + o.count)]) == o
                }) else {
                    throw lexer.error(.syntax, "unexpected character \"\(c)\"", at: baseOffset + i)
                }
                i += op.count
                tokens.append(.init(kind: .op, text: op, offset: baseOffset + start))
            }
        }
        return tokens
    }
}
