/// Builds the syntax tree from the lexer's pieces. Statements outside the subset (`extends`, `include`, `call`,
/// `filter` blocks, `raw`, …) are refused with the construct's name and place.
struct JinjaParser {
    private let lexer: JinjaLexer
    private let pieces: [JinjaLexer.Piece]
    private var index = 0

    init(lexer: JinjaLexer) throws {
        self.lexer = lexer
        pieces = try lexer.pieces()
    }

    static func parse(_ template: String, sourceName: String) throws -> [JinjaNode] {
        var parser = try JinjaParser(lexer: JinjaLexer(template, sourceName: sourceName))
        let (nodes, end) = try parser.parseBlock(until: [])
        if let end { throw parser.lexer.error(.syntax, "unexpected {% \(end.0) %}", at: end.1) }
        return nodes
    }

    /// Parses nodes until a statement whose keyword is in `terminators`; returns it with its tokens' offset.
    private mutating func parseBlock(until terminators: Set<String>) throws -> ([JinjaNode], (String, Int, [JinjaToken])?) {
        var nodes: [JinjaNode] = []
        while index < pieces.count {
            let piece = pieces[index]
            index += 1
            switch piece {
            case .text(let s):
                nodes.append(.text(s))
            case .output(let tokens, _):
                var p = ExpressionParser(tokens: tokens, lexer: lexer)
                let e = try p.parseExpression()
                try p.expectEnd()
                nodes.append(.output(e))
            case .statement(let tokens, _):
                guard let first = tokens.first, first.kind == .name else {
                    throw lexer.error(.syntax, "empty or malformed statement tag", at: tokens.first?.offset ?? 0)
                }
                if terminators.contains(first.text) { return (nodes, (first.text, first.offset, tokens)) }
                nodes.append(try parseStatement(first, tokens))
            }
        }
        if !terminators.isEmpty {
            throw lexer.error(.syntax, "missing {% \(terminators.sorted().joined(separator: " or ")) %} before the end of the template", at: lexer.source.count)
        }
        return (nodes, nil)
    }

    private mutating func parseStatement(_ keyword: JinjaToken, _ tokens: [JinjaToken]) throws -> JinjaNode {
        var p = ExpressionParser(tokens: Array(tokens.dropFirst()), lexer: lexer)
        switch keyword.text {
        case "for":
            var targets = [try p.expectName()]
            while p.accept(op: ",") { targets.append(try p.expectName()) }
            try p.expect(name: "in")
            let iterable = try p.parseExpression(allowConditional: false)
            var condition: JinjaExpr? = nil
            if p.accept(name: "if") { condition = try p.parseExpression(allowConditional: false) }
            if p.accept(name: "recursive") { throw lexer.error(.unsupported, "recursive for loops", at: keyword.offset) }
            try p.expectEnd()
            let (body, end) = try parseBlock(until: ["else", "endfor"])
            var otherwise: [JinjaNode] = []
            if end?.0 == "else" {
                let (e, _) = try parseBlock(until: ["endfor"])
                otherwise = e
            }
            return .forLoop(targets: targets, iterable: iterable, condition: condition, body: body, otherwise: otherwise, offset: keyword.offset)
        case "if":
            var branches: [(JinjaExpr, [JinjaNode])] = []
            var condition = try p.parseExpression()
            try p.expectEnd()
            while true {
                let (body, end) = try parseBlock(until: ["elif", "else", "endif"])
                branches.append((condition, body))
                guard let end else { break }
                if end.0 == "elif" {
                    var q = ExpressionParser(tokens: Array(end.2.dropFirst()), lexer: lexer)
                    condition = try q.parseExpression()
                    try q.expectEnd()
                    continue
                }
                if end.0 == "else" {
                    let (otherwise, _) = try parseBlock(until: ["endif"])
                    return .ifChain(branches, otherwise: otherwise)
                }
                break
            }
            return .ifChain(branches, otherwise: [])
        case "set":
            let first = try p.expectName()
            if p.accept(op: ".") {
                let attribute = try p.expectName()
                try p.expect(op: "=")
                let value = try p.parseExpression()
                try p.expectEnd()
                return .set(targets: [first], attribute: attribute, value: value, offset: keyword.offset)
            }
            var targets = [first]
            while p.accept(op: ",") { targets.append(try p.expectName()) }
            if p.atEnd {
                guard targets.count == 1 else { throw lexer.error(.syntax, "block set takes one name", at: keyword.offset) }
                let (body, _) = try parseBlock(until: ["endset"])
                return .setBlock(name: first, body: body)
            }
            try p.expect(op: "=")
            let value = try p.parseTupleOrExpression()
            try p.expectEnd()
            return .set(targets: targets, attribute: nil, value: value, offset: keyword.offset)
        case "break":
            try p.expectEnd()
            return .breakLoop
        case "continue":
            try p.expectEnd()
            return .continueLoop
        case "generation":
            try p.expectEnd()
            let (body, _) = try parseBlock(until: ["endgeneration"])
            return .generation(body)
        case "macro":
            let name = try p.expectName()
            try p.expect(op: "(")
            var parameters: [(String, JinjaExpr?)] = []
            if !p.accept(op: ")") {
                repeat {
                    let param = try p.expectName()
                    var fallback: JinjaExpr? = nil
                    if p.accept(op: "=") { fallback = try p.parseExpression() }
                    parameters.append((param, fallback))
                } while p.accept(op: ",")
                try p.expect(op: ")")
            }
            try p.expectEnd()
            let (body, _) = try parseBlock(until: ["endmacro"])
            return .macro(name: name, parameters: parameters, body: body)
        default:
            throw lexer.error(.unsupported, "statement {% \(keyword.text) %}", at: keyword.offset)
        }
    }
}

