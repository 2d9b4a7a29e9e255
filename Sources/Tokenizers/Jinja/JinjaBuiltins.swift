import Foundation

/// Operators, attribute access, filters, tests, string and dict methods and global functions of the subset,
/// each behaving as in Python's jinja2 inside transformers' sandbox (lists and dicts are immutable there).
enum JinjaBuiltins {
    typealias I = JinjaInterpreter

    // MARK: Globals

    static func globals(lexer: JinjaLexer) -> [String: JinjaValue] {
        var g: [String: JinjaValue] = [:]
        g["raise_exception"] = .function(JinjaFunction(name: "raise_exception") { args, _ in
            throw ChatTemplateError(.raised, args.first?.printed ?? "", line: 0, column: 0, source: lexer.sourceName)
        })
        g["namespace"] = .function(JinjaFunction(name: "namespace") { args, keywords in
            var o = JinjaObject()
            if case .object(let initial)? = args.first { o = initial }
            for (k, v) in keywords { o[k] = v }
            return .namespace(JinjaNamespace(o))
        })
        g["dict"] = .function(JinjaFunction(name: "dict") { args, keywords in
            var o = JinjaObject()
            if case .object(let initial)? = args.first { o = initial }
            for (k, v) in keywords { o[k] = v }
            return .object(o)
        })
        g["range"] = .function(JinjaFunction(name: "range") { args, _ in
            let n = args.compactMap(\.integer)
            guard n.count == args.count, (1...3).contains(n.count) else { return .undefined("range") }
            let (start, stop, step) = n.count == 1 ? (0, n[0], 1) : (n[0], n[1], n.count == 3 ? n[2] : 1)
            guard step != 0 else { return .array([]) }
            return .array(Swift.stride(from: start, to: stop, by: step).map { .int($0) })
        })
        g["strftime_now"] = .function(JinjaFunction(name: "strftime_now") { args, _ in
            guard case .string(let format)? = args.first else { return .undefined("strftime_now") }
            var t = time(nil)
            var parts = tm()
            localtime_r(&t, &parts)
            var buffer = [Int8](repeating: 0, count: 256)
            let n = strftime(&buffer, buffer.count, format, &parts)
            return .string(String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self))
        })
        return g
    }

    // MARK: Access

    /// `value.name`: Jinja tries the attribute (a method) first, then the item.
    static func attribute(_ value: JinjaValue, _ name: String, at offset: Int, _ i: I) throws -> JinjaValue {
        switch value {
        case .undefined(let n):
            throw i.error("\(n) is undefined, so it has no attribute \"\(name)\"", at: offset)
        case .object(let o):
            if let m = method(value, name, at: offset, i) { return m }
            return o[name] ?? .undefined(name)
        case .namespace(let ns):
            return ns.attributes[name] ?? .undefined(name)
        default:
            return method(value, name, at: offset, i) ?? .undefined(name)
        }
    }

    /// `value[index]`: Jinja tries the item first, then the attribute.
    static func item(_ value: JinjaValue, _ index: JinjaValue, at offset: Int, _ i: I) throws -> JinjaValue {
        switch (value, index) {
        case (.undefined(let n), _):
            throw i.error("\(n) is undefined, so it has no item \(index.repr)", at: offset)
        case (.array(let a), _):
            guard let k = index.integer else { throw i.error("list indices must be integers, not \(index.typeName)", at: offset) }
            let j = k < 0 ? a.count + k : k
            return a.indices.contains(j) ? a[j] : .undefined("item \(k)")
        case (.string(let s), _):
            guard let k = index.integer else { throw i.error("string indices must be integers", at: offset) }
            let scalars = Array(s.unicodeScalars)
            let j = k < 0 ? scalars.count + k : k
            return scalars.indices.contains(j) ? .string(String(scalars[j])) : .undefined("item \(k)")
        case (.object(let o), .string(let key)):
            return o[key] ?? method(value, key, at: offset, i) ?? .undefined(key)
        case (.namespace(let ns), .string(let key)):
            return ns.attributes[key] ?? .undefined(key)
        case (_, .string(let key)):
            return method(value, key, at: offset, i) ?? .undefined(key)
        default:
            return .undefined("item")
        }
    }

    static func slice(_ value: JinjaValue, start: JinjaValue?, stop: JinjaValue?, step: JinjaValue?, at offset: Int, _ i: I) throws -> JinjaValue {
        func indices(_ count: Int) throws -> [Int] {
            let st = try step.flatMap { $0.isNone ? nil : $0 }.map { v -> Int in
                guard let n = v.integer, n != 0 else { throw i.error("slice step must be a non-zero integer", at: offset) }
                return n
            } ?? 1
            func clamp(_ v: JinjaValue?, _ fallback: Int) throws -> Int {
                guard let v, !v.isNone else { return fallback }
                guard var n = v.integer else { throw i.error("slice indices must be integers", at: offset) }
                if n < 0 { n += count }
                return st > 0 ? min(max(n, 0), count) : min(max(n, -1), count - 1)
            }
            let a = try clamp(start, st > 0 ? 0 : count - 1)
            let b = try clamp(stop, st > 0 ? count : -1)
            return Array(Swift.stride(from: a, to: b, by: st))
        }
        switch value {
        case .array(let a): return .array(try indices(a.count).map { a[$0] })
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            var out = String.UnicodeScalarView()
            for k in try indices(scalars.count) { out.append(scalars[k]) }
            return .string(String(out))
        case .undefined(let n): throw i.error("\(n) is undefined and cannot be sliced", at: offset)
        default: throw i.error("\(value.typeName) cannot be sliced", at: offset)
        }
    }

    // MARK: Operators

    static func binary(_ op: String, _ a: JinjaValue, _ b: JinjaValue, at offset: Int, _ i: I) throws -> JinjaValue {
        switch op {
        case "==": return .bool(jinjaEqual(a, b))
        case "!=": return .bool(!jinjaEqual(a, b))
        case "in", "not in":
            let found: Bool
            switch b {
            case .string(let s):
                guard case .string(let needle) = a else { throw i.error("'in <string>' requires a string on the left, not \(a.typeName)", at: offset) }
                found = needle.isEmpty || s.contains(needle)
            case .array(let items): found = items.contains { jinjaEqual($0, a) }
            case .object(let o): if case .string(let k) = a { found = o[k] != nil } else { found = false }
            case .namespace(let ns): if case .string(let k) = a { found = ns.attributes[k] != nil } else { found = false }
            case .undefined: found = false
            default: throw i.error("argument of type \(b.typeName) is not iterable", at: offset)
            }
            return .bool(op == "in" ? found : !found)
        case "~":
            return .string(a.printed + b.printed)
        case "<", "<=", ">", ">=":
            let ordering: Int
            if let x = a.number, let y = b.number {
                ordering = x < y ? -1 : x > y ? 1 : 0
            } else if case .string(let x) = a, case .string(let y) = b {
                // Python compares strings by code point.
                let xs = Array(x.unicodeScalars.map(\.value)), ys = Array(y.unicodeScalars.map(\.value))
                ordering = xs.lexicographicallyPrecedes(ys) ? -1 : xs == ys ? 0 : 1
            } else {
                throw i.error("\"\(op)\" not supported between \(a.typeName) and \(b.typeName)", at: offset)
            }
            switch op {
            case "<": return .bool(ordering < 0)
            case "<=": return .bool(ordering <= 0)
            case ">": return .bool(ordering > 0)
            default: return .bool(ordering >= 0)
            }
        default:
            return try arithmetic(op, a, b, at: offset, i)
        }
    }

    static func arithmetic(_ op: String, _ a: JinjaValue, _ b: JinjaValue, at offset: Int, _ i: I) throws -> JinjaValue {
        if case .undefined(let n) = a { throw i.error("\(n) is undefined", at: offset) }
        if case .undefined(let n) = b { throw i.error("\(n) is undefined", at: offset) }
        switch (op, a, b) {
        case ("+", .string(let x), .string(let y)): return .string(x + y)
        case ("+", .array(let x), .array(let y)): return .array(x + y)
        case ("*", .string(let s), _) where b.integer != nil: return .string(String(repeating: s, count: max(0, b.integer!)))
        case ("*", .array(let s), _) where b.integer != nil: return .array(Array(repeating: s, count: max(0, b.integer!)).flatMap { $0 })
        default: break
        }
        if let x = a.integer, let y = b.integer {
            switch op {
            case "+": return .int(x &+ y)
            case "-": return .int(x &- y)
            case "*": return .int(x &* y)
            case "/":
                guard y != 0 else { throw i.error("division by zero", at: offset) }
                return .double(Double(x) / Double(y))
            case "//":
                guard y != 0 else { throw i.error("division by zero", at: offset) }
                return .int(Int((Double(x) / Double(y)).rounded(.down)))
            case "%":
                guard y != 0 else { throw i.error("modulo by zero", at: offset) }
                let r = x % y
                return .int(r != 0 && (r < 0) != (y < 0) ? r + y : r)
            case "**":
                return y >= 0 ? .int(Int(pow(Double(x), Double(y)))) : .double(pow(Double(x), Double(y)))
            default: break
            }
        }
        if let x = a.number, let y = b.number {
            switch op {
            case "+": return .double(x + y)
            case "-": return .double(x - y)
            case "*": return .double(x * y)
            case "/":
                guard y != 0 else { throw i.error("division by zero", at: offset) }
                return .double(x / y)
            case "//": return .double((x / y).rounded(.down))
            case "%": return .double(x - y * (x / y).rounded(.down))
            case "**": return .double(pow(x, y))
            default: break
            }
        }
        throw i.error("unsupported operand types for \(op): \(a.typeName) and \(b.typeName)", at: offset)
    }

    // MARK: Methods

    /// String and dict methods the templates call (`content.split('</think>')`, `message.get('x')`, …).
    static func method(_ value: JinjaValue, _ name: String, at offset: Int, _ i: I) -> JinjaValue? {
        func fn(_ body: @escaping ([JinjaValue], [(String, JinjaValue)]) throws -> JinjaValue) -> JinjaValue {
            .function(JinjaFunction(name: name, call: body))
        }
        func str(_ v: JinjaValue?) -> String? { if case .string(let s)? = v { return s } else { return nil } }
        switch value {
        case .string(let s):
            switch name {
            case "split", "rsplit":
                return fn { args, kw in
                    let sep = str(args.first ?? kw.first { $0.0 == "sep" }?.1)
                    let maxSplit = (args.count > 1 ? args[1] : kw.first { $0.0 == "maxsplit" }?.1)?.integer ?? -1
                    return .array(pythonSplit(s, separator: sep, maxSplit: maxSplit, fromRight: name == "rsplit").map { .string($0) })
                }
            case "strip", "lstrip", "rstrip":
                return fn { args, _ in .string(pythonStrip(s, chars: str(args.first), leading: name != "rstrip", trailing: name != "lstrip")) }
            case "startswith", "endswith":
                return fn { args, _ in
                    let candidates: [String]
                    if case .array(let items)? = args.first { candidates = items.compactMap { str($0) } } else { candidates = [str(args.first) ?? ""] }
                    return .bool(candidates.contains { name == "startswith" ? s.unicodeScalars.starts(with: $0.unicodeScalars) : s.unicodeScalars.reversed().starts(with: $0.unicodeScalars.reversed()) })
                }
            case "upper": return fn { _, _ in .string(s.uppercased()) }
            case "lower": return fn { _, _ in .string(s.lowercased()) }
            case "title": return fn { _, _ in .string(pythonTitle(s)) }
            case "capitalize": return fn { _, _ in .string(s.prefix(1).uppercased() + s.dropFirst().lowercased()) }
            case "replace":
                return fn { args, _ in
                    guard let old = str(args.first), let new = str(args.count > 1 ? args[1] : nil) else { return .string(s) }
                    return .string(old.isEmpty ? s : replaceLiteral(old, with: new, in: s))
                }
            case "find", "count", "index":
                return fn { args, _ in
                    guard let needle = str(args.first) else { return .int(-1) }
                    let hay = Array(s.unicodeScalars), n = Array(needle.unicodeScalars)
                    var hits: [Int] = []
                    var k = 0
                    while k + n.count <= hay.count {
                        if Array(hay[k..<(k + n.count)]) == n { hits.append(k); k += max(n.count, 1) } else { k += 1 }
                    }
                    if name == "count" { return .int(hits.count) }
                    return .int(hits.first ?? -1)
                }
            case "join":
                return fn { args, _ in
                    guard let first = args.first else { return .string("") }
                    return .string(try i.iterate(first, at: offset).map(\.printed).joined(separator: s))
                }
            case "isdigit": return fn { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.numericType == .decimal || $0.properties.numericType == .digit }) }
            case "isspace": return fn { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isWhitespace }) }
            case "isalpha": return fn { _, _ in .bool(!s.isEmpty && s.unicodeScalars.allSatisfy { $0.properties.isAlphabetic }) }
            case "splitlines":
                return fn { _, _ in
                    // Python drops the empty piece after a final line break ("a\n" → ["a"], "" → []).
                    var lines = s.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
                    if lines.last == "" { lines.removeLast() }
                    return .array(lines.map { .string($0) })
                }
            default: return nil
            }
        case .object(let o):
            switch name {
            case "get": return fn { args, _ in
                guard let k = str(args.first) else { return .none }
                return o[k] ?? (args.count > 1 ? args[1] : .none)
            }
            case "items": return fn { _, _ in .array(o.keys.map { .array([.string($0), o[$0]!]) }) }
            case "keys": return fn { _, _ in .array(o.keys.map { .string($0) }) }
            case "values": return fn { _, _ in .array(o.keys.map { o[$0]! }) }
            default: return nil
            }
        default:
            return nil
        }
    }

    // MARK: Tests

    static func test(_ name: String, _ v: JinjaValue, _ args: [JinjaValue], at offset: Int, _ i: I) throws -> Bool {
        switch name {
        case "defined": return !v.isUndefined
        case "undefined": return v.isUndefined
        case "none": return v.isNone
        case "true": if case .bool(true) = v { return true } else { return false }
        case "false": if case .bool(false) = v { return true } else { return false }
        case "boolean": if case .bool = v { return true } else { return false }
        case "integer": if case .int = v { return true } else { return false }
        case "float": if case .double = v { return true } else { return false }
        case "number": switch v { case .int, .double, .bool: return true; default: return false }
        case "string": if case .string = v { return true } else { return false }
        case "mapping": if case .object = v { return true } else { return false }
        case "iterable", "sequence":
            switch v { case .string, .array, .object: return true; default: return false }
        case "callable": if case .function = v { return true } else { return false }
        case "odd": return (v.integer ?? 0) % 2 != 0
        case "even": return (v.integer ?? 1) % 2 == 0
        case "divisibleby":
            guard let n = args.first?.integer, n != 0, let x = v.integer else { return false }
            return x % n == 0
        case "eq", "equalto", "==": return args.first.map { jinjaEqual(v, $0) } ?? false
        case "ne", "!=": return !(args.first.map { jinjaEqual(v, $0) } ?? false)
        case "sameas":
            guard let other = args.first else { return false }
            switch (v, other) {
            case (.none, .none): return true
            case (.bool(let a), .bool(let b)): return a == b
            case (.namespace(let a), .namespace(let b)): return a === b
            default: return false
            }
        case "lt", "<", "le", "<=", "gt", ">", "ge", ">=":
            let op = ["lt": "<", "le": "<=", "gt": ">", "ge": ">="][name] ?? name
            return try binary(op, v, args.first ?? .none, at: offset, i).truthy
        case "in": return try binary("in", v, args.first ?? .none, at: offset, i).truthy
        case "lower": if case .string(let s) = v { return s == s.lowercased() } else { return false }
        case "upper": if case .string(let s) = v { return s == s.uppercased() } else { return false }
        default:
            throw i.error("unsupported test \"\(name)\"", at: offset).unsupportedKind()
        }
    }
}

extension ChatTemplateError {
    func unsupportedKind() -> ChatTemplateError {
        var e = self
        e.kind = .unsupported
        return e
    }
}
