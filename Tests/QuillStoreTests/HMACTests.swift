import QuillStore
import XCTest

final class HMACTests: XCTestCase {
    private func bytes(_ hex: String) -> [UInt8] { Hex.decode(hex)! }

    /// RFC 4231, section 4 (test case 5 truncates the output and is left out).
    func testMatchesTheRFC4231Vectors() {
        XCTAssertEqual(HMACSHA256.hex(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)),
                       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        XCTAssertEqual(HMACSHA256.hex(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)),
                       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        XCTAssertEqual(HMACSHA256.hex(key: [UInt8](repeating: 0xaa, count: 20), message: [UInt8](repeating: 0xdd, count: 50)),
                       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe")
        XCTAssertEqual(HMACSHA256.hex(key: Array(1...25 as ClosedRange<UInt8>), message: [UInt8](repeating: 0xcd, count: 50)),
                       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b")
        XCTAssertEqual(HMACSHA256.hex(key: [UInt8](repeating: 0xaa, count: 131),
                                      message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)),
                       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
        let long = "This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."
        XCTAssertEqual(HMACSHA256.hex(key: [UInt8](repeating: 0xaa, count: 131), message: Array(long.utf8)),
                       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2")
    }

    /// Keys and messages around the 64-byte block, against Python's hmac module (HMACFixtures.swift).
    func testMatchesPythonsHMACAroundTheBlockSize() {
        func pattern(_ n: Int, _ seed: Int) -> [UInt8] { (0..<n).map { UInt8((($0 * 131) + seed * 17 + 7) % 256) } }
        XCTAssertEqual(hmacReferenceVectors.count, 80)
        for v in hmacReferenceVectors {
            XCTAssertEqual(HMACSHA256.hex(key: pattern(v.key, 1), message: pattern(v.message, 2)), v.mac, "key \(v.key) bytes, message \(v.message) bytes")
        }
    }

    func testHexRoundTripsAndRejectsWhatIsNotHex() {
        XCTAssertEqual(Hex.decode("00ff10Ab"), [0, 255, 16, 171])
        XCTAssertEqual(Hex.encode([0, 255, 16, 171]), "00ff10ab")
        XCTAssertNil(Hex.decode("abc"))
        XCTAssertNil(Hex.decode("zz"))
    }
}
