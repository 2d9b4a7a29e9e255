/// Renders a parsed template. Scoping follows Jinja: each `for` iteration gets its own scope (a `set` inside a
/// loop is gone after it, which is why templates use `namespace`), `if` does not open one.
final class JinjaInterpreter {
    private var scopes: [[String: JinjaValue]]
    private let lexer: JinjaLexer
    private var output = ""

    private enum Flow { case normal, breakLoop, continueLoop }

    init(globals: [String: JinjaValue], lexer: JinjaLexer) {
        scopes = [JinjaBuiltins.globals(lexer: lexer), globals]
        self.lexer = lexer
    }

    func render(_ nodes: [JinjaNode]) throws -> String {
        output = ""
        _ = try execute(nodes)
        return output
    }

    func error(_ message: String, at offset: Int) -> ChatTemplateError {
        lexer.error(.runtime, message, at: offset)
    }

    // MARK: Statements

    private func execute(_ nodes: [JinjaNode]) throws -> Flow {
        for node in nodes {
            let flow = try execute(node)
            if flow != .normal { return flow }
        }
        return .normal
    }

    private func execute(_ node: JinjaNode) throws -> Flow {
        switch node {
        case .text(let s):
            output += s
        case .output(let e):
            output += try evaluate(e).printed
        case let .forLoop(targets, iterable, condition, body, otherwise, offset):
            let items = try iterate(try evaluate(iterable), at: offset)
            // The loop filter (`for x in xs if cond`) applies before loop.index and loop.length are counted.
            var selected: [JinjaValue] = []
            for item in items {
                if let condition {
                    scopes.append(try bind(targets, to: item, at: offset))
                    defer { scopes.removeLast() }
                    if !(try evaluate(condition).truthy) { continue }
                }
                selected.append(item)
            }
            if selected.isEmpty { return try execute(otherwise) }
            for (i, item) in selected.enumerated() {
                var scope = try bind(targets, to: item, at: offset)
                scope["loop"] = loopObject(index: i, items: selected)
                scopes.append(scope)
                let flow = try execute(body)
                scopes.removeLast()
                if flow == .breakLoop { break }
            }
        case let .ifChain(branches, otherwise):
            for (condition, body) in branches where try evaluate(condition).truthy {
                return try execute(body)
            }
            return try execute(otherwise)
        case let .set(targets, attribute, value, offset):
            let v = try evaluate(value)
            if let attribute {
                guard case .namespace(let ns) = lookup(targets[0]) else {
                    throw error("cannot set attribute \"\(attribute)\" on \(targets[0]), which is not a namespace", at: offset)
                }
                ns.attributes[attribute] = v
            } else {
                for (k, val) in try bind(targets, to: v, at: offset) { scopes[scopes.count - 1][k] = val }
            }
        case let .setBlock(name, body):
            let saved = output
            output = ""
            _ = try execute(body)
            let captured = output
            output = saved
            scopes[scopes.count - 1][name] = .string(captured)
        case .breakLoop:
            return .breakLoop
        case .continueLoop:
            return .continueLoop
        case .generation(let body):
            return try execute(body)
        case let .macro(name, parameters, body):
            scopes[scopes.count - 1][name] = .function(JinjaFunction(name: name) { [unowned self] positional, keywords in
                var scope: [String: JinjaValue] = [:]
                for (i, (param, fallback)) in parameters.enumerated() {
                    if i < positional.count { scope[param] = positional[i] }
                    else if let kw = keywords.first(where: { $0.0 == param }) { scope[param] = kw.1 }
                    else if let fallback { scope[param] = try self.evaluate(fallback) }
                    else { scope[param] = .undefined(param) }
                }
                let saved = self.output
                self.output = ""
                self.scopes.append(scope)
                defer { self.scopes.removeLast() }
                _ = try self.execute(body)
                let result = self.output
                self.output = saved
                return .string(result)
            })
        }
        return .normal
    }

    private func bind(_ targets: [String], to value: JinjaValue, at offset: Int) throws -> [String: JinjaValue] {
        if targets.count == 1 { return [targets[0]: value] }
        let parts = try iterate(value, at: offset)
        guard parts.count == targets.count else {
            throw error("cannot unpack \(parts.count) values into \(targets.count) names", at: offset)
        }
        return Dictionary(uniqueKeysWithValues: zip(targets, parts))
    }

