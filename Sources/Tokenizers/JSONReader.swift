import Foundation

/// A parsed JSON value with the file and key path it came from, so that every type mismatch becomes a
/// `TokenizerError` that names the exact place (`tokenizer.json: model.merges[3]: expected a string`).
struct JSONNode {
    let value: Any?
    let file: String
    let path: String

    static func load(_ url: URL) throws -> JSONNode {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw TokenizerError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try parse(data, file: url.path)
    }

    static func parse(_ data: Data, file: String) throws -> JSONNode {
        do {
            return JSONNode(value: try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]),
                            file: file, path: "")
        } catch {
            throw TokenizerError.malformed(file: file, key: "(top level)", reason: "not valid JSON: \(error.localizedDescription)")
        }
    }

    var isNull: Bool { value == nil || value is NSNull }

    subscript(key: String) -> JSONNode {
        let child = (value as? [String: Any])?[key]
        return JSONNode(value: child, file: file, path: path.isEmpty ? key : "\(path).\(key)")
    }

    func fail(_ reason: String) -> TokenizerError {
        .malformed(file: file, key: path.isEmpty ? "(top level)" : path, reason: reason)
    }

    func unsupported(_ what: String) -> TokenizerError {
        .unsupported(file: file, key: path.isEmpty ? "(top level)" : path, what: what)
    }

    func string() throws -> String {
        guard let s = value as? String else { throw fail("expected a string") }
        return s
    }

    func optionalString() throws -> String? { isNull ? nil : try string() }

    func bool(default fallback: Bool) throws -> Bool {
        if isNull { return fallback }
        if let b = value as? Bool { return b }
        throw fail("expected true or false")
    }

    func int() throws -> Int {
        if let n = value as? Int { return n }
        // Only whole numbers that fit: intValue would silently truncate 3.5 or clamp 1e30.
        if let n = value as? NSNumber, let exact = Int(exactly: n.doubleValue) { return exact }
        throw fail("expected an integer")
    }

    func optionalInt() throws -> Int? { isNull ? nil : try int() }

    /// The largest token id accepted. Ids are held as Int32 and index tables sized by the largest id, so a
    /// hostile file must neither trap a conversion nor ask for a table of billions of entries; real
    /// vocabularies stay under a million.
    static let maximumTokenId = (1 << 24) - 1

    func tokenId() throws -> Int {
        let n = try int()
        guard n >= 0, n <= Self.maximumTokenId else { throw fail("token id \(n) is outside 0...\(Self.maximumTokenId)") }
        return n
    }

    func array() throws -> [JSONNode] {
        guard let items = value as? [Any] else { throw fail("expected an array") }
        return items.enumerated().map { JSONNode(value: $1, file: file, path: "\(path)[\($0)]") }
    }

    func object() throws -> [String: JSONNode] {
        guard let dict = value as? [String: Any] else { throw fail("expected an object") }
        var out: [String: JSONNode] = [:]
        for (k, v) in dict { out[k] = JSONNode(value: v, file: file, path: path.isEmpty ? k : "\(path).\(k)") }
        return out
    }

    var isObject: Bool { value is [String: Any] }
    var rawObject: [String: Any]? { value as? [String: Any] }
}
