import Foundation
import XCTest
@testable import ClinicalDocuments

/// Where the test inputs live: hand-written fixtures next to the tests, and the public sample
/// corpus committed in `Tests/Data/samples` (see Tests/Data/SOURCES.md). A missing sample is a failure, not a skip.
enum TestFiles {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let repositoryRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
    static let samplesRoot = repositoryRoot.appendingPathComponent("Tests/Data/samples")

    struct Missing: Error, CustomStringConvertible {
        let path: String
        var description: String { "test input missing: \(path) (the public samples are committed in Tests/Data/samples; tools/test-data/refresh.sh copies them from their sources)" }
    }

    static func fixture(_ name: String) throws -> URL {
        let url = testsDirectory.appendingPathComponent("Fixtures").appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(path: url.path) }
        return url
    }

    static func sample(_ relative: String) throws -> URL {
        let url = samplesRoot.appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: url.path) else { throw Missing(path: url.path) }
        return url
    }

    static func bytes(_ url: URL) throws -> [UInt8] { [UInt8](try Data(contentsOf: url)) }
}

/// Reads a fixture or sample through the public entry point and insists on exactly one document.
func readOne(_ url: URL, limits: DocumentLimits = DocumentLimits(), file: StaticString = #filePath, line: UInt = #line) throws -> ClinicalDocument {
    let reading = readClinicalFile(at: url, limits: limits)
    XCTAssertEqual(reading.results.count, 1, "expected one document from \(url.lastPathComponent)", file: file, line: line)
    return try reading.results[0].get()
}

/// Reads a file that must fail and returns its single error.
func readFailure(_ url: URL, limits: DocumentLimits = DocumentLimits(), file: StaticString = #filePath, line: UInt = #line) throws -> DocumentError {
    let reading = readClinicalFile(at: url, limits: limits)
    XCTAssertEqual(reading.results.count, 1, file: file, line: line)
    guard case .failure(let e) = reading.results[0] else {
        XCTFail("\(url.lastPathComponent) was read, but should have been refused", file: file, line: line)
        throw TestFiles.Missing(path: "expected failure")
    }
    return e
}

/// Minimal RFC 4180 CSV reader for the dialogue data sets (quoted fields with doubled quotes and newlines).
func csvRows(_ text: String) -> [[String]] {
    var rows: [[String]] = [], row: [String] = [], field = ""
    var quoted = false
    var chars = text.makeIterator()
    var pending: Character? = nil
    while let c = pending ?? chars.next() {
        pending = nil
        if quoted {
            if c == "\"" {
                if let n = chars.next() { if n == "\"" { field.append("\"") } else { quoted = false; pending = n } } else { quoted = false }
            } else { field.append(c) }
        } else {
            switch c {
            case "\"": quoted = true
            case ",": row.append(field); field = ""
            case "\n", "\r\n": row.append(field); rows.append(row); row = []; field = ""
            default: field.append(c)
            }
        }
    }
    if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
    return rows
}

extension Array where Element == Section {
    func titled(_ title: String) -> Section? { first { $0.title == title } }
    func coded(_ code: String) -> Section? { first { $0.code == code } }
}
