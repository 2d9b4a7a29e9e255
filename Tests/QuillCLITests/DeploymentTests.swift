import Foundation
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The installed daemon's start-up checks, through the real `quill` program: model pins, the user
/// namespace, and finding the shipped templates from anywhere.
final class DeploymentTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    var quill: String {
        let bundle = Bundle(for: DeploymentTests.self).bundleURL
        let beside = bundle.appendingPathComponent("quill")
        return FileManager.default.isExecutableFile(atPath: beside.path) ? beside.path : bundle.deletingLastPathComponent().appendingPathComponent("quill").path
    }

    var folder: String = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "quill-deploy-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    /// Runs a program in `folder` (which holds no templates); returns status, stdout, stderr.
    func run(_ tool: String, _ args: [String]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: folder)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// A copy of the demo model that a test may tamper with.
    func demoModelCopy() throws -> String {
        let copy = folder + "/model"
        try FileManager.default.copyItem(atPath: Self.repo.appendingPathComponent("models/demo").path, toPath: copy)
        return copy
    }

    /// The pin as an operator computes it with coreutils, independently of Quill's code.
    func sha256sumPin(_ model: String) throws -> String {
        let (status, out, err) = try run("/bin/sh", ["-c", "cd '\(model)' && sha256sum config.json generation_config.json model.safetensors tokenizer.json tokenizer_config.json | sha256sum"])
        XCTAssertEqual(status, 0, err)
        return String(out.prefix(64))
    }

    func config(state: String, pin: String, extra: String = "") throws -> String {
        let file = folder + "/quill.toml"
        try """
        [paths]
        state = "\(state)"
        [model]
        sha256 = "\(pin)"
        adapter = "none"
        \(extra)
        [generation]
        max_new_tokens = 48
        [tasks]
        formats = ["text"]
        """.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    func testTheModelPinIsCheckedRecordedAndATamperedModelRefused() throws {
        let model = try demoModelCopy()
        let pin = try sha256sumPin(model)
        let state = folder + "/state"
        try FileManager.default.createDirectory(atPath: state + "/inbox", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.repo.appendingPathComponent("examples/discharge-note.txt").path, toPath: state + "/inbox/note.txt")
        let cfg = try config(state: state, pin: pin)

        let (ok, summary, log) = try run(quill, ["process", "--config", cfg, "--model", model])
        XCTAssertEqual(ok, 0, log)
        XCTAssertTrue(summary.contains("1 written"), summary + log)
        let provenance = try ["outbox", "review"].flatMap { dir in
            try FileManager.default.contentsOfDirectory(atPath: state + "/" + dir).filter { $0.hasSuffix(".provenance.json") }.map { state + "/" + dir + "/" + $0 }
        }
        XCTAssertEqual(provenance.count, 1)
        let facts = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: provenance[0]))) as? [String: Any])
        XCTAssertEqual(facts["model_sha256"] as? String, pin, "provenance names the weights, not only the folder")
        var st = stat()
        XCTAssertEqual(stat(state + "/.quill-model-fingerprints.json", &st), 0, "the hashes are cached for the next start")
        XCTAssertEqual(st.st_mode & 0o777, 0o600)

        // One byte of the weights changed, size and modification time put back as they were: the cache must
        // not hide it, and the pin refuses the model before it is used.
        let weights = model + "/model.safetensors"
        XCTAssertEqual(stat(weights, &st), 0)
        let fd = open(weights, O_RDWR)
        var byte: UInt8 = 0
        XCTAssertEqual(pread(fd, &byte, 1, off_t(st.st_size - 100)), 1)
        byte ^= 0x01
        XCTAssertEqual(pwrite(fd, &byte, 1, off_t(st.st_size - 100)), 1)
        close(fd)
        var times = [st.st_atim, st.st_mtim]
        XCTAssertEqual(utimensat(AT_FDCWD, weights, &times, 0), 0)
        try FileManager.default.copyItem(atPath: Self.repo.appendingPathComponent("examples/visit-dialogue.txt").path, toPath: state + "/inbox/visit.txt")

        let (refused, _, error) = try run(quill, ["process", "--config", cfg, "--model", model])
        XCTAssertNotEqual(refused, 0)
        XCTAssertTrue(error.contains("model.sha256 pins \(pin)"), error)
        XCTAssertTrue(error.contains(try sha256sumPin(model)), "the error names what the files hash to now: \(error)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: state + "/inbox/visit.txt"), "nothing was processed with the tampered model")
    }

    func testAnAdapterPinWithoutAnAdapterIsRefused() throws {
        let model = try demoModelCopy()
        let cfg = try config(state: folder + "/state", pin: try sha256sumPin(model),
                             extra: "adapter_sha256 = \"\(String(repeating: "ab", count: 32))\"")
        let (status, _, error) = try run(quill, ["process", "--config", cfg, "--model", model])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(error.contains("model.adapter_sha256 pins an adapter"), error)
    }

    /// systemd's PrivateUsers=yes runs the service in a user namespace that maps only root and the service
    /// user: every sender would read as nobody. `unshare` makes such a namespace for real.
    func testAllowedOwnersThatTheUserNamespaceHidesAreRefusedAtStart() throws {
        let (probe, _, _) = try run("/usr/bin/unshare", ["--user", "--map-root-user", "true"])
        try XCTSkipUnless(probe == 0, "user namespaces are not available here")
        let cfg = folder + "/quill.toml"
        try "[paths]\nstate = \"\(folder)/state\"\n[watch]\nallowed_owners = [\"1\"]\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        let demo = Self.repo.appendingPathComponent("models/demo").path
        let (status, _, error) = try run("/usr/bin/unshare", ["--user", "--map-root-user", quill, "process", "--config", cfg, "--model", demo])
        XCTAssertNotEqual(status, 0)
        XCTAssertTrue(error.contains("watch.allowed_owners names user id(s) 1, which this process cannot see"), error)
    }

    /// Under systemd the working directory is the state root, which holds no templates: the shipped ones must
    /// still be found (installed: beside the program; in a checkout: the source tree).
    func testTheShippedTemplatesAreFoundOutsideTheSourceTree() throws {
        let state = folder + "/state"
        try FileManager.default.createDirectory(atPath: state + "/inbox", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.repo.appendingPathComponent("examples/visit-dialogue.txt").path, toPath: state + "/inbox/visit.txt")
        let cfg = folder + "/quill.toml"
        try "[generation]\nmax_new_tokens = 32\n[tasks]\nformats = [\"text\"]\n[model]\nadapter = \"none\"\n".write(toFile: cfg, atomically: true, encoding: .utf8)
        let (status, summary, log) = try run(quill, ["process", "--state", state, "--config", cfg, "--model", Self.repo.appendingPathComponent("models/demo").path])
        XCTAssertEqual(status, 0, log)
        XCTAssertTrue(summary.contains("1 written"), summary + log)
    }
}
