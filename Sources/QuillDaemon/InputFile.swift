import ClinicalDocuments
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
        /// Why the file is refused, in words for a clerk (it names the file).
        case refused(String)
    }

    /// - Parameters:
    ///   - name: the inbox name, for the reasons.
    ///   - allowedOwners: empty: any owner (after the claim, the file may be Quill's own copy).
    static func read(_ path: String, name: String, allowedOwners: [uid_t], maxBytes: Int) throws -> Reading {
        // A first look without opening: opening some devices has effects of its own.
        guard let seen = try FileOperations.lstatIfExists(path) else { throw SystemError("lstat", path: path, errno: ENOENT) }
        if let reason = OwnerCheck.refusal(seen, name: name, allowedOwners: allowedOwners) { return .refused(reason) }

        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            switch e {
            case ELOOP: return .refused("\(name) is a symbolic link; Quill only takes plain files dropped into the inbox, not links to files elsewhere")
            case ENXIO: return .refused("\(name) is a socket or a device, not a document")
            default: throw SystemError("open", path: path, errno: e)
            }
        }
        defer { close(fd) }
        var st = stat()
        try syscall("fstat", path) { fstat(fd, &st) }
        if let reason = refusal(st, name: name, allowedOwners: allowedOwners, maxBytes: maxBytes) { return .refused(reason) }

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
        if out.count > maxBytes { return .refused(tooLarge(name, bytes: out.count, limit: maxBytes)) }
        return .bytes(out)
    }

    /// What `fstat` of the opened file rules out.
    static func refusal(_ st: stat, name: String, allowedOwners: [uid_t], maxBytes: Int) -> String? {
        if let reason = OwnerCheck.refusal(st, name: name, allowedOwners: allowedOwners) { return reason }
        if st.st_nlink != 1 {
            return "\(name) has other names on the disk (hard links); Quill only takes a file whose one name is in the inbox, so that nobody can change it through another name while it is processed"
        }
        let size = Int(st.st_size)
        if size > maxBytes { return tooLarge(name, bytes: size, limit: maxBytes) }
        return nil
    }

    private static func tooLarge(_ name: String, bytes: Int, limit: Int) -> String {
        DocumentError(file: name, problem: .tooLarge(bytes: bytes, limit: limit)).description
    }
}
