import Foundation

/// A CSV file as RFC 4180 defines it, the form the public evaluation sets come in: a header record, then records
/// of as many fields; fields separated by commas, records by line breaks (CRLF or LF; a lone CR too); a field in
/// double quotes may hold commas, line breaks and quotes written twice (`""`). Anything else is refused with the
/// file, the row and the line it starts on, never read past: a stray quote in a transcript would otherwise shift
/// every later field and score the wrong reference against the wrong output.
public struct CSVTable: Sendable {
    public struct Row: Sendable, Equatable {
        /// Counted as a spreadsheet does: the header is row 1, the first record row 2.
        public let number: Int
        /// The line of the file the row starts on (a quoted field can span several).
        public let line: Int
        public let fields: [String]
    }

    public let file: String
    public let header: [String]
    public let rows: [Row]

    /// Reads a UTF-8 file (a byte-order mark is dropped).
    public static func load(_ url: URL) throws -> CSVTable {
        let name = url.lastPathComponent
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CSVError(file: name, row: nil, line: nil, reason: "cannot be read (\((error as NSError).localizedDescription))")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw CSVError(file: name, row: nil, line: nil, reason: "is not UTF-8 text")
        }
        return try parse(text, file: name)
    }

    public static func parse(_ text: String, file: String) throws -> CSVTable {
        var splitter = CSVRecords(text: text, file: file)
        var records = try splitter.all()
        // One line break after the last record is the usual end of a file; blank lines after it are dropped too,
        // but a blank line between records is a short row like any other.
        while let last = records.last, last.fields == [""] { records.removeLast() }
        guard let header = records.first else { throw CSVError(file: file, row: nil, line: nil, reason: "holds no header row") }
        var seen = Set<String>()
        for name in header.fields where !seen.insert(name).inserted {
            throw CSVError(file: file, row: 1, line: 1, reason: "the header names column \"\(name)\" twice")
        }
        for r in records.dropFirst() where r.fields.count != header.fields.count {
            throw CSVError(file: file, row: r.number, line: r.line,
                           reason: "has \(r.fields.count) field\(r.fields.count == 1 ? "" : "s") where the header has \(header.fields.count)")
        }
        return CSVTable(file: file, header: header.fields, rows: Array(records.dropFirst()))
    }

    /// The index of a column the header must have.
    public func column(_ name: String) throws -> Int {
        guard let i = header.firstIndex(of: name) else {
            throw CSVError(file: file, row: 1, line: 1, reason: "has no column \"\(name)\" (columns: \(header.joined(separator: ", ")))")
        }
        return i
    }

    /// An error about one row's content, in the same words as a parse error.
    public func error(_ row: Row, _ reason: String) -> CSVError {
        CSVError(file: file, row: row.number, line: row.line, reason: reason)
    }
}

/// Why a CSV file was refused: the file, and the row and line where that is known.
public struct CSVError: Error, CustomStringConvertible, Equatable {
    public let file: String
    public let row: Int?
    public let line: Int?
    public let reason: String

    public var description: String {
        var place = file
        if let row { place += ", row \(row)" }
        if let line { place += " (line \(line))" }
        return "\(place): \(reason)"
    }
}

/// The record-splitting state machine over the text's Unicode scalars (so that CR LF is two scalars, not one
/// Character as Swift's String sees it).
struct CSVRecords {
    let scalars: [Unicode.Scalar]
    let file: String
    var i = 0, line = 1

    init(text: String, file: String) {
        var s = Array(text.unicodeScalars)
        if s.first == "\u{FEFF}" { s.removeFirst() }
        scalars = s; self.file = file
    }

    mutating func all() throws -> [CSVTable.Row] {
        var rows: [CSVTable.Row] = []
        while i < scalars.count {
            let start = line
            rows.append(CSVTable.Row(number: rows.count + 1, line: start, fields: try record(number: rows.count + 1, startLine: start)))
        }
        return rows
    }

    /// One record, consuming its line break.
    mutating func record(number: Int, startLine: Int) throws -> [String] {
        var fields: [String] = []
        while true {
            fields.append(try field(row: number, startLine: startLine))
            guard i < scalars.count else { return fields }
            let c = scalars[i]
            if c == "," { i += 1; continue }
            // A field ends only at a comma, a line break or the end of the text.
            consumeLineBreak()
            return fields
        }
    }

    /// One field, up to (not including) the comma or line break after it.
    mutating func field(row: Int, startLine: Int) throws -> String {
        var out = String.UnicodeScalarView()
        guard i < scalars.count, scalars[i] == "\"" else {
            while i < scalars.count, scalars[i] != ",", scalars[i] != "\n", scalars[i] != "\r" {
                if scalars[i] == "\"" {
                    throw CSVError(file: file, row: row, line: line, reason: "has a quote inside a field that does not start with one (RFC 4180: quote the whole field and write the quote twice)")
                }
                out.append(scalars[i]); i += 1
            }
            return String(out)
        }
        let openedOn = line
        i += 1
        while true {
            guard i < scalars.count else {
                throw CSVError(file: file, row: row, line: startLine, reason: "has a quoted field, opened on line \(openedOn), that is never closed")
            }
            let c = scalars[i]
            if c == "\"" {
                if i + 1 < scalars.count, scalars[i + 1] == "\"" { out.append("\""); i += 2; continue }
                i += 1
                if i < scalars.count, scalars[i] != ",", scalars[i] != "\n", scalars[i] != "\r" {
                    throw CSVError(file: file, row: row, line: line, reason: "has text after a quoted field's closing quote (a quote inside a quoted field is written twice)")
                }
                return String(out)
            }
            if c == "\n" || (c == "\r" && !(i + 1 < scalars.count && scalars[i + 1] == "\n")) { line += 1 }
            out.append(c); i += 1
        }
    }

    mutating func consumeLineBreak() {
        if scalars[i] == "\r" { i += 1; if i < scalars.count, scalars[i] == "\n" { i += 1 } } else { i += 1 }
        line += 1
    }
}
