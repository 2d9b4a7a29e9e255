import ClinicalDocuments
import Foundation
import Logging
import QuillDaemon
import QuillDaemonTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `run` returns only after its worker threads have ended completely, thread-exit destructors included, and
/// what the workers held is released by the caller. Before, `run` returned as soon as the workers' loops did,
/// and the rest of their teardown (the store, the daemon, the model) ran in their exit destructors while the
/// process went on to exit: `quill process` died with a corrupted heap about one run in six.
final class WorkerTeardownTests: XCTestCase {
    func testRunReturnsOnlyAfterItsWorkersHaveCompletelyEnded() throws {
        let h = Harness(workers: 2)
        for i in 1...4 { h.drop("note-\(i).txt", Harness.note(i)) }
        let probe = ExitProbe()
        var logger = Logger(label: "quill.test")
        logger.logLevel = .warning
        var daemon: Daemon? = Daemon(config: h.config, processor: SlowExitProcessor(probe: probe), logger: logger)
        XCTAssertEqual(try daemon?.run(.once).written, 4)
        let (started, finished) = probe.exits
        XCTAssertGreaterThan(started, 0)
        XCTAssertEqual(finished, started, "run returned while \(started - finished) worker thread(s) were still ending")

        daemon = nil
        XCTAssertEqual(probe.processorReleasedOnCaller, true, "the processor was not released by the daemon's owner")
    }
}

/// Records each worker thread that used the processor, when each one's exit destructors have run, and on
/// which thread the processor was released.
final class ExitProbe: @unchecked Sendable {
    private let lock = NSLock()
    private var started = 0, finished = 0
    private let caller = pthread_self()
    private var releasedOn: pthread_t?

    var exits: (started: Int, finished: Int) { lock.lock(); defer { lock.unlock() }; return (started, finished) }
    var processorReleasedOnCaller: Bool? {
        lock.lock(); defer { lock.unlock() }
        return releasedOn.map { pthread_equal($0, caller) != 0 }
    }

    /// Once per worker thread: a thread-exit destructor that takes its time, as releasing a model and a
    /// database does, and then counts the thread as ended.
    func noteWorkerThread() {
        guard pthread_getspecific(slowExitKey) == nil else { return }
        lock.lock(); started += 1; lock.unlock()
        pthread_setspecific(slowExitKey, Unmanaged.passRetained(self).toOpaque())
    }

    fileprivate func threadEnded() { lock.lock(); finished += 1; lock.unlock() }
    fileprivate func processorReleased() { lock.lock(); releasedOn = pthread_self(); lock.unlock() }
}

private let slowExitKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { raw in
        guard let raw else { return }
        usleep(300_000)
        Unmanaged<ExitProbe>.fromOpaque(raw).takeRetainedValue().threadEnded()
    }
    return key
}()

/// The section-text processor, noting each worker thread it runs on and where it is released.
final class SlowExitProcessor: DocumentProcessor, @unchecked Sendable {
    let probe: ExitProbe
    let inner = SectionTextProcessor()
    init(probe: ExitProbe) { self.probe = probe }
    deinit { probe.processorReleased() }

    func process(_ document: ClinicalDocument, stem: String, inputSHA256: String,
                 interruption: Interruption) throws -> ProcessedDocument {
        probe.noteWorkerThread()
        return try inner.process(document, stem: stem, inputSHA256: inputSHA256, interruption: interruption)
    }
}