/// Recursive descent over one tag's tokens, with Jinja's operator precedence (lowest first):
/// conditional, or, and, not, comparisons and `in`, + -, ~, * / // %, **, unary - +, then postfix
/// (`.attr`, `[item]`, `(call)`) and filters / tests, which therefore bind tighter than `+`.
struct ExpressionParser {
    let tokens: [JinjaToken]
    let lexer: JinjaLexer
    var position = 0

    init(tokens: [JinjaToken], lexer: JinjaLexer) {
        self.tokens = tokens
        self.lexer = lexer
    }

    var atEnd: Bool { position >= tokens.count }
    var current: JinjaToken? { position < tokens.count ? tokens[position] : nil }
    private var offset: Int { current?.offset ?? (tokens.last.map { $0.offset + $0.text.count } ?? 0) }

    func error(_ message: String) -> ChatTemplateError { lexer.error(.syntax, message, at: offset) }

    mutating func accept(op: String) -> Bool {
        if let t = current, t.kind == .op, t.text == op { position += 1; return true }
        return false
    }

    mutating func accept(name: String) -> Bool {
        if let t = current, t.kind == .name, t.text == name { position += 1; return true }
        return false
    }

    func peek(name: String, ahead: Int = 0) -> Bool {
        position + ahead < tokens.count && tokens[position + ahead].kind == .name && tokens[position + ahead].text == name
    }

    mutating func expect(op: String) throws {
        guard accept(op: op) else { throw error("expected \"\(op)\"") }
    }

    mutating func expect(name: String) throws {
        guard accept(name: name) else { throw error("expected \"\(name)\"") }
    }

    mutating func expectName() throws -> String {
        guard let t = current, t.kind == .name else { throw error("expected a name") }
        position += 1
        return t.text
    }

    func expectEnd() throws {
        if let t = current { throw lexer.error(.syntax, "unexpected \"\(t.text)\"", at: t.offset) }
    }

    /// `a, b` without brackets is a tuple (as on the right of `set`).
    mutating func parseTupleOrExpression() throws -> JinjaExpr {
        let first = try parseExpression()
        guard accept(op: ",") else { return first }
        var items = [first]
        while !atEnd { items.append(try parseExpression()); if !accept(op: ",") { break } }
        return .tuple(items)
    }

