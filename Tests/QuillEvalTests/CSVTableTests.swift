import Foundation
import QuillEval
import XCTest

/// The RFC 4180 reader the public sets are read with: what a quoted field may hold, and a refusal that names the
/// file, the row and the line for each way a file can be broken.
final class CSVTableTests: XCTestCase {
    func testQuotedFieldsHoldCommasQuotesAndLineBreaks() throws {
        let text = "\u{FEFF}id,dialogue,note\r\n"
            + "1,\"Doctor: Hi, how are you?\nPatient: Fine.\",\"He said \"\"no\"\".\"\r\n"
            + "2,,\"line one\r\nline two\"\r\n"
            + "3,  spaces are kept  ,\"\"\n"
            + "4,\"\",last record without a line break"
        let t = try CSVTable.parse(text, file: "crafted.csv")
        XCTAssertEqual(t.header, ["id", "dialogue", "note"])
        XCTAssertEqual(t.rows.map(\.fields), [
            ["1", "Doctor: Hi, how are you?\nPatient: Fine.", "He said \"no\"."],
            ["2", "", "line one\r\nline two"],
            ["3", "  spaces are kept  ", ""],
            ["4", "", "last record without a line break"],
        ])
        // Rows as a spreadsheet numbers them, and the line each starts on.
        XCTAssertEqual(t.rows.map(\.number), [2, 3, 4, 5])
        XCTAssertEqual(t.rows.map(\.line), [2, 4, 6, 7])
        XCTAssertEqual(try t.column("note"), 2)
    }

    func testTrailingBlankLinesEndTheFile() throws {
        let t = try CSVTable.parse("a,b\n1,2\n\n\n", file: "t.csv")
        XCTAssertEqual(t.rows.map(\.fields), [["1", "2"]])
    }

    func testEachBrokenFileIsRefusedNamingFileRowAndLine() {
        let cases: [(String, String)] = [
            ("id,text\n1,\"fine\"\n2,\"never closed\n3,x\n", "broken.csv, row 3 (line 3): has a quoted field, opened on line 3, that is never closed"),
            ("id,text\n1,say \"hi\"\n", "broken.csv, row 2 (line 2): has a quote inside a field that does not start with one"),
            ("id,text\n1,\"closed\" then more\n", "broken.csv, row 2 (line 2): has text after a quoted field's closing quote"),
            ("id,text\n1,\"two\nlines\"\n2,a,b\n", "broken.csv, row 3 (line 4): has 3 fields where the header has 2"),
            ("id,text\n1,a\n\n2,b\n", "broken.csv, row 3 (line 3): has 1 field where the header has 2"),
            ("id,id\n1,2\n", "broken.csv, row 1 (line 1): the header names column \"id\" twice"),
            ("\n\n", "broken.csv: holds no header row"),
        ]
        for (text, expected) in cases {
            XCTAssertThrowsError(try CSVTable.parse(text, file: "broken.csv"), expected) { error in
                XCTAssertTrue("\(error)".hasPrefix(expected), "\(error)\nexpected: \(expected)")
            }
        }
    }

    func testAMissingColumnIsNamed() throws {
        let t = try CSVTable.parse("ID,dialogue\n1,x\n", file: "mts.csv")
        XCTAssertThrowsError(try t.column("section_text")) { error in
            XCTAssertEqual("\(error)", "mts.csv, row 1 (line 1): has no column \"section_text\" (columns: ID, dialogue)")
        }
    }

    func testAFileThatIsNotUTF8IsNamed() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("latin1-\(UUID().uuidString).csv")
        try Data([0x61, 0x2C, 0x62, 0x0A, 0xE9, 0x2C, 0x31, 0x0A]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertThrowsError(try CSVTable.load(url)) { error in
            XCTAssertEqual("\(error)", "\(url.lastPathComponent): is not UTF-8 text")
        }
    }
}
