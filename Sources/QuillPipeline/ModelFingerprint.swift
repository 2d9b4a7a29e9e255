import Digests
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The SHA-256 of the files a model or adapter folder contributes to every output, so that provenance
/// says which weights wrote a document, not only which folder they were in, and a pin in the
/// configuration can refuse weights that changed.
///
/// `sha256` is the SHA-256 of the `sha256sum` listing of those files (`<hex>␠␠<name>\n`, names in
/// byte order), so an operator can recompute it: `cd MODEL && sha256sum FILES… | sha256sum`, the
/// files named as `files` lists them.
public struct ModelFingerprint: Sendable, Equatable {
    public struct File: Sendable, Equatable {
        public var name: String
        public var sha256: String
        /// The file's identity when hashed: a later change (even one that keeps size and mtime)
        /// changes ctime, so `FileIdentity` tells a file that must be hashed again.
        public var identity: FileIdentity
    }

    public var folder: String
    public var files: [File]

    public var sha256: String {
        SHA256.hex(files.map { "\($0.sha256)  \($0.name)\n" }.joined())
    }

    /// The files of a Hugging Face model folder that loading reads: configuration, tokenizer, chat
    /// template and weights. Other files (README, training notes) do not change an output.
    public static func isModelFile(_ name: String) -> Bool {
        ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "chat_template.jinja",
         "model.safetensors.index.json"].contains(name) || name.hasSuffix(".safetensors") || name.hasSuffix(".gguf")
    }

    /// The files of a PEFT adapter folder that loading reads (`adapter.json` is lineage, rewritten on promotion).
    public static func isAdapterFile(_ name: String) -> Bool {
        name == "adapter_config.json" || name.hasSuffix(".safetensors")
    }

    /// Hashes the files of `folder` that `include` accepts, reusing `cache` for files whose identity
    /// did not change. A folder with none of them is an error naming the folder.
    /// `folder` may also be one model file (a `.gguf`): then it alone is hashed, as the file's folder and its name.
    public static func of(folder: String, include: (String) -> Bool, cache: FingerprintCache?) throws -> ModelFingerprint {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), !isFolder.boolValue {
            let url = URL(fileURLWithPath: folder)
            let parent = url.deletingLastPathComponent().path, name = url.lastPathComponent
            return try of(folder: parent, include: { $0 == name }, cache: cache)
        }
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder) } catch {
            throw ModelIntegrityError(message: "\(folder) cannot be listed to fingerprint the model (\(error.localizedDescription))")
        }
        var files = [File]()
        for name in names.filter(include).sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let path = folder + "/" + name
            let identity = try FileIdentity(path: path)
            let digest = try cache?.digest(path: path, identity: identity) ?? hashFile(path)
            cache?.remember(path: path, identity: identity, sha256: digest)
            files.append(File(name: name, sha256: digest, identity: identity))
        }
        if files.isEmpty { throw ModelIntegrityError(message: "\(folder) holds no model or adapter files to fingerprint") }
        return ModelFingerprint(folder: folder, files: files)
    }

    /// Checks that no file changed since it was hashed (call after loading: the weights loaded are the ones hashed).
    public func checkUnchanged() throws {
        for f in files where (try? FileIdentity(path: folder + "/" + f.name)) != f.identity {
            throw ModelIntegrityError(message: "\(folder)/\(f.name) changed while Quill was loading it; start Quill again once the model files are in place")
        }
    }

    /// Refuses a fingerprint that does not match the configured pin.
    public func check(pin: String?, key: String) throws {
        guard let pin, pin.lowercased() != sha256 else { return }
        throw ModelIntegrityError(message: "\(key) pins \(pin) but the files in \(folder) (\(files.map(\.name).joined(separator: ", "))) "
            + "hash to \(sha256): they are not the files that were checked and pinned. Restore the pinned files, or, if the change "
            + "is intended and the new files are trusted, set \(key) = \"\(sha256)\"")
    }

    static func hashFile(_ path: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ModelIntegrityError(message: "\(path) cannot be opened to hash it (\(String(cString: strerror(errno))))") }
        defer { close(fd) }
        var sha = SHA256()
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw ModelIntegrityError(message: "\(path) cannot be read to hash it (\(String(cString: strerror(errno))))")
            }
            sha.update(chunk[0..<n])
        }
        return sha.finalizeHex()
    }
}

/// What identifies one version of a file without reading it: device, inode, size, mtime and ctime
/// (nanoseconds). ctime cannot be set back by a user, so an edit that restores size and mtime still shows.
public struct FileIdentity: Sendable, Equatable, Codable {
    public var device: UInt64
    public var inode: UInt64
    public var size: Int64
    public var mtimeNanoseconds: Int64
    public var ctimeNanoseconds: Int64

    public init(path: String) throws {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw ModelIntegrityError(message: "\(path) cannot be examined (\(String(cString: strerror(errno))))")
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ModelIntegrityError(message: "\(path) is not a regular file") }
        device = UInt64(st.st_dev); inode = UInt64(st.st_ino); size = Int64(st.st_size)
        mtimeNanoseconds = Int64(st.st_mtim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_mtim.tv_nsec)
        ctimeNanoseconds = Int64(st.st_ctim.tv_sec) &* 1_000_000_000 &+ Int64(st.st_ctim.tv_nsec)
    }
}

/// A model's files do not match what Quill was told to expect, or cannot be read; names the file or pin.
public struct ModelIntegrityError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
