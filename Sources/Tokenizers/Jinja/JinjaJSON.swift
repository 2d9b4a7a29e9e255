import Foundation

/// The `tojson` filter as transformers defines it: Python's `json.dumps(x, ensure_ascii=False, indent=indent)`,
/// so separators are ", " and ": " without indent, "," and ": " with it, and non-ASCII text is kept.
enum JinjaJSON {
    static func dump(_ v: JinjaValue, indent: Int?, sortKeys: Bool, at offset: Int, _ i: JinjaInterpreter) throws -> String {
        var out = ""
        try write(v, indent: indent, level: 0, sortKeys: sortKeys, into: &out, at: offset, i)
        return out
    }

    private static func write(_ v: JinjaValue, indent: Int?, level: Int, sortKeys: Bool, into out: inout String, at offset: Int, _ i: JinjaInterpreter) throws {
        let itemSeparator = indent == nil ? ", " : ","
        func newline(_ depth: Int) {
            if let indent { out += "\n" + String(repeating: " ", count: indent * depth) }
        }
        switch v {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let n): out += String(n)
        case .double(let d): out += d.isFinite ? pythonFloat(d) : (d.isNaN ? "NaN" : d < 0 ? "-Infinity" : "Infinity")
        case .string(let s): out += quote(s)
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "["
            for (k, item) in items.enumerated() {
                if k > 0 { out += itemSeparator }
                newline(level + 1)
                try write(item, indent: indent, level: level + 1, sortKeys: sortKeys, into: &out, at: offset, i)
            }
            newline(level)
            out += "]"
        case .object(let o):
            try writeObject(o, indent: indent, level: level, sortKeys: sortKeys, into: &out, at: offset, i)
        case .namespace(let ns):
            try writeObject(ns.attributes, indent: indent, level: level, sortKeys: sortKeys, into: &out, at: offset, i)
        case .undefined(let n):
            throw i.error("\(n) is undefined and cannot be written as JSON", at: offset)
        case .function(let f):
            throw i.error("function \(f.name) cannot be written as JSON", at: offset)
        }
    }

    private static func writeObject(_ o: JinjaObject, indent: Int?, level: Int, sortKeys: Bool, into out: inout String, at offset: Int, _ i: JinjaInterpreter) throws {
        if o.keys.isEmpty { out += "{}"; return }
        out += "{"
        let keys = sortKeys ? o.keys.sorted { Array($0.unicodeScalars.map(\.value)).lexicographicallyPrecedes(Array($1.unicodeScalars.map(\.value))) } : o.keys
        for (k, key) in keys.enumerated() {
            if k > 0 { out += indent == nil ? ", " : "," }
            if let indent { out += "\n" + String(repeating: " ", count: indent * (level + 1)) }
            out += quote(key) + ": "
            try write(o[key]!, indent: indent, level: level + 1, sortKeys: sortKeys, into: &out, at: offset, i)
        }
        if let indent { out += "\n" + String(repeating: " ", count: indent * level) }
        out += "}"
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if u.value < 0x20 { out += String(format: "\\u%04x", u.value) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
