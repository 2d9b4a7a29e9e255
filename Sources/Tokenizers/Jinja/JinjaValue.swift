import Foundation

/// A value inside the template interpreter, with Python's semantics where Jinja inherits them (truthiness,
/// equality, `str()` when printed) because transformers renders templates with Python's jinja2.
indirect enum JinjaValue {
    /// A missing variable or key; printing it gives "", iterating it gives nothing, most other uses fail.
    case undefined(String)
    case none
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JinjaValue])
    /// A dict with Python's insertion order.
    case object(JinjaObject)
    /// `namespace(...)`: the one mutable object templates can write to with `set ns.attr = value`.
    case namespace(JinjaNamespace)
    /// A built-in function (`raise_exception`, `namespace`, `range`, …) or a bound method.
    case function(JinjaFunction)

    var isUndefined: Bool { if case .undefined = self { return true } else { return false } }
    var isNone: Bool { if case .none = self { return true } else { return false } }

    /// Python truthiness.
    var truthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.keys.isEmpty
        case .namespace, .function: return true
        }
    }

    var typeName: String {
        switch self {
        case .undefined: return "undefined"
        case .none: return "None"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .array: return "list"
        case .object: return "dict"
        case .namespace: return "namespace"
        case .function: return "function"
        }
    }

    /// What `{{ value }}` prints: Python's `str()`.
    var printed: String {
        switch self {
        case .undefined: return ""
        case .string(let s): return s
        default: return repr
        }
    }

    /// Python's `repr()`, which is what lists and dicts print their items with.
    var repr: String {
        switch self {
        case .undefined: return ""
        case .none: return "None"
        case .bool(let b): return b ? "True" : "False"
        case .int(let i): return String(i)
        case .double(let d): return pythonFloat(d)
        case .string(let s): return pythonStringRepr(s)
        case .array(let a): return "[" + a.map(\.repr).joined(separator: ", ") + "]"
        case .object(let o): return "{" + o.keys.map { "\(pythonStringRepr($0)): \(o.values[$0]!.repr)" }.joined(separator: ", ") + "}"
        case .namespace: return "<Namespace>"
        case .function(let f): return "<function \(f.name)>"
        }
    }
}

/// An insertion-ordered dictionary, as Python's dict.
struct JinjaObject {
    var keys: [String] = []
    var values: [String: JinjaValue] = [:]

    init() {}

    init(_ pairs: [(String, JinjaValue)]) {
        for (k, v) in pairs { self[k] = v }
    }

    subscript(key: String) -> JinjaValue? {
        get { values[key] }
        set {
            if values[key] == nil, newValue != nil { keys.append(key) }
            if newValue == nil { keys.removeAll { $0 == key } }
            values[key] = newValue
        }
    }
}

final class JinjaNamespace {
    var attributes: JinjaObject
    init(_ attributes: JinjaObject) { self.attributes = attributes }
}

struct JinjaFunction {
    var name: String
    var call: (_ positional: [JinjaValue], _ keywords: [(String, JinjaValue)]) throws -> JinjaValue
}

/// Python equality: numbers compare by value across int/float/bool, containers element-wise.
func jinjaEqual(_ a: JinjaValue, _ b: JinjaValue) -> Bool {
    switch (a, b) {
    case (.none, .none): return true
    case (.undefined, .undefined): return true
    case (.string(let x), .string(let y)): return x == y
    case (.array(let x), .array(let y)): return x.count == y.count && zip(x, y).allSatisfy { jinjaEqual($0, $1) }
    case (.object(let x), .object(let y)):
        return x.keys.count == y.keys.count && x.keys.allSatisfy { k in y[k].map { jinjaEqual(x[k]!, $0) } ?? false }
    case (.namespace(let x), .namespace(let y)): return x === y
    default:
        if let x = a.number, let y = b.number { return x == y }
        return false
    }
}

extension JinjaValue {
    /// The numeric value of bools, ints and floats (Python treats bool as an int).
    var number: Double? {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    var integer: Int? {
        switch self {
        case .bool(let b): return b ? 1 : 0
        case .int(let i): return i
        default: return nil
        }
    }
}

/// Python's `repr(float)`: shortest round-trip digits, always with a decimal point or exponent.
func pythonFloat(_ d: Double) -> String {
    if d.isNaN { return "nan" }
    if d.isInfinite { return d < 0 ? "-inf" : "inf" }
    if d == d.rounded(), abs(d) < 1e16 { return String(format: "%.1f", d) }
    var s = "\(d)"
    // Swift writes 1e-05 as "1e-05"; Python too. Swift writes 1.5e+20 as "1.5e+20"; Python the same.
    if s.hasSuffix(".0") { s.removeLast(2) }
    return s
}

/// Python's `repr(str)`: single quotes unless the string holds a single quote and no double quote.
func pythonStringRepr(_ s: String) -> String {
    let quote: Character = s.contains("'") && !s.contains("\"") ? "\"" : "'"
    var out = String(quote)
    for u in s.unicodeScalars {
        switch u {
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if Character(u) == quote { out += "\\" + String(quote) }
            else if u.value < 0x20 || u.value == 0x7F { out += String(format: "\\x%02x", u.value) }
            else { out.unicodeScalars.append(u) }
        }
    }
    out.append(quote)
    return out
}
