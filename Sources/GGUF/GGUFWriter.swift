import Foundation
import Tensors
#if canImport(Glibc)
import Glibc
#endif

/// One tensor to write: its name, ggml dimensions (`dimensions[0]` varies fastest), type, and a function giving
/// its bytes, called once while the file is written so that only one tensor's bytes are held at a time.
public struct GGUFTensorToWrite {
    public let name: String
    public let dimensions: [Int]
    public let type: GGMLType
    public let bytes: () throws -> [UInt8]

    public init(name: String, dimensions: [Int], type: GGMLType, bytes: @escaping () throws -> [UInt8]) {
        self.name = name; self.dimensions = dimensions; self.type = type; self.bytes = bytes
    }

    /// Bytes the tensor takes (nil when the first dimension is not whole blocks of the type).
    public var byteCount: Int? {
        guard let row = type.rowBytes(columns: dimensions.first ?? 0) else { return nil }
        return row * dimensions.dropFirst().reduce(1, *)
    }
}

/// Writes a GGUF version 3 file: the metadata in the order given, the tensor infos, then each tensor's bytes at
/// an offset that is a multiple of the alignment (`general.alignment` when the metadata sets it, else 32), the
/// gaps zero-filled, as gguf-py's `GGUFWriter` lays a file out.
///
/// The file is written under a temporary name in the destination's folder, flushed to disk (fsync), then renamed
/// over the destination and the folder synced: a crash or an error leaves the old file or none, never half a file
/// under the final name (rename(2) is atomic within one file system).
public struct GGUFWriter {
    public var metadata: [(key: String, value: GGUFValue)] = []
    public var tensors: [GGUFTensorToWrite] = []

    public init() {}

    public mutating func add(_ key: String, _ value: GGUFValue) { metadata.append((key, value)) }

    public mutating func add(_ tensor: GGUFTensorToWrite) { tensors.append(tensor) }

    /// The alignment the metadata asks for, checked as the reader checks it.
    func alignment(file: String) throws -> Int {
        guard let value = metadata.first(where: { $0.key == "general.alignment" })?.value else { return 32 }
        guard case let .uint32(a) = value, a > 0, a & (a - 1) == 0, a <= 1 << 20 else {
            throw GGUFError(file: file, place: "key 'general.alignment'", reason: "\(value) (\(value.typeName)) is not a power of two u32 up to \(1 << 20)")
        }
        return Int(a)
    }

    /// Checks everything that can be checked before a byte is written: keys unique, arrays of one element type,
    /// tensor names unique and short enough, dimensions whole blocks of their type.
    func validate(file: String) throws {
        var keys = Set<String>()
        for (key, value) in metadata {
            guard keys.insert(key).inserted else { throw GGUFError(file: file, place: "key '\(key)'", reason: "given twice") }
            try Self.checkArray(value, key: key, file: file)
        }
        var names = Set<String>()
        for t in tensors {
            let place = "tensor '\(t.name)'"
            guard names.insert(t.name).inserted else { throw GGUFError(file: file, place: place, reason: "given twice") }
            guard t.name.utf8.count < GGUFFile.maximumNameBytes else {
                throw GGUFError(file: file, place: place, reason: "the name is longer than \(GGUFFile.maximumNameBytes - 1) bytes")
            }
            guard (1...GGUFFile.maximumDimensions).contains(t.dimensions.count), t.dimensions.allSatisfy({ $0 >= 1 }) else {
                throw GGUFError(file: file, place: place, reason: "dimensions \(t.dimensions) (1 to \(GGUFFile.maximumDimensions) positive sizes)")
            }
            guard t.byteCount != nil else {
                throw GGUFError(file: file, place: place, reason: "\(t.dimensions[0]) values per row is not whole \(t.type) blocks of \(t.type.blockValues)")
            }
        }
    }

    static func checkArray(_ value: GGUFValue, key: String, file: String) throws {
        guard case let .array(element, items) = value else { return }
        for item in items {
            guard item.type == element else {
                throw GGUFError(file: file, place: "key '\(key)'", reason: "an array of \(GGUFValue.name(of: element)) holds a \(item.typeName)")
            }
            try checkArray(item, key: key, file: file)
        }
    }

