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

    /// Records and code points of every field as Python's csv module (another RFC 4180 reader) reads the committed
    /// files: a field split in the wrong place, or a doubled quote left doubled, changes the count.
    func testTheCommittedSetFilesReadAsPythonsCSVModuleReadsThem() throws {
        let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Data/samples")
        let expected: [(String, Int, Int)] = [
            ("MTS-Dialog/Main-Dataset/MTS-Dialog-ValidationSet.csv", 101, 73245),
            ("MTS-Dialog/Main-Dataset/MTS-Dialog-TestSet-1-MEDIQA-Chat-2023.csv", 201, 161189),
            ("aci-bench/data/challenge_data/valid.csv", 21, 177078),
            ("aci-bench/data/challenge_data/clinicalnlp_taskB_test1.csv", 41, 349359),
            ("aci-bench/data/challenge_data/clinicalnlp_taskC_test2.csv", 41, 385310),
        ]
        for (path, records, codePoints) in expected {
            let t = try CSVTable.load(samples.appendingPathComponent(path))
            XCTAssertEqual(t.rows.count + 1, records, path)
            let fields = [t.header] + t.rows.map(\.fields)
            XCTAssertEqual(fields.joined().reduce(0) { $0 + $1.unicodeScalars.count }, codePoints, path)
        }
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
