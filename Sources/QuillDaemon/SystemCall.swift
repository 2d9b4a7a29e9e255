import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: the operation, the path it was about, and errno (STYLE: swift-nio's
/// `System.swift`). Every call in the daemon goes through `syscall(_:_:_:)`, which retries `EINTR`.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errno: Int32

    public init(_ operation: String, path: String, errno: Int32) {
        self.operation = operation; self.path = path; self.errno = errno
    }

    public var description: String { "\(operation)(\(path)) failed: \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// Runs a system call, retrying on `EINTR`; a negative result becomes a `SystemError`.
@discardableResult
func syscall<T: FixedWidthInteger>(_ operation: String, _ path: String, _ body: () -> T) throws -> T {
    while true {
        let r = body()
        if r >= 0 { return r }
        let e = Glibc.errno
        if e == EINTR { continue }
        throw SystemError(operation, path: path, errno: e)
    }
}

/// File operations with the durability the guarantee needs: temp name, fsync, rename, fsync of the
/// directory (maildir(5)).
enum FileOps {
    static func lstat(_ path: String) throws -> stat {
        var st = stat()
        try syscall("lstat", path) { Glibc.lstat(path, &st) }
        return st
    }

    /// `nil` when the path does not exist.
    static func lstatIfExists(_ path: String) throws -> stat? {
        do { return try lstat(path) } catch let error as SystemError where error.errno == ENOENT { return nil }
    }

    static func exists(_ path: String) -> Bool { (try? lstatIfExists(path)) != nil }

    static func makeDirectory(_ path: String, mode: mode_t = 0o750) throws {
        do { try syscall("mkdir", path) { mkdir(path, mode) } } catch let error as SystemError where error.errno == EEXIST {}
    }

    static func makeDirectories(_ path: String, mode: mode_t = 0o750) throws {
        var prefix = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            prefix += "/" + part
            try makeDirectory(prefix, mode: mode)
        }
    }

    static func fsyncPath(_ path: String, directory: Bool) throws {
        let fd = try syscall("open", path) { open(path, (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC) }
        defer { close(fd) }
        try syscall("fsync", path) { fsync(fd) }
    }

    static func parent(_ path: String) -> String {
        (path as NSString).deletingLastPathComponent
    }

    /// Writes `bytes` to `path` atomically and durably: a hidden temp file in the same folder,
    /// fsync, rename, fsync of the folder.
    static func writeDurably(_ bytes: [UInt8], to path: String, mode: mode_t = 0o640) throws {
        let dir = parent(path)
        let tmp = dir + "/.quill-tmp-" + (path as NSString).lastPathComponent + "-\(getpid())"
        let fd = try syscall("open", tmp) { open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode) }
        var ok = false
        defer { if !ok { unlink(tmp) } }
        do {
            var offset = 0
            while offset < bytes.count {
                let n = try syscall("write", tmp) { bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) } }
                offset += n
            }
            try syscall("fsync", tmp) { fsync(fd) }
        } catch {
            close(fd)
            throw error
        }
        close(fd)
        try syscall("rename", tmp) { rename(tmp, path) }
        ok = true
        try fsyncPath(dir, directory: true)
    }

    /// Moves `from` to `to` and makes both folders durable. Across filesystems (an inbox on a share,
    /// the archive local), copies to a temp name beside `to`, fsyncs, renames, then unlinks `from`.
    static func move(_ from: String, to: String) throws {
        do {
            try syscall("rename", from) { rename(from, to) }
        } catch let error as SystemError where error.errno == EXDEV {
            try copyDurably(from, to: to)
            try syscall("unlink", from) { unlink(from) }
        }
        try fsyncPath(parent(to), directory: true)
        if parent(from) != parent(to) { try fsyncPath(parent(from), directory: true) }
    }

    static func copyDurably(_ from: String, to: String) throws {
        let st = try lstat(from)
        if (st.st_mode & S_IFMT) == S_IFLNK {
            var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = try syscall("readlink", from) { readlink(from, &buf, buf.count - 1) }
            buf[n] = 0
            let tmp = to + ".quill-tmp"
            unlink(tmp)
            try syscall("symlink", tmp) { symlink(buf, tmp) }
            try syscall("rename", tmp) { rename(tmp, to) }
            return
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw SystemError("copy (not a regular file)", path: from, errno: EXDEV) }
        try writeDurably(try readAll(from, limit: Int.max), to: to, mode: st.st_mode & 0o777)
    }

    /// Reads a regular file without following a symlink, at most `limit + 1` bytes.
    static func readAll(_ path: String, limit: Int) throws -> [UInt8] {
        let fd = try syscall("open", path) { open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) }
        defer { close(fd) }
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while out.count <= limit {
            let n = try syscall("read", path) { chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) } }
            if n == 0 { break }
            out += chunk[0..<n]
        }
        return out
    }

    /// Names in a folder (no `.`/`..`); an absent folder is empty.
    static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return [] }
            throw SystemError("opendir", path: path, errno: errno)
        }
        defer { closedir(dir) }
        var names = [String]()
        while let entry = readdir(dir) {
            // Read in place: glibc's records are only as long as their name, so copying `entry.pointee`
            // (d_name is char[256]) read past the end of the buffer (AddressSanitizer: heap-buffer-overflow).
            let namePointer = UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \dirent.d_name)!
            let name = String(cString: namePointer.assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    static func removeTree(_ path: String) {
        guard let st = try? lstatIfExists(path) else { return }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            for n in (try? list(path)) ?? [] { removeTree(path + "/" + n) }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
