import XCTest
@testable import LLM

final class LLMSkeletonTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(LLMModule.self) }
}
