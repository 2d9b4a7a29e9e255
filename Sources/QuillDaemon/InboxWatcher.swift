import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// inotify(7) on the inbox folder, read directly through Glibc.
///
/// Raw inotify rather than libinotifytools: we watch one folder, and libinotifytools keeps a
/// single process-wide inotify descriptor and watch table behind `inotifytools_initialize()`,
/// which two runners in one process (the tests do that) or a reload would share and trample;
/// the raw calls are three functions and a 16-byte header to parse, with errno at hand.
///
/// inotify is a hint, never the truth (fsnotify's rule): events only say "look at this name";
/// the stability check and the claim decide. `IN_Q_OVERFLOW` means events were lost: rescan.
final class InboxWatcher {
    let folder: String
    private let fd: Int32
    /// A pipe whose write end `wake()` uses to end a `wait` early (stop, reload).
    private let wakeRead: Int32
    private let wakeWrite: Int32

    enum Event: Equatable {
        case name(String)
        case overflow
        /// A name that is not valid UTF-8 (no `String` reaches it): look at the folder itself.
        case undecodableName
        /// Something arrived in one of the other folders watched (`also`): look at that folder.
        case elsewhere(String)
    }

    /// Watch descriptors of the `also` folders, whose events say only "look there".
    private var others: [Int32: String] = [:]

    /// Watches `folder`, and `also` (for example `reviewed/`) on the same descriptor so that one wait serves both.
    init(folder: String, also: [String] = []) throws {
        self.folder = folder
        let fd = try syscall("inotify_init1", folder) { inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC)) }
        let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO)
        var fds: [Int32] = [0, 0]
        do {
            try syscall("inotify_add_watch", folder) { inotify_add_watch(fd, folder, mask) }
            for other in also {
                let wd = try syscall("inotify_add_watch", other) { inotify_add_watch(fd, other, mask) }
                others[wd] = other
            }
            try syscall("pipe", folder) { pipe(&fds) }
            for f in fds {
                _ = fcntl(f, F_SETFL, fcntl(f, F_GETFL) | O_NONBLOCK)
                _ = fcntl(f, F_SETFD, FD_CLOEXEC)
            }
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
        wakeRead = fds[0]
        wakeWrite = fds[1]
    }

    deinit { close(fd); close(wakeRead); close(wakeWrite) }

    /// Ends the current or next `wait` at once. Safe from any thread.
    func wake() {
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)
    }

    /// Waits up to `timeout` seconds for events; returns the names seen (and `.overflow`).
    func wait(timeout: Double) throws -> [Event] {
        var pfds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        let ms = Int32(max(0, min(timeout, 3600)) * 1000)
        let ready = try syscall("poll", folder) { poll(&pfds, 2, ms) }
        if ready == 0 { return [] }
        if pfds[1].revents != 0 {
            var sink = [UInt8](repeating: 0, count: 64)
            while read(wakeRead, &sink, sink.count) > 0 {}
        }
        if pfds[0].revents == 0 { return [] }
        var events = [Event]()
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                let e = errno
                if e == EINTR { continue }
                if e == EAGAIN { break }
                throw SystemError("read(inotify)", path: folder, errno: e)
            }
            if n <= 0 { break }
            var offset = 0
            while offset + 16 <= n {
                let wd = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: Int32.self) }
                let mask = buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self) }
                let len = Int(buffer.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self) })
                if mask & UInt32(IN_Q_OVERFLOW) != 0 {
                    events.append(.overflow)
                } else if let other = others[wd] {
                    if !events.contains(.elsewhere(other)) { events.append(.elsewhere(other)) }
                } else if len > 0 {
                    let nameBytes = Array(buffer[(offset + 16)..<(offset + 16 + len)].prefix { $0 != 0 })
                    events.append(FileOperations.decodedExactly(nameBytes).map(Event.name) ?? .undecodableName)
                }
                offset += 16 + len
            }
        }
        return events
    }
}

/// Which inbox names Quill looks at (DESIGN.md, "Folders").
struct NameFilter: Sendable {
    var ignoreSuffixes: [String]

    /// Dot-files (which include `.quill-claimed`) and names with an ignored ending wait until renamed.
    func accepts(_ name: String) -> Bool {
        if name.isEmpty || name.hasPrefix(".") { return false }
        return !ignoreSuffixes.contains { name.hasSuffix($0) }
    }
}

/// Size and mtime of a name at one moment, to tell a file still being written from a finished one.
struct Observation: Equatable {
    var size: Int
    var mtimeSeconds: Int
    var mtimeNanoseconds: Int
    var inode: UInt

    init(_ st: stat) {
        size = Int(st.st_size)
        mtimeSeconds = Int(st.st_mtim.tv_sec)
        mtimeNanoseconds = Int(st.st_mtim.tv_nsec)
        inode = UInt(st.st_ino)
    }
}