    private func loopObject(index i: Int, items: [JinjaValue]) -> JinjaValue {
        let n = items.count
        var o = JinjaObject()
        o["index"] = .int(i + 1)
        o["index0"] = .int(i)
        o["revindex"] = .int(n - i)
        o["revindex0"] = .int(n - i - 1)
        o["first"] = .bool(i == 0)
        o["last"] = .bool(i == n - 1)
        o["length"] = .int(n)
        o["previtem"] = i > 0 ? items[i - 1] : .undefined("loop.previtem")
        o["nextitem"] = i + 1 < n ? items[i + 1] : .undefined("loop.nextitem")
        o["cycle"] = .function(JinjaFunction(name: "loop.cycle") { args, _ in
            args.isEmpty ? .none : args[i % args.count]
        })
        return .object(o)
    }

    func lookup(_ name: String) -> JinjaValue {
        for scope in scopes.reversed() {
            if let v = scope[name] { return v }
        }
        return .undefined(name)
    }

    /// What a `for` loop walks: list items, string characters, dict keys; undefined and none give nothing
    /// (none fails in Python; templates guard against it, so accept it quietly only when undefined).
    func iterate(_ value: JinjaValue, at offset: Int) throws -> [JinjaValue] {
        switch value {
        case .array(let a): return a
        case .object(let o): return o.keys.map { .string($0) }
        case .string(let s): return s.map { .string(String($0)) }
        case .undefined: return []
        case .namespace(let ns): return ns.attributes.keys.map { .string($0) }
        default: throw error("\(value.typeName) is not iterable", at: offset)
        }
    }

    // MARK: Expressions

    func evaluate(_ expr: JinjaExpr) throws -> JinjaValue {
        switch expr {
        case .literal(let v):
            return v
        case .name(let n, _):
            return lookup(n)
        case .list(let items):
            return .array(try items.map { try evaluate($0) })
        case .tuple(let items):
            return .array(try items.map { try evaluate($0) })
        case .dict(let pairs):
            var o = JinjaObject()
            for (k, v) in pairs {
                let key = try evaluate(k)
                guard case .string(let ks) = key else { throw error("dict keys must be strings", at: 0) }
                o[ks] = try evaluate(v)
            }
            return .object(o)
        case let .attribute(base, name, offset):
            return try JinjaBuiltins.attribute(try evaluate(base), name, at: offset, self)
        case let .item(base, index, offset):
            return try JinjaBuiltins.item(try evaluate(base), try evaluate(index), at: offset, self)
        case let .slice(base, start, stop, step, offset):
            return try JinjaBuiltins.slice(try evaluate(base), start: try start.map { try evaluate($0) },
                                           stop: try stop.map { try evaluate($0) }, step: try step.map { try evaluate($0) },
                                           at: offset, self)
        case let .call(callee, args, offset):
            let f = try evaluate(callee)
            guard case .function(let function) = f else {
                throw error("\(describe(callee)) is \(f.isUndefined ? "undefined" : "not callable")", at: offset)
            }
            let (positional, keywords) = try evaluate(args)
            return try function.call(positional, keywords)
        case let .filter(base, name, args, offset):
            let (positional, keywords) = try evaluate(args)
            return try JinjaBuiltins.filter(name, try evaluate(base), positional, keywords, at: offset, self)
        case let .test(base, name, args, negated, offset):
            let (positional, _) = try evaluate(args)
            let result = try JinjaBuiltins.test(name, try evaluate(base), positional, at: offset, self)
            return .bool(negated ? !result : result)
        case .not(let e):
            return .bool(!(try evaluate(e).truthy))
        case let .negate(e, offset):
            switch try evaluate(e) {
            case .int(let i): return .int(-i)
            case .double(let d): return .double(-d)
            case .bool(let b): return .int(b ? -1 : 0)
            case let v: throw error("cannot negate \(v.typeName)", at: offset)
            }
        case let .and(a, b):
            let l = try evaluate(a)
            return l.truthy ? try evaluate(b) : l
        case let .or(a, b):
            let l = try evaluate(a)
            return l.truthy ? l : try evaluate(b)
        case let .conditional(value, condition, otherwise):
            if try evaluate(condition).truthy { return try evaluate(value) }
            return try otherwise.map { try evaluate($0) } ?? .undefined("conditional")
        case let .binary(op, a, b, offset):
            return try JinjaBuiltins.binary(op, try evaluate(a), try evaluate(b), at: offset, self)
        }
    }

    private func evaluate(_ args: JinjaArguments) throws -> ([JinjaValue], [(String, JinjaValue)]) {
        (try args.positional.map { try evaluate($0) }, try args.keywords.map { ($0.0, try evaluate($0.1)) })
    }

    private func describe(_ e: JinjaExpr) -> String {
        switch e {
        case .name(let n, _): return n
        case .attribute(let b, let n, _): return describe(b) + "." + n
        default: return "expression"
        }
    }
}
