import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a claimed input once, deciding on the opened descriptor, never on a path looked at
/// earlier: between an `lstat` and an `open` the name can come to mean a pipe, a device or
/// another file. The descriptor is opened non-blocking and without following a link, so a FIFO or
/// a device can never hold a worker; `fstat` then says whether it is a regular file with one name,
/// an allowed owner and a size within the limit, before a single byte is read.
enum InputFile {
    enum Reading {
        /// The file's bytes, read once; the caller hashes, parses and archives exactly these.
        case bytes([UInt8])
        /// Why the file is refused.
        case refused(Refusal)
    }

    /// - Parameter allowedOwners: empty: any owner (after the claim, the file may be Quill's own copy).
    static func read(_ path: String, allowedOwners: [uid_t], maxBytes: Int) throws -> Reading {
        // A first look without opening: opening some devices has effects of its own.
        guard let seen = try FileOperations.lstatIfExists(path) else { throw SystemError("lstat", path: path, errno: ENOENT) }
        if let refusal = OwnerCheck.refusal(seen, allowedOwners: allowedOwners) { return .refused(refusal) }

        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            switch e {
            case ELOOP: return .refused(.symbolicLink)
            case ENXIO: return .refused(.socketOrDevice)
            default: throw SystemError("open", path: path, errno: e)
            }
        }
        defer { close(fd) }
        var st = stat()
        try syscall("fstat", path) { fstat(fd, &st) }
        if let refusal = refusal(st, allowedOwners: allowedOwners, maxBytes: maxBytes) { return .refused(refusal) }

        // The size from fstat bounds the read; a file that grows past the limit meanwhile is refused.
        let expected = Int(st.st_size)
        var out = [UInt8]()
        out.reserveCapacity(expected)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while out.count <= maxBytes {
            let room = maxBytes - out.count
            let want = room >= chunk.count ? chunk.count : room + 1
            let n = try syscall("read", path) { chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, want) } }
            if n == 0 { break }
            out += chunk[0..<n]
        }
        if out.count > maxBytes { return .refused(.tooLarge(bytes: out.count, limit: maxBytes)) }
        return .bytes(out)
    }

    /// What `fstat` of the opened file rules out.
    static func refusal(_ st: stat, allowedOwners: [uid_t], maxBytes: Int) -> Refusal? {
        if let refusal = OwnerCheck.refusal(st, allowedOwners: allowedOwners) { return refusal }
        if st.st_nlink != 1 { return .hardLinks }
        let size = Int(st.st_size)
        if size > maxBytes { return .tooLarge(bytes: size, limit: maxBytes) }
        return nil
    }
}
