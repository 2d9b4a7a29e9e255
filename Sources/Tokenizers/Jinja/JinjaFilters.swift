import Foundation

/// The filters of the subset (`value | name(args)`), as jinja2 and transformers define them.
extension JinjaBuiltins {
    static func filter(_ name: String, _ v: JinjaValue, _ args: [JinjaValue], _ kw: [(String, JinjaValue)], at offset: Int, _ i: I) throws -> JinjaValue {
        func arg(_ index: Int, _ key: String) -> JinjaValue? {
            index < args.count ? args[index] : kw.first { $0.0 == key }?.1
        }
        switch name {
        case "trim":
            var chars: String? = nil
            if case .string(let c)? = arg(0, "chars") { chars = c }
            return .string(pythonStrip(v.printed, chars: chars, leading: true, trailing: true))
        case "length", "count":
            switch v {
            case .string(let s): return .int(s.unicodeScalars.count)
            case .array(let a): return .int(a.count)
            case .object(let o): return .int(o.keys.count)
            case .undefined: return .int(0)
            default: throw i.error("object of type \(v.typeName) has no length", at: offset)
            }
        case "join":
            let separator = arg(0, "d")?.printed ?? ""
            var items = try i.iterate(v, at: offset)
            if let attr = arg(1, "attribute") { items = try items.map { try attribute($0, attr.printed, at: offset, i) } }
            return .string(items.map(\.printed).joined(separator: separator))
        case "tojson":
            let indent = arg(0, "indent")?.integer
            let sortKeys = arg(3, "sort_keys")?.truthy ?? false
            return .string(try JinjaJSON.dump(v, indent: indent, sortKeys: sortKeys, at: offset, i))
        case "items":
            if case .undefined = v { return .array([]) }
            guard case .object(let o) = v else { throw i.error("items filter expects a mapping, got \(v.typeName)", at: offset) }
            return .array(o.keys.map { .array([.string($0), o[$0]!]) })
        case "list":
            return .array(try i.iterate(v, at: offset))
        case "first":
            return try i.iterate(v, at: offset).first ?? .undefined("first")
        case "last":
            return try i.iterate(v, at: offset).last ?? .undefined("last")
        case "lower": return .string(v.printed.lowercased())
        case "upper": return .string(v.printed.uppercased())
        case "title": return .string(pythonTitle(v.printed))
        case "capitalize": let s = v.printed; return .string(s.prefix(1).uppercased() + s.dropFirst().lowercased())
        case "string": return .string(v.printed)
        case "safe": return v
        case "default", "d":
            let fallback = arg(0, "default_value") ?? .string("")
            let boolean = arg(1, "boolean")?.truthy ?? false
            return (v.isUndefined || (boolean && !v.truthy)) ? fallback : v
        case "int":
            switch v {
            case .int: return v
            case .double(let d): return .int(Int(d))
            case .bool(let b): return .int(b ? 1 : 0)
            case .string(let s): return .int(Int(s.trimmingCharacters(in: .whitespaces)) ?? (arg(0, "default")?.integer ?? 0))
            default: return arg(0, "default") ?? .int(0)
            }
        case "float":
            if let n = v.number { return .double(n) }
            if case .string(let s) = v, let d = Double(s.trimmingCharacters(in: .whitespaces)) { return .double(d) }
            return arg(0, "default") ?? .double(0)
        case "abs":
            switch v { case .int(let n): return .int(abs(n)); case .double(let d): return .double(abs(d)); default: return v }
        case "replace":
            guard let old = arg(0, "old")?.printed, let new = arg(1, "new")?.printed else { return v }
            return .string(old.isEmpty ? v.printed : replaceLiteral(old, with: new, in: v.printed))
        case "reverse":
            if case .string(let s) = v { return .string(String(s.reversed())) }
            return .array(try i.iterate(v, at: offset).reversed())
        case "unique":
            var seen: [JinjaValue] = []
            for x in try i.iterate(v, at: offset) where !seen.contains(where: { jinjaEqual($0, x) }) { seen.append(x) }
            return .array(seen)
        case "indent":
            let width = arg(0, "width")?.integer ?? 4
            let first = arg(1, "first")?.truthy ?? false
            let blank = arg(2, "blank")?.truthy ?? false
            let pad = String(repeating: " ", count: width)
            let lines = v.printed.components(separatedBy: "\n")
            return .string(lines.enumerated().map { k, line in
                if k == 0 && !first { return line }
                if line.isEmpty && !blank { return line }
                return pad + line
            }.joined(separator: "\n"))
        case "select", "reject", "selectattr", "rejectattr":
            let byAttribute = name.hasSuffix("attr")
            let attr = byAttribute ? args.first?.printed : nil
            let rest = Array(args.dropFirst(byAttribute ? 1 : 0))
            let testName = rest.first?.printed
            let testArgs = Array(rest.dropFirst())
            let keep = name.hasPrefix("select")
            return .array(try i.iterate(v, at: offset).filter { item in
                let subject = try attr.map { try attribute(item, $0, at: offset, i) } ?? item
                let passed = try testName.map { try test($0, subject, testArgs, at: offset, i) } ?? subject.truthy
                return passed == keep
            })
        case "map":
            if let attr = kw.first(where: { $0.0 == "attribute" })?.1.printed {
                return .array(try i.iterate(v, at: offset).map { try attribute($0, attr, at: offset, i) })
            }
            guard let filterName = args.first?.printed else { return v }
            return .array(try i.iterate(v, at: offset).map { try filter(filterName, $0, Array(args.dropFirst()), [], at: offset, i) })
        case "sum":
            return try i.iterate(v, at: offset).reduce(JinjaValue.int(0)) { try arithmetic("+", $0, $1, at: offset, i) }
        case "min", "max":
            let items = try i.iterate(v, at: offset)
            guard var best = items.first else { return .undefined(name) }
            for x in items.dropFirst() where try binary(name == "min" ? "<" : ">", x, best, at: offset, i).truthy { best = x }
            return best
        case "sort":
            let reverse = arg(0, "reverse")?.truthy ?? false
            let attr = kw.first { $0.0 == "attribute" }?.1.printed
            let items = try i.iterate(v, at: offset)
            var failure: Error? = nil
            let sorted = items.sorted { a, b in
                do {
                    let x = try attr.map { try attribute(a, $0, at: offset, i) } ?? a
                    let y = try attr.map { try attribute(b, $0, at: offset, i) } ?? b
                    return try binary(reverse ? ">" : "<", x, y, at: offset, i).truthy
                } catch { failure = error; return false }
            }
            if let failure { throw failure }
            return .array(sorted)
        case "wordcount":
            return .int(v.printed.split(whereSeparator: { $0.isWhitespace }).count)
        default:
            throw i.error("unsupported filter \"\(name)\"", at: offset).unsupportedKind()
        }
    }
}
