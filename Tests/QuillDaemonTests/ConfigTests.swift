import Foundation
import QuillDaemon
import XCTest

final class ConfigTests: XCTestCase {
    var repoRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    func testTheExampleConfigParsesToTheDefaults() throws {
        let text = try String(contentsOfFile: repoRoot + "/quill.example.toml", encoding: .utf8)
        let parsed = try QuillConfig.parse(toml: text)
        XCTAssertEqual(parsed, QuillConfig(), "quill.example.toml documents exactly the defaults")
    }

    func testTheCommandLineWinsOverTheFile() throws {
        let file = NSTemporaryDirectory() + "quill-\(UUID().uuidString).toml"
        try "[paths]\nstate = \"/srv/quill\"\n[model]\npath = \"/models/a\"\n[jobs]\nworkers = 2\n".write(toFile: file, atomically: true, encoding: .utf8)
        defer { unlink(file) }
        let c = try QuillConfig.load(file: file, overrides: ConfigOverrides(modelPath: "/models/b"))
        XCTAssertEqual(c.paths.state, "/srv/quill")
        XCTAssertEqual(c.model.path, "/models/b")
        XCTAssertEqual(c.jobs.workers, 2)
        XCTAssertEqual(c.inboxPath, "/srv/quill/inbox")
    }

    func testAMisspeltKeyOrABadValueIsRefusedWithItsName() {
        XCTAssertThrowsError(try QuillConfig.parse(toml: "[watch]\nrescan_secs = 5\n")) { e in
            XCTAssertTrue("\(e)".contains("watch.rescan_secs"), "\(e)")
        }
        XCTAssertThrowsError(try QuillConfig.parse(toml: "[jobs]\nworkers = \"two\"\n")) { e in
            XCTAssertTrue("\(e)".contains("jobs.workers must be an integer"), "\(e)")
        }
        XCTAssertThrowsError(try QuillConfig.parse(toml: "[tasks]\nformats = [\"pdf\"]\n").validate()) { e in
            XCTAssertTrue("\(e)".contains("pdf"), "\(e)")
        }
        XCTAssertThrowsError(try QuillConfig.parse(toml: "[model\npath = 1")) { e in
            XCTAssertTrue("\(e)".contains("line 1"), "\(e)")
        }
    }
}
