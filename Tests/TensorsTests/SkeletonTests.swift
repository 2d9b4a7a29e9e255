import XCTest
@testable import Tensors

final class TensorsSkeletonTests: XCTestCase {
    func testModuleLinks() { XCTAssertNotNil(TensorsModule.self) }
}
