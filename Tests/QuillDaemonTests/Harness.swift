import Foundation
import Logging
import QuillDaemon
import QuillDaemonTestSupport
import QuillStore
import XCTest

/// A temporary state root, with helpers to drop files, run the daemon and check the guarantee.
final class Harness {
    let root: String
    var config: QuillConfig

    init(stability: Double = 0.05, rescan: Double = 30, workers: Int = 1) {
        root = NSTemporaryDirectory() + "quill-daemon-\(UUID().uuidString.prefix(8))"
        config = QuillConfig()
        config.paths.state = root
        config.watch.stabilitySeconds = stability
        config.watch.rescanSeconds = rescan
        config.jobs.workers = workers
        try! StateRoot(config: config).create()
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    var inbox: String { root + "/inbox" }
    var outbox: String { root + "/outbox" }

    /// Writes a file the way a well-behaved sender does: a temp name, then a rename into place.
    func drop(_ name: String, _ text: String) {
        let tmp = inbox + "/" + name + ".part"
        try! Data(text.utf8).write(to: URL(fileURLWithPath: tmp))
        try! FileManager.default.moveItem(atPath: tmp, toPath: inbox + "/" + name)
    }

    static func note(_ i: Int) -> String {
        "Chief complaint: shortness of breath, case \(i).\nHistory: patient \(i) with asthma.\nPlan: inhaler review in \(i % 7 + 1) weeks.\n"
    }

    func daemon(delay: Double = 0, afterStep: (@Sendable (Job) throws -> Void)? = nil) -> Daemon {
        var logger = Logger(label: "quill.test")
        logger.logLevel = .warning
        return Daemon(config: config, processor: SectionTextProcessor(delay: delay), logger: logger, afterStep: afterStep)
    }

    /// Runs `.once` to the end.
    @discardableResult
    func runOnce(delay: Double = 0) throws -> Daemon.Summary { try daemon(delay: delay).run(.once) }

    /// Starts `.serve` on a thread; `stop()` returns its summary.
    func serve(_ daemon: Daemon) -> () -> Daemon.Summary {
        let done = DispatchSemaphore(value: 0)
        let box = SummaryBox()
        Thread.detachNewThread {
            do { box.value = try daemon.run(.serve) } catch { box.error = error }
            done.signal()
        }
        return {
            daemon.requestStop()
            done.wait()
            if let e = box.error { XCTFail("daemon failed: \(e)") }
            return box.value ?? Daemon.Summary()
        }
    }

    final class SummaryBox: @unchecked Sendable { var value: Daemon.Summary?; var error: Error? }

    func list(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/" + relative)) ?? []).sorted()
    }

    func archived() -> [String] {
        // archive/reviewed/ holds reviewers' files (ReviewedIntake), not inputs.
        list("archive").filter { $0 != "reviewed" }.flatMap { day in list("archive/" + day) }.sorted()
    }

    func visibleOutbox() -> [String] { list("outbox").filter { !$0.hasPrefix(".") } }

    func store() throws -> QuillStore { try StateRoot(config: config).openStore() }

    /// The guarantee, for inputs `names` (all processable, distinct content): each in exactly one
    /// final place, exactly one set of outputs each, nothing left in flight, audit chain intact.
    func assertEveryInputSettledOnce(_ names: [String], outputsPerInput: Int = 2, file: StaticString = #filePath, line: UInt = #line) throws {
        let archived = archived()
        let failed = list("failed")
        for name in names {
            let places = archived.filter { $0 == name }.count + failed.filter { $0 == name }.count
            XCTAssertEqual(places, 1, "\(name) is in \(places) final places", file: file, line: line)
            if places != 1, let store = try? store() {
                for j in (try? store.jobs()) ?? [] where j.inboxName == name { print("DEBUG job", j.id, j.state.name, j.places) }
                for e in (try? store.auditEvents()) ?? [] where e.details.contains(name) || e.details.contains((name as NSString).deletingPathExtension) { print("DEBUG", e.jobID ?? -1, e.action, e.details) }
                print("DEBUG claimed", list("inbox/.quill-claimed"), "inbox", list("inbox").filter { $0.contains(name) })
            }
        }
        XCTAssertEqual(archived.count, names.count, "archive holds exactly the inputs", file: file, line: line)
        let stems = Set(names.map { ($0 as NSString).deletingPathExtension })
        let outbox = visibleOutbox()
        XCTAssertEqual(outbox.count, names.count * outputsPerInput, "one set of outputs per input", file: file, line: line)
        for o in outbox {
            let stem = String(o.prefix { $0 != "." })
            XCTAssertTrue(stems.contains(stem), "\(o) is an output of no input (duplicate stem?)", file: file, line: line)
        }
        XCTAssertEqual(list("inbox").filter { !$0.hasPrefix(".") }, [], "inbox is empty", file: file, line: line)
        XCTAssertEqual(list("inbox/.quill-claimed"), [], "nothing left claimed", file: file, line: line)
        XCTAssertEqual(list("outbox/.quill-staging"), [], "nothing left staged", file: file, line: line)
        let store = try store()
        let jobs = try store.jobs()
        XCTAssertTrue(jobs.allSatisfy(\.isFinished), "unfinished jobs: \(jobs.filter { !$0.isFinished }.map(\.id))", file: file, line: line)
        XCTAssertEqual(jobs.filter { $0.state.name == "written" }.count, names.count, file: file, line: line)
        guard case .intact = try store.verifyAudit() else { return XCTFail("audit chain broken", file: file, line: line) }
    }
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(_ what: String, timeout: Double = 10, _ condition: () -> Bool, file: StaticString = #filePath, line: UInt = #line) {
    let end = Date().addingTimeInterval(timeout)
    while Date() < end {
        if condition() { return }
        Thread.sleep(forTimeInterval: 0.02)
    }
    XCTFail("timed out waiting until \(what)", file: file, line: line)
}

/// The test host executable, built beside the test bundle.
var testHostPath: String {
    var dir = URL(fileURLWithPath: Bundle(for: Harness.self).bundlePath).deletingLastPathComponent()
    if !FileManager.default.fileExists(atPath: dir.appendingPathComponent("quill-daemon-testhost").path) {
        dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    }
    return dir.appendingPathComponent("quill-daemon-testhost").path
}

func startHost(_ args: [String]) throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: testHostPath)
    p.arguments = args
    p.standardOutput = FileHandle.nullDevice
    try p.run()
    return p
}