    /// The header: magic, version, counts, metadata and tensor infos, padded to the alignment.
    func header(alignment: Int) -> [UInt8] {
        var out = GGUFBytes()
        out.raw(Array("GGUF".utf8))
        out.u32(3)
        out.u64(UInt64(tensors.count))
        out.u64(UInt64(metadata.count))
        for (key, value) in metadata {
            out.string(key)
            out.u32(value.type.rawValue)
            out.value(value)
        }
        var offset = 0
        for t in tensors {
            out.string(t.name)
            out.u32(UInt32(t.dimensions.count))
            for d in t.dimensions { out.u64(UInt64(d)) }
            out.u32(t.type.rawValue)
            out.u64(UInt64(offset))
            offset = Self.padded(offset + t.byteCount!, to: alignment)
        }
        out.pad(to: alignment)
        return out.bytes
    }

    static func padded(_ n: Int, to alignment: Int) -> Int { (n + alignment - 1) / alignment * alignment }

    /// Writes the file at `path` (replacing it only once the new one is complete and on disk).
    public func write(to path: String) throws {
        try validate(file: path)
        let alignment = try alignment(file: path)
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())").path
        let out = try AtomicFile(temporary: temporary, final: path, folder: folder)
        do {
            try out.write(header(alignment: alignment))
            for t in tensors {
                let bytes = try t.bytes()
                guard bytes.count == t.byteCount! else {
                    throw GGUFError(file: path, place: "tensor '\(t.name)'",
                                    reason: "\(bytes.count) bytes given for \(t.dimensions) of \(t.type), which take \(t.byteCount!)")
                }
                try out.write(bytes)
                let gap = Self.padded(bytes.count, to: alignment) - bytes.count
                if gap > 0 { try out.write([UInt8](repeating: 0, count: gap)) }
            }
            try out.commit()
        } catch {
            out.abandon()
            throw error
        }
    }
}

/// Little-endian GGUF fields appended to a byte array.
struct GGUFBytes {
    var bytes: [UInt8] = []

    mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func string(_ s: String) { u64(UInt64(s.utf8.count)); bytes.append(contentsOf: s.utf8) }
    mutating func pad(to alignment: Int) {
        bytes.append(contentsOf: [UInt8](repeating: 0, count: GGUFWriter.padded(bytes.count, to: alignment) - bytes.count))
    }

    /// A value without its type tag (array elements carry none; the writer puts the tag before a key's value).
    mutating func value(_ v: GGUFValue) {
        switch v {
        case let .uint8(x): u8(x)
        case let .int8(x): u8(UInt8(bitPattern: x))
        case let .uint16(x): u16(x)
        case let .int16(x): u16(UInt16(bitPattern: x))
        case let .uint32(x): u32(x)
        case let .int32(x): u32(UInt32(bitPattern: x))
        case let .float32(x): u32(x.bitPattern)
        case let .bool(x): u8(x ? 1 : 0)
        case let .string(x): string(x)
        case let .uint64(x): u64(x)
        case let .int64(x): u64(UInt64(bitPattern: x))
        case let .float64(x): u64(x.bitPattern)
        case let .array(element, items):
            u32(element.rawValue)
            u64(UInt64(items.count))
            for item in items { value(item) }
        }
    }
}

/// A file written under a temporary name and renamed into place once complete and synced (maildir's discipline).
/// Errors name the final path and the system call.
public final class AtomicFile {
    let temporary: String
    let final: String
    let folder: String
    private var fd: Int32

    public init(temporary: String, final: String, folder: String) throws {
        self.temporary = temporary; self.final = final; self.folder = folder
        fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Self.failure(final, "cannot create \(temporary)") }
    }

    static func failure(_ file: String, _ what: String) -> GGUFError {
        GGUFError(file: file, place: "file", reason: "\(what): \(String(cString: strerror(errno)))")
    }

    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + done, buffer.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw Self.failure(final, "writing \(temporary) failed") }
                done += n
            }
        }
    }

    /// fsync, close, rename over the final name, fsync the folder (so the rename itself survives a crash).
    public func commit() throws {
        guard fsync(fd) == 0 else { throw Self.failure(final, "fsync of \(temporary) failed") }
        let closed = close(fd)
        fd = -1
        guard closed == 0 else { throw Self.failure(final, "closing \(temporary) failed") }
        guard rename(temporary, final) == 0 else { throw Self.failure(final, "renaming \(temporary) into place failed") }
        let dir = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dir >= 0 { _ = fsync(dir); close(dir) }
    }

    /// Closes and removes the temporary file: nothing is left behind.
    public func abandon() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(temporary)
    }

    deinit { if fd >= 0 { close(fd); unlink(temporary) } }
}
