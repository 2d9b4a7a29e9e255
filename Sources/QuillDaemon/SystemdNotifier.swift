import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The sd_notify(3) protocol without libsystemd: one datagram per message to the `AF_UNIX` socket
/// named by `$NOTIFY_SOCKET` (a leading `@` means the abstract namespace). `main` reads the
/// environment and passes the values in.
public struct SystemdNotifier: Sendable {
    public let socketPath: String
    /// Half of `$WATCHDOG_USEC`: how often to send `WATCHDOG=1`; nil when no watchdog is set.
    public let watchdogInterval: Double?

    /// `nil` when not started by systemd with `Type=notify`.
    public init?(notifySocket: String?, watchdogUSec: String?, watchdogPID: String?) {
        guard let notifySocket, !notifySocket.isEmpty else { return nil }
        socketPath = notifySocket
        if let usec = watchdogUSec.flatMap({ Double($0) }), usec > 0,
           watchdogPID.flatMap({ Int32($0) }).map({ $0 == getpid() }) ?? true {
            watchdogInterval = usec / 1_000_000 / 2
        } else {
            watchdogInterval = nil
        }
    }

    /// Sends `message` (e.g. `READY=1\nSTATUS=idle`); failures are returned, never fatal.
    @discardableResult
    public func send(_ message: String) -> SystemError? {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        if fd < 0 { return SystemError("socket", path: socketPath, errno: errno) }
        defer { close(fd) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard pathBytes.count < capacity else { return SystemError("sendto (socket path too long)", path: socketPath, errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in pathBytes.enumerated() { raw[i] = b }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1))
        let bytes = Array(message.utf8)
        do {
            try syscall("sendto", socketPath) {
                withUnsafePointer(to: &addr) { p in
                    p.withMemoryRebound(to: sockaddr.self, capacity: 1) { sa in
                        bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sa, length) }
                    }
                }
            }
        } catch { return error as? SystemError }
        return nil
    }
}
