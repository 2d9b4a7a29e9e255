import Foundation
import QuillPipeline
import XCTest

/// `model.path` may name one `.gguf` file: the fingerprint is that file alone (`sha256sum FILE | sha256sum`, run
/// in its folder), never its neighbours.
final class GGUFFingerprintTests: XCTestCase {
    func testASingleModelFileIsFingerprintedAlone() throws {
        let folder = NSTemporaryDirectory() + "quill-gguf-print-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("GGUF-bytes".utf8).write(to: URL(fileURLWithPath: folder + "/model.gguf"))
        try Data("another model".utf8).write(to: URL(fileURLWithPath: folder + "/other.gguf"))
        let print = try ModelFingerprint.of(folder: folder + "/model.gguf", include: ModelFingerprint.isModelFile, cache: nil)
        XCTAssertEqual(print.files.map(\.name), ["model.gguf"])
        XCTAssertEqual(print.folder, folder)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "cd '\(folder)' && sha256sum model.gguf | sha256sum"]
        let out = Pipe()
        p.standardOutput = out
        try p.run(); p.waitUntilExit()
        let expected = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: " ").first.map(String.init)
        XCTAssertEqual(print.sha256, expected)
        try print.checkUnchanged()
    }
}
