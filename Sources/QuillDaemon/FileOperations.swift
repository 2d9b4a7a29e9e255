import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// File operations with the durability the guarantee needs: temp name, fsync, rename, fsync of the
/// directory (maildir(5)).
enum FileOperations {
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

    static func makeDirectory(_ path: String, mode: mode_t = 0o700) throws {
        do { try syscall("mkdir", path) { mkdir(path, mode) } } catch let error as SystemError where error.errno == EEXIST {}
    }

    static func makeDirectories(_ path: String, mode: mode_t = 0o700) throws {
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
    /// fsync, rename, fsync of the folder. `temporary`: a fixed temp name (in the same folder), for
    /// a caller that must find and remove what a crash left half-written.
    static func writeDurably(_ bytes: [UInt8], to path: String, mode: mode_t = 0o600, temporary: String? = nil) throws {
        let dir = parent(path)
        let tmp = temporary ?? temporaryName(beside: path)
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

    /// A hidden name in `path`'s folder for writing before a rename into place; short whatever
    /// `path` is (a name near 255 bytes plus a suffix would not fit NAME_MAX), and distinct per
    /// process and call.
    static func temporaryName(beside path: String) -> String {
        parent(path) + "/.quill-tmp-\(getpid())-" + String(UInt64.random(in: 0...UInt64.max), radix: 16)
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
            let tmp = temporaryName(beside: to)
            try syscall("symlink", tmp) { symlink(buf, tmp) }
            try syscall("rename", tmp) { rename(tmp, to) }
            return
        }
        switch st.st_mode & S_IFMT {
        case S_IFREG: try copyRegularFile(from, to: to, mode: st.st_mode & 0o777)
        case S_IFDIR: throw SystemError("copy (a folder)", path: from, errno: EXDEV)
        default:
            // A pipe or device refused at the claim: the node is recreated (never opened), so it
            // lands in failed/ like any other refused entry.
            let tmp = temporaryName(beside: to)
            try syscall("mknod", tmp) { mknod(tmp, st.st_mode, st.st_rdev) }
            try syscall("rename", tmp) { rename(tmp, to) }
        }
    }

    /// Copies through a bounded buffer (never the whole file in memory), to a temp name beside
    /// `to`, fsynced, then renamed. Holes are skipped (SEEK_DATA), so a sparse file
    /// refused for its size costs neither memory nor disk to move into failed/.
    static func copyRegularFile(_ from: String, to: String, mode: mode_t) throws {
        let seekData: Int32 = 3  // SEEK_DATA (Linux; Glibc does not export the GNU constant to Swift)
        let src = try syscall("open", from) { open(from, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC) }
        defer { close(src) }
        var st = stat()
        try syscall("fstat", from) { fstat(src, &st) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw SystemError("copy (not a regular file)", path: from, errno: EXDEV) }
        let tmp = temporaryName(beside: to)
        let dst = try syscall("open", tmp) { open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode) }
        var ok = false
        defer { if !ok { unlink(tmp) } }
        do {
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            var offset = off_t(0)
            while true {
                // Next data at or after `offset`; ENXIO: only a hole (or nothing) is left.
                let data = lseek(src, offset, seekData)
                if data < 0 {
                    let e = errno
                    if e == ENXIO { break }
                    if e != EINVAL { throw SystemError("lseek(SEEK_DATA)", path: from, errno: e) }
                    // No hole support here: everything from `offset` is data.
                } else {
                    offset = data
                }
                let n = try syscall("pread", from) { chunk.withUnsafeMutableBytes { pread(src, $0.baseAddress!, $0.count, offset) } }
                if n == 0 { break }
                var written = 0
                while written < n {
                    let w = try syscall("pwrite", tmp) {
                        chunk.withUnsafeBytes { pwrite(dst, $0.baseAddress! + written, n - written, offset + off_t(written)) }
                    }
                    written += w
                }
                offset += off_t(n)
            }
            // The length, with any trailing hole.
            let end = max(offset, lseek(src, 0, SEEK_END))
            try syscall("ftruncate", tmp) { ftruncate(dst, end) }
            try syscall("fsync", tmp) { fsync(dst) }
        } catch {
            close(dst)
            throw error
        }
        close(dst)
        try syscall("rename", tmp) { rename(tmp, to) }
        ok = true
        try fsyncPath(parent(to), directory: true)
    }

    /// Names in a folder (no `.`/`..`) that are valid UTF-8; an absent folder is empty. A name
    /// that is not valid UTF-8 has no `String` that opens it (decoding would repair its bytes into
    /// another name): `listNames` returns those apart.
    static func list(_ path: String) throws -> [String] { try listNames(path).names }

    /// The names of a folder: those valid as UTF-8, and the raw bytes of the others.
    static func listNames(_ path: String) throws -> (names: [String], undecodable: [[UInt8]]) {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return ([], []) }
            throw SystemError("opendir", path: path, errno: errno)
        }
        defer { closedir(dir) }
        var names = [String]()
        var undecodable = [[UInt8]]()
        while let entry = readdir(dir) {
            // Read in place: glibc's records are only as long as their name, so copying `entry.pointee`
            // (d_name is char[256]) read past the end of the buffer (AddressSanitizer: heap-buffer-overflow).
            let namePointer = UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \dirent.d_name)!
            let raw = Array(UnsafeBufferPointer(start: namePointer.assumingMemoryBound(to: UInt8.self), count: strlen(namePointer.assumingMemoryBound(to: CChar.self))))
            if raw == [0x2E] || raw == [0x2E, 0x2E] { continue }
            if let name = decodedExactly(raw) { names.append(name) } else { undecodable.append(raw) }
        }
        return (names, undecodable)
    }

    /// `raw` as a `String` when it is valid UTF-8 (the `String` gives back the same bytes).
    static func decodedExactly(_ raw: [UInt8]) -> String? {
        let s = String(decoding: raw, as: UTF8.self)
        return Array(s.utf8) == raw ? s : nil
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
