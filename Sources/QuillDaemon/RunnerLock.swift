import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Each running runner holds an exclusive `flock` on `<state>/.quill-runners/<id>.lock` for as
/// long as it lives. The kernel drops the lock when the process dies, `kill -9` included, so a
/// lock that can be taken means its runner is gone and its unfinished jobs may be adopted; a lock
/// that cannot be taken means the runner is alive and its jobs are left alone.
final class RunnerLock: Sendable {
    let id: String
    let path: String
    private let fd: Int32

    init(folder: String) throws {
        var g = SystemRandomNumberGenerator()
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        let hostName = String(cString: host).map { $0.isLetter || $0.isNumber || $0 == "-" ? $0 : "_" }
        id = "\(String(hostName))-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max, using: &g), radix: 16))"
        let path = folder + "/" + id + ".lock"
        let fd = try syscall("open", path) { open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600) }
        try syscall("flock", path) { flock(fd, LOCK_EX | LOCK_NB) }
        self.path = path
        self.fd = fd
    }

    /// Releases the lock and removes the file (a clean stop).
    func release() {
        unlink(path)
        close(fd)
    }

    /// Whether the runner `owner` still holds its lock. When it does not, `body` runs while this
    /// process holds the dead runner's lock, so two runners never adopt the same jobs at once.
    static func ifGone(owner: String, folder: String, _ body: () throws -> Void) rethrows {
        let path = folder + "/" + owner + ".lock"
        let fd = open(path, O_RDWR | O_CLOEXEC)
        if fd < 0 {
            // No lock file: the runner stopped cleanly or its state root was copied; its jobs are orphans.
            try body()
            return
        }
        defer { close(fd) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { return }
        try body()
        unlink(path)
    }
}
