import Foundation
import Logging
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A datagram socket standing in for systemd's `$NOTIFY_SOCKET`, collecting what arrives (with
/// the time it arrived) on a thread of its own.
final class NotifyListener: @unchecked Sendable {
    let path: String
    private let fd: Int32
    private let lock = NSLock()
    private var received = [(time: Date, text: String)]()
    private var closed = false
    private let done = DispatchSemaphore(value: 0)

    init(path: String) {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        XCTAssertEqual(ok, 0, "bind \(path)")
        var tv = timeval(tv_sec: 0, tv_usec: 50_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        Thread.detachNewThread { [self] in
            var buf = [UInt8](repeating: 0, count: 4096)
            while true {
                lock.lock(); let stop = closed; lock.unlock()
                if stop { break }
                let n = recv(fd, &buf, buf.count, 0)
                if n > 0 {
                    let text = String(decoding: buf[0..<n], as: UTF8.self)
                    lock.lock(); received.append((Date(), text)); lock.unlock()
                }
            }
            done.signal()
        }
    }

    func close() {
        lock.lock(); closed = true; lock.unlock()
        done.wait()
        Glibc.close(fd)
        unlink(path)
    }

    var messages: [(time: Date, text: String)] {
        lock.lock(); defer { lock.unlock() }
        return received
    }

    var pings: [Date] { messages.filter { $0.text == "WATCHDOG=1" }.map(\.time) }
    var statuses: [String] { messages.map(\.text).filter { $0.hasPrefix("STATUS=") } }

    /// The longest time between two pings in `pings`.
    static func longestGap(_ pings: [Date]) -> Double {
        zip(pings, pings.dropFirst()).map { $1.timeIntervalSince($0) }.max() ?? 0
    }
}

/// A logger whose records are kept for the test to read.
final class LogRecords: @unchecked Sendable {
    struct Record { var time: Date; var level: Logger.Level; var message: String; var metadata: [String: String] }
    private let lock = NSLock()
    private var records = [Record]()

    func append(_ r: Record) { lock.lock(); records.append(r); lock.unlock() }
    var all: [Record] { lock.lock(); defer { lock.unlock() }; return records }

    func logger() -> Logger {
        Logger(label: "quill.test") { _ in Handler(sink: self) }
    }

    struct Handler: LogHandler {
        let sink: LogRecords
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata extra: Logger.Metadata?, source: String,
                 file: String, function: String, line: UInt) {
            let all = metadata.merging(extra ?? [:]) { _, new in new }
            sink.append(Record(time: Date(), level: level, message: message.description, metadata: all.mapValues { "\($0)" }))
        }
    }
}

/// Starts the test host with extra environment; its standard error is discarded when `quiet`
/// (a crash's message is expected there).
func startHost(_ args: [String], environment extra: [String: String], quiet: Bool = true) throws -> Process {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: testHostPath)
    p.arguments = args
    p.environment = ProcessInfo.processInfo.environment.merging(extra) { _, new in new }
    p.standardOutput = FileHandle.nullDevice
    if quiet { p.standardError = FileHandle.nullDevice }
    try p.run()
    return p
}

/// The reason in `failed/<name>.error.json`.
func failureReason(_ h: Harness, _ name: String) throws -> String {
    let data = try Data(contentsOf: URL(fileURLWithPath: h.root + "/failed/\(name).error.json"))
    let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any]
    return obj?["reason"] as? String ?? ""
}
