import XCTest
@testable import ClinicalDocuments

/// Limits come from the operator's config: the largest value an integer holds means "no limit", never a trap.
final class LimitExtremesTests: XCTestCase {
    func testTheLargestLimitsReadAFile() throws {
        let limits = DocumentLimits(maxFileBytes: Int.max, maxTextCharacters: Int.max, maxMessagesPerFile: Int.max)
        let doc = try readOne(try TestFiles.fixture("sectioned_note.txt"), limits: limits)
        XCTAssertFalse(doc.sections.isEmpty)
        XCTAssertEqual(try readOne(try TestFiles.fixture("mdm_t02_cr.hl7"), limits: limits).sourceFormat, .hl7v2)
    }
}
