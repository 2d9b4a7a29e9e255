import Foundation
import XCTest

/// `quill audit init-key` and `quill audit verify` with the key, through the built executable.
final class AuditCommandTests: XCTestCase {
    var quill: URL {
        let bundle = Bundle(for: AuditCommandTests.self).bundleURL
        let beside = bundle.appendingPathComponent("quill")
        return FileManager.default.isExecutableFile(atPath: beside.path) ? beside : bundle.deletingLastPathComponent().appendingPathComponent("quill")
    }

    private func run(_ args: [String], env: [String: String] = [:]) throws -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = quill
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testInitKeyMakesAPrivateKeyOnceAndVerifyUsesItFromTheCredentialsDirectory() throws {
        let dir = NSTemporaryDirectory() + "quill-audit-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir + "/creds", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let key = dir + "/creds/quill-audit-key"
        let made = try run(["audit", "init-key", "--out", key])
        XCTAssertEqual(made.status, 0, made.out)
        XCTAssertEqual((try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let again = try run(["audit", "init-key", "--out", key])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.out.contains("already exists"), again.out)

        // An empty state root: nothing to verify yet, with or without the key.
        let state = dir + "/state"
        let plain = try run(["audit", "verify", "--state", state])
        XCTAssertEqual(plain.status, 0, plain.out)
        XCTAssertTrue(plain.out.contains("no audit key given"), plain.out)
        let keyed = try run(["audit", "verify", "--state", state], env: ["CREDENTIALS_DIRECTORY": dir + "/creds"])
        XCTAssertEqual(keyed.status, 0, keyed.out)
        XCTAssertTrue(keyed.out.contains("keyed with key"), keyed.out)
    }
}
