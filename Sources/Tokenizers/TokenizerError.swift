import Foundation

/// Why a tokenizer or chat template could not be loaded or used. Each case names the file and the place in it
/// (a JSON key path, or a template line and column) so the fix is obvious without reading the code.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// A file could not be read at all.
    case unreadable(file: String, reason: String)
    /// The file is not valid JSON, or a key holds the wrong kind of value.
    case malformed(file: String, key: String, reason: String)
    /// The file asks for a component or option this implementation does not have.
    case unsupported(file: String, key: String, what: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "cannot read \(file): \(reason)"
        case let .malformed(file, key, reason):
            return "\(file): \(key): \(reason)"
        case let .unsupported(file, key, what):
            return "\(file): \(key): unsupported \(what)"
        }
    }
}

/// Why a chat template could not be parsed or rendered, with the template's line and column.
public struct ChatTemplateError: Error, CustomStringConvertible, Equatable {
    public enum Kind: Equatable {
        /// A syntax error while reading the template.
        case syntax
        /// A Jinja construct (tag, filter, test, method) outside the supported subset.
        case unsupported
        /// The template failed while rendering (bad operand types, unknown variable used as a call, ...).
        case runtime
        /// The template itself called `raise_exception(message)`.
        case raised
    }
    public var kind: Kind
    public var message: String
    public var line: Int
    public var column: Int
    /// Where the template came from (a file path, or "override").
    public var source: String

    public init(_ kind: Kind, _ message: String, line: Int, column: Int, source: String = "template") {
        self.kind = kind
        self.message = message
        self.line = line
        self.column = column
        self.source = source
    }

    public var description: String {
        let what: String
        switch kind {
        case .syntax: what = "syntax error"
        case .unsupported: what = "unsupported construct"
        case .runtime: what = "error"
        case .raised: what = "template raised"
        }
        return "\(source):\(line):\(column): \(what): \(message)"
    }
}
