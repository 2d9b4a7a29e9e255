import XCTest
@testable import Tokenizers

final class TokenizersSkeletonTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(TokenizersModule.self) }
}
