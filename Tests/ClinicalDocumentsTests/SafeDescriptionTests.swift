import XCTest
@testable import ClinicalDocuments

/// `safeDescription` (logs, jobs table, audit) keeps the kind and the place and drops the file's
/// name and anything quoted from the file; `description` (the error file) keeps both.
final class SafeDescriptionTests: XCTestCase {
    let marker = "MRN123456"

    private func firstError(_ text: String, file: String) -> DocumentError? {
        for r in ClinicalDocumentReader.read(bytes: Array(text.utf8), fileName: file, folderName: nil, limits: DocumentLimits()) {
            if case .failure(let e) = r { return e }
        }
        return nil
    }

    func testAMalformedHL7MessageIsDescribedByKindAndPlaceOnly() throws {
        let text = "MSH|^~\\&|EPIC|GEN|QUILL|GEN|20250131081502||ORU^R01|MSG1|P|2.5\rPID|1||\(marker)^^^GEN^MR||SMITH^JOHN\n\(marker) SMITH said the pain began after the fall\n"
        let e = try XCTUnwrap(firstError(text, file: "SMITH_\(marker).hl7"))
        XCTAssertTrue(e.description.contains("SMITH_\(marker).hl7"), e.description)
        XCTAssertTrue(e.description.contains("'\(marker) SM'"), "the full reason quotes the stray line: \(e.description)")
        XCTAssertEqual(e.safeDescription, "hl7_malformed at message 1, segment PID, line 3")
    }

    func testAnXMLRootElementFromTheFileIsNotRepeated() throws {
        let e = try XCTUnwrap(firstError("<?xml version=\"1.0\"?>\n<\(marker)_SMITH><p>x</p></\(marker)_SMITH>\n", file: "a.xml"))
        XCTAssertTrue(e.description.contains(marker))
        XCTAssertEqual(e.kind, "not_cda")
        XCTAssertFalse(e.safeDescription.contains(marker), e.safeDescription)
    }

    func testPlacesDropNamesThatCameFromTheFile() {
        XCTAssertEqual(DocumentError.Place.hl7(message: 2, segment: "OBX", field: 5, line: 9).safeDescription, "message 2, segment OBX-5, line 9")
        XCTAssertEqual(DocumentError.Place.hl7(message: 1, segment: "smith", field: nil, line: 1).safeDescription, "message 1, segment ?, line 1")
        XCTAssertEqual(DocumentError.Place.xml(line: 4, element: "\(marker)").safeDescription, "line 4")
        XCTAssertEqual(DocumentError(file: "x", problem: .tooLarge(bytes: 10, limit: 5)).safeDescription, "too_large (10 bytes, limit 5) at whole file")
    }
}
