import XCTest
@testable import ClinicalDocuments

final class ClinicalDocumentsSkeletonTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(ClinicalDocumentsModule.self) }
}
