import XCTest
@testable import ClinicalDocuments

/// Rules of `TextEncodingDetection`: each encoding is detected by a stated rule and recorded,
/// and files that are not text are refused with a reason.
final class EncodingTests: XCTestCase {
    let expected = "Pt: Zoë Müller"

    func testUTF8WithoutBOMIsRecordedAsUTF8() throws {
        let d = try TextEncodingDetection.decode(Array("Zoë".utf8), file: "a.txt")
        XCTAssertEqual(d.encoding, .utf8)
        XCTAssertEqual(d.text, "Zoë")
    }

    func testUTF8BOMIsRemovedAndRecorded() throws {
        let doc = try readOne(TestFiles.fixture("note_utf8bom.txt"))
        XCTAssertEqual(doc.encoding, .utf8BOM)
        XCTAssertTrue(doc.sections[0].text.hasPrefix(expected), doc.sections[0].text)
    }

    func testUTF16LittleEndianWithBOM() throws {
        let doc = try readOne(TestFiles.fixture("note_utf16le.txt"))
        XCTAssertEqual(doc.encoding, .utf16LE)
        XCTAssertTrue(doc.sections[0].text.hasPrefix(expected))
        XCTAssertEqual(doc.sections.titled("Diagnosis")?.text, "pneumonía.")
    }

    func testUTF16BigEndianWithBOM() throws {
        let doc = try readOne(TestFiles.fixture("note_utf16be.txt"))
        XCTAssertEqual(doc.encoding, .utf16BE)
        XCTAssertEqual(doc.sections.titled("Treatment")?.text, "amoxicilina 500 mg.")
    }

    func testInvalidUTF8IsReadAsLatin1AndSaysSo() throws {
        let doc = try readOne(TestFiles.fixture("note_latin1.txt"))
        XCTAssertEqual(doc.encoding, .latin1)
        XCTAssertTrue(doc.sections[0].text.hasPrefix(expected))
    }

    func testWindows1252PunctuationIsDetectedAsWindows1252() throws {
        let doc = try readOne(TestFiles.fixture("note_cp1252.txt"))
        XCTAssertEqual(doc.encoding, .windows1252)
        XCTAssertEqual(doc.sections.titled("Diagnosis")?.text, "\u{201C}viral\u{201D} illness \u{2013} resolved.")
    }

    func testByteUndefinedInWindows1252IsAWrongEncoding() {
        XCTAssertThrowsError(try TextEncodingDetection.decode([0x41, 0x81, 0x42], file: "x.txt")) { e in
            guard case .wrongEncoding = (e as? DocumentError)?.problem else { return XCTFail("\(e)") }
            XCTAssertEqual((e as? DocumentError)?.place, .byteOffset(1))
        }
    }

    func testUTF16BOMWithOddLengthIsAWrongEncoding() {
        XCTAssertThrowsError(try TextEncodingDetection.decode([0xFF, 0xFE, 0x41, 0x00, 0x42], file: "x.txt")) { e in
            guard case .wrongEncoding(let d) = (e as? DocumentError)?.problem else { return XCTFail("\(e)") }
            XCTAssertTrue(d.contains("odd number of bytes"))
        }
    }

    func testUTF16WithUnpairedSurrogateIsAWrongEncoding() {
        // BOM, then a lone high surrogate D800 followed by 'A'.
        XCTAssertThrowsError(try TextEncodingDetection.decode([0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00], file: "x.txt")) { e in
            guard case .wrongEncoding = (e as? DocumentError)?.problem else { return XCTFail("\(e)") }
        }
    }

    func testUTF8BOMFollowedByInvalidBytesIsAWrongEncodingNotLatin1() {
        XCTAssertThrowsError(try TextEncodingDetection.decode([0xEF, 0xBB, 0xBF, 0x41, 0xE9, 0x42], file: "x.txt")) { e in
            guard case .wrongEncoding = (e as? DocumentError)?.problem else { return XCTFail("\(e)") }
            XCTAssertEqual((e as? DocumentError)?.place, .byteOffset(4))
        }
    }

    func testUTF32BOMIsRefusedByName() {
        XCTAssertThrowsError(try TextEncodingDetection.decode([0xFF, 0xFE, 0, 0, 0x41, 0, 0, 0], file: "x.txt")) { e in
            guard case .wrongEncoding(let d) = (e as? DocumentError)?.problem else { return XCTFail("\(e)") }
            XCTAssertTrue(d.contains("UTF-32"))
        }
    }

    func testBinaryJunkIsRefusedNamingTheNULByte() throws {
        let e = try readFailure(TestFiles.fixture("junk.bin"))
        guard case .binary(let detail) = e.problem else { return XCTFail("\(e)") }
        XCTAssertEqual(e.place, .byteOffset(13))
        XCTAssertTrue(detail.contains("NUL"))
        XCTAssertTrue(e.description.hasPrefix("junk.bin: byte 13:"), e.description)
    }

    func testControlCharactersWithoutNULAreRefusedAsBinary() {
        XCTAssertThrowsError(try TextEncodingDetection.decode(Array("Dx: ok\u{1B}[31m".utf8), file: "x.txt")) { e in
            guard case .binary(let d) = (e as? DocumentError)?.problem else { return XCTFail("\(e)") }
            XCTAssertTrue(d.contains("U+001B"), d)
        }
    }

    func testTrailingDOSEndOfFileMarkIsDropped() throws {
        let d = try TextEncodingDetection.decode(Array("Dx: flu\n".utf8) + [0x1A], file: "x.txt")
        XCTAssertEqual(d.text, "Dx: flu\n")
    }

    func testEmptyFileIsRefused() throws {
        let e = try readFailure(TestFiles.fixture("empty.txt"))
        XCTAssertEqual(e.problem, .empty)
        XCTAssertEqual(e.file, "empty.txt")
    }

    func testFileOfByteOrderMarksOnlyIsEmpty() {
        // Found by fuzz-text: FE FF FE FF (a UTF-16 BOM, then U+FEFF) once came out as a document without text.
        XCTAssertThrowsError(try TextEncodingDetection.decode([0xFE, 0xFF, 0xFE, 0xFF], file: "x.txt")) { e in
            XCTAssertEqual((e as? DocumentError)?.problem, .empty)
        }
    }

    func testBlankFileIsRefusedAsEmpty() throws {
        XCTAssertEqual(try readFailure(TestFiles.fixture("blank.txt")).problem, .empty)
    }
}
