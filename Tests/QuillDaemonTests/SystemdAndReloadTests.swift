import Foundation
import Logging
import QuillDaemon
import QuillDaemonTestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

final class SystemdAndReloadTests: XCTestCase {
    /// A datagram socket standing in for systemd's `$NOTIFY_SOCKET`.
    private func listen(_ path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        XCTAssertEqual(ok, 0)
        var tv = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    func testServeSendsReadyStatusAndWatchdogPingsToTheNotifySocket() throws {
        let h = Harness()
        let socketPath = h.root + "/notify.sock"
        let fd = listen(socketPath)
        defer { close(fd) }
        let notifier = SystemdNotifier(notifySocket: socketPath, watchdogUSec: "200000", watchdogPID: nil)
        XCTAssertEqual(notifier?.watchdogInterval, 0.1)
        let daemon = Daemon(config: h.config, processor: SectionTextProcessor(), notifier: notifier)
        let stop = h.serve(daemon)
        var messages = [String]()
        let end = Date().addingTimeInterval(1.0)
        var buf = [UInt8](repeating: 0, count: 4096)
        while Date() < end {
            let n = recv(fd, &buf, buf.count, 0)
            if n > 0 { messages.append(String(decoding: buf[0..<n], as: UTF8.self)) }
            if messages.count == 2 { h.drop("one.txt", Harness.note(1)) }
        }
        _ = stop()
        while case let n = recv(fd, &buf, buf.count, 0), n > 0 { messages.append(String(decoding: buf[0..<n], as: UTF8.self)) }
        XCTAssertTrue(messages.first?.hasPrefix("READY=1") ?? false, "\(messages.prefix(3))")
        XCTAssertGreaterThanOrEqual(messages.filter { $0 == "WATCHDOG=1" }.count, 4, "a ping every half watchdog interval")
        XCTAssertTrue(messages.contains { $0.hasPrefix("STATUS=") && $0.contains("written") }, "STATUS names the last job")
        XCTAssertTrue(messages.contains("STOPPING=1"))
    }

    func testSIGHUPReloadAppliesANewConfigurationToTheNextFile() throws {
        let h = Harness()
        var reloaded = h.config
        reloaded.watch.ignoreSuffixes.append(".hold")
        let fresh = reloaded
        let daemon = Daemon(config: h.config, processor: SectionTextProcessor(), reloadConfig: { fresh })
        let stop = h.serve(daemon)
        daemon.requestReload()
        Thread.sleep(forTimeInterval: 0.2)
        h.drop("wait.hold", Harness.note(1))
        h.drop("go.txt", Harness.note(2))
        eventually("go.txt is processed") { h.visibleOutbox().count == 2 }
        Thread.sleep(forTimeInterval: 0.2)
        _ = stop()
        XCTAssertTrue(h.list("inbox").contains("wait.hold"), "the reloaded ignore list applies")
        XCTAssertTrue(try h.store().auditEvents().contains { $0.action == "config.reloaded" })
    }
}
