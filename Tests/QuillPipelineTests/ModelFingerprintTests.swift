import Foundation
import QuillPipeline
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Which weights wrote a document: the fingerprint an operator can recompute with coreutils, and a cache
/// that saves re-reading the weights at every start without hiding a changed file.
final class ModelFingerprintTests: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "quill-fingerprint-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder + "/model", withIntermediateDirectories: true)
        // A small model-shaped folder: files loading reads, and one it does not.
        try Data("{\"model_type\":\"qwen2\"}".utf8).write(to: URL(fileURLWithPath: folder + "/model/config.json"))
        try Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: folder + "/model/model.safetensors"))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: folder + "/model/tokenizer.json"))
        try Data("{}".utf8).write(to: URL(fileURLWithPath: folder + "/model/tokenizer_config.json"))
        try Data("notes".utf8).write(to: URL(fileURLWithPath: folder + "/model/README.md"))
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    func coreutilsDigest() throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "cd '\(folder)/model' && sha256sum config.json model.safetensors tokenizer.json tokenizer_config.json | sha256sum"]
        let out = Pipe()
        p.standardOutput = out
        try p.run(); p.waitUntilExit()
        return String(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64))
    }

    func testTheFingerprintIsWhatSha256sumGivesOverTheFilesLoadingReads() throws {
        let fingerprint = try ModelFingerprint.of(folder: folder + "/model", include: ModelFingerprint.isModelFile, cache: nil)
        XCTAssertEqual(fingerprint.files.map(\.name), ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"])
        XCTAssertEqual(fingerprint.sha256, try coreutilsDigest())
        XCTAssertNoThrow(try fingerprint.check(pin: fingerprint.sha256.uppercased(), key: "model.sha256"))
        XCTAssertThrowsError(try fingerprint.check(pin: String(repeating: "0", count: 64), key: "model.sha256")) { e in
            XCTAssertTrue("\(e)".contains("model.sha256 pins 0000"), "\(e)")
            XCTAssertTrue("\(e)".contains("set model.sha256 = \"\(fingerprint.sha256)\""), "\(e)")
        }
    }

    /// A model given as one file (GGUF) is fingerprinted alone: `sha256sum FILE | sha256sum` beside it.
    func testAModelFileIsFingerprintedAloneAsSha256sumGivesIt() throws {
        let file = folder + "/model/model.safetensors"
        let fingerprint = try ModelFingerprint.of(model: file, include: ModelFingerprint.isModelFile, cache: nil)
        XCTAssertEqual(fingerprint.files.map(\.name), ["model.safetensors"])
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "cd '\(folder)/model' && sha256sum model.safetensors | sha256sum"]
        let out = Pipe()
        p.standardOutput = out
        try p.run(); p.waitUntilExit()
        XCTAssertEqual(fingerprint.sha256, String(String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).prefix(64)))
        XCTAssertNoThrow(try fingerprint.checkUnchanged())
        // A folder still gives the folder's fingerprint.
        XCTAssertEqual(try ModelFingerprint.of(model: folder + "/model", include: ModelFingerprint.isModelFile, cache: nil).sha256, try coreutilsDigest())
        XCTAssertThrowsError(try ModelFingerprint.of(model: folder + "/absent.gguf", include: ModelFingerprint.isModelFile, cache: nil))
    }

    func testTheCacheIsUsedUntilTheFileChangesEvenWithItsSizeAndMtimePutBack() throws {
        let cachePath = folder + "/cache.json"
        let weights = folder + "/model/model.safetensors"
        let first = FingerprintCache(path: cachePath)
        let real = try ModelFingerprint.of(folder: folder + "/model", include: ModelFingerprint.isModelFile, cache: first)
        XCTAssertTrue(first.save())
        var st = stat()
        XCTAssertEqual(stat(cachePath, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o600)

        // The next start trusts the cache for an unchanged file: a planted digest shows it was not re-read.
        let planted = String(repeating: "e", count: 64)
        let cached = try String(contentsOfFile: cachePath, encoding: .utf8)
        let weightsDigest = try XCTUnwrap(real.files.first { $0.name == "model.safetensors" }?.sha256)
        try cached.replacingOccurrences(of: weightsDigest, with: planted).write(toFile: cachePath, atomically: false, encoding: .utf8)
        let reused = try ModelFingerprint.of(folder: folder + "/model", include: ModelFingerprint.isModelFile, cache: FingerprintCache(path: cachePath))
        XCTAssertEqual(reused.files.first { $0.name == "model.safetensors" }?.sha256, planted)

        // One byte changed, size and mtime restored: ctime moved, so the file is hashed again.
        XCTAssertEqual(stat(weights, &st), 0)
        let fd = open(weights, O_RDWR)
        var byte: UInt8 = 0x55
        XCTAssertEqual(pwrite(fd, &byte, 1, 1000), 1)
        close(fd)
        var times = [st.st_atim, st.st_mtim]
        XCTAssertEqual(utimensat(AT_FDCWD, weights, &times, 0), 0)
        let again = try ModelFingerprint.of(folder: folder + "/model", include: ModelFingerprint.isModelFile, cache: FingerprintCache(path: cachePath))
        XCTAssertNotEqual(again.files.first { $0.name == "model.safetensors" }?.sha256, planted)
        XCTAssertEqual(again.sha256, try coreutilsDigest())
        XCTAssertNotEqual(again.sha256, real.sha256)
    }

    func testAFileReplacedAfterHashingIsCaught() throws {
        let fingerprint = try ModelFingerprint.of(folder: folder + "/model", include: ModelFingerprint.isModelFile, cache: nil)
        try Data("{\"model_type\":\"llama\"}".utf8).write(to: URL(fileURLWithPath: folder + "/model/config.json"), options: .atomic)
        XCTAssertThrowsError(try fingerprint.checkUnchanged()) { e in XCTAssertTrue("\(e)".contains("config.json changed"), "\(e)") }
    }
}