    mutating func parseExpression(allowConditional: Bool = true) throws -> JinjaExpr {
        var e = try parseOr()
        while allowConditional && accept(name: "if") {
            let condition = try parseOr()
            var otherwise: JinjaExpr? = nil
            if accept(name: "else") { otherwise = try parseExpression() }
            e = .conditional(e, condition: condition, otherwise: otherwise)
        }
        return e
    }

    mutating func parseOr() throws -> JinjaExpr {
        var e = try parseAnd()
        while accept(name: "or") { e = .or(e, try parseAnd()) }
        return e
    }

    mutating func parseAnd() throws -> JinjaExpr {
        var e = try parseNot()
        while accept(name: "and") { e = .and(e, try parseNot()) }
        return e
    }

    mutating func parseNot() throws -> JinjaExpr {
        if accept(name: "not") { return .not(try parseNot()) }
        return try parseCompare()
    }

    mutating func parseCompare() throws -> JinjaExpr {
        var e = try parseMath1()
        while true {
            let at = offset
            if let t = current, t.kind == .op, ["==", "!=", "<", "<=", ">", ">="].contains(t.text) {
                position += 1
                e = .binary(t.text, e, try parseMath1(), offset: at)
            } else if accept(name: "in") {
                e = .binary("in", e, try parseMath1(), offset: at)
            } else if peek(name: "not") && peek(name: "in", ahead: 1) {
                position += 2
                e = .binary("not in", e, try parseMath1(), offset: at)
            } else {
                return e
            }
        }
    }

    mutating func parseMath1() throws -> JinjaExpr {
        var e = try parseConcat()
        while let t = current, t.kind == .op, t.text == "+" || t.text == "-" {
            position += 1
            e = .binary(t.text, e, try parseConcat(), offset: t.offset)
        }
        return e
    }

    mutating func parseConcat() throws -> JinjaExpr {
        var e = try parseMath2()
        while let t = current, t.kind == .op, t.text == "~" {
            position += 1
            e = .binary("~", e, try parseMath2(), offset: t.offset)
        }
        return e
    }

    mutating func parseMath2() throws -> JinjaExpr {
        var e = try parsePow()
        while let t = current, t.kind == .op, ["*", "/", "//", "%"].contains(t.text) {
            position += 1
            e = .binary(t.text, e, try parsePow(), offset: t.offset)
        }
        return e
    }

    mutating func parsePow() throws -> JinjaExpr {
        var e = try parseUnary()
        while let t = current, t.kind == .op, t.text == "**" {
            position += 1
            e = .binary("**", e, try parseUnary(), offset: t.offset)
        }
        return e
    }

    mutating func parseUnary() throws -> JinjaExpr {
        if let t = current, t.kind == .op, t.text == "-" {
            position += 1
            return try parseFilters(.negate(try parseUnary(), offset: t.offset))
        }
        if let t = current, t.kind == .op, t.text == "+" {
            position += 1
            return try parseUnary()
        }
        return try parseFilters(try parsePostfix(try parsePrimary()))
    }

    mutating func parsePrimary() throws -> JinjaExpr {
        guard let t = current else { throw error("expected an expression") }
        position += 1
        switch t.kind {
        case .string:
            var s = t.text
            // Adjacent string literals concatenate, as in Python.
            while let n = current, n.kind == .string { s += n.text; position += 1 }
            return .literal(.string(s))
        case .int:
            guard let v = Int(t.text) else { throw lexer.error(.syntax, "integer \(t.text) out of range", at: t.offset) }
            return .literal(.int(v))
        case .float:
            return .literal(.double(Double(t.text) ?? .nan))
        case .name:
            switch t.text {
            case "true", "True": return .literal(.bool(true))
            case "false", "False": return .literal(.bool(false))
            case "none", "None": return .literal(.none)
            default: return .name(t.text, offset: t.offset)
            }
        case .op:
            switch t.text {
            case "(":
                if accept(op: ")") { return .tuple([]) }
                let e = try parseExpression()
                if accept(op: ",") {
                    var items = [e]
                    while !accept(op: ")") {
                        items.append(try parseExpression())
                        if !accept(op: ",") { try expect(op: ")"); break }
                    }
                    return .tuple(items)
                }
                try expect(op: ")")
                return e
            case "[":
                var items: [JinjaExpr] = []
                while !accept(op: "]") {
                    items.append(try parseExpression())
                    if !accept(op: ",") { try expect(op: "]"); break }
                }
                return .list(items)
            case "{":
                var pairs: [(JinjaExpr, JinjaExpr)] = []
                while !accept(op: "}") {
                    let k = try parseExpression()
                    try expect(op: ":")
                    pairs.append((k, try parseExpression()))
                    if !accept(op: ",") { try expect(op: "}"); break }
                }
                return .dict(pairs)
            default:
                throw lexer.error(.syntax, "unexpected \"\(t.text)\"", at: t.offset)
            }
        }
    }

    mutating func parsePostfix(_ base: JinjaExpr) throws -> JinjaExpr {
        var e = base
        while let t = current, t.kind == .op {
            if t.text == "." {
                position += 1
                guard let n = current, n.kind == .name || n.kind == .int else { throw error("expected an attribute name after \".\"") }
                position += 1
                e = .attribute(e, n.text, offset: n.offset)
            } else if t.text == "[" {
                position += 1
                e = try parseSubscript(e, at: t.offset)
            } else if t.text == "(" {
                position += 1
                e = .call(e, try parseArguments(), offset: t.offset)
            } else {
                break
            }
        }
        return e
    }

    mutating func parseSubscript(_ base: JinjaExpr, at offset: Int) throws -> JinjaExpr {
        var parts: [JinjaExpr?] = []
        var isSlice = false
        var currentPart: JinjaExpr? = nil
        while true {
            if accept(op: "]") { parts.append(currentPart); break }
            if accept(op: ":") { parts.append(currentPart); currentPart = nil; isSlice = true; continue }
            currentPart = try parseExpression()
        }
        if !isSlice {
            guard let index = parts.first ?? nil else { throw lexer.error(.syntax, "empty subscript", at: offset) }
            return .item(base, index, offset: offset)
        }
        while parts.count < 3 { parts.append(nil) }
        guard parts.count == 3 else { throw lexer.error(.syntax, "too many \":\" in slice", at: offset) }
        return .slice(base, start: parts[0], stop: parts[1], step: parts[2], offset: offset)
    }

    /// After "(": positional and keyword arguments up to ")".
    mutating func parseArguments() throws -> JinjaArguments {
        var args = JinjaArguments()
        while !accept(op: ")") {
            if let t = current, t.kind == .name, position + 1 < tokens.count, tokens[position + 1].kind == .op, tokens[position + 1].text == "=" {
                position += 2
                args.keywords.append((t.text, try parseExpression()))
            } else {
                args.positional.append(try parseExpression())
            }
            if !accept(op: ",") { try expect(op: ")"); break }
        }
        return args
    }

    mutating func parseFilters(_ base: JinjaExpr) throws -> JinjaExpr {
        var e = base
        while true {
            if accept(op: "|") {
                guard let n = current, n.kind == .name else { throw error("expected a filter name after \"|\"") }
                position += 1
                var name = n.text
                while accept(op: ".") { name += "." + (try expectName()) }
                let args = accept(op: "(") ? try parseArguments() : JinjaArguments()
                e = .filter(e, name, args, offset: n.offset)
            } else if peek(name: "is") {
                position += 1
                let negated = accept(name: "not")
                guard let n = current, n.kind == .name else { throw error("expected a test name after \"is\"") }
                position += 1
                var args = JinjaArguments()
                if accept(op: "(") {
                    args = try parseArguments()
                } else if let a = current, a.kind == .string || a.kind == .int || a.kind == .float
                            || (a.kind == .name && !["and", "or", "else", "if", "in", "is", "not"].contains(a.text)) {
                    args.positional = [try parsePostfix(try parsePrimary())]
                }
                e = .test(e, n.text, args, negated: negated, offset: n.offset)
            } else if let t = current, t.kind == .op, t.text == "(" {
                position += 1
                e = .call(e, try parseArguments(), offset: t.offset)
            } else {
                return e
            }
        }
    }
}
