import Foundation
import Tensors
#if canImport(Glibc)
import Glibc
#endif

/// A GGUF file (versions 2 and 3), memory-mapped: its metadata, its tensor infos, and each tensor's bytes where
/// they lie in the map (no copy). The file is treated as hostile: every count, length, offset, dimension and
/// product is checked before it is used, and the first problem is thrown naming the file and the place.
public final class GGUFFile: @unchecked Sendable {
    public let path: String
    public let version: UInt32
    /// Metadata in file order.
    public let metadata: [(key: String, value: GGUFValue)]
    public let tensors: [GGUFTensorInfo]
    /// `general.alignment` (default 32).
    public let alignment: Int
    /// Absolute offset of the data section (after the tensor infos, padded to `alignment`).
    public let dataOffset: Int
    public let size: Int
    private let base: UnsafeRawPointer
    /// Keeps the map alive (and unmaps it when the last tensor borrowing it is gone).
    private let mapping: GGUFMapping
    private let values: [String: GGUFValue]
    private let tensorIndex: [String: Int]

    /// Far above any real file; a crafted count below what the file could hold still must not make millions of entries.
    public static let maximumTensors = 1 << 20
    public static let maximumKeys = 1 << 20
    /// ggml's GGML_MAX_DIMS.
    public static let maximumDimensions = 4
    /// ggml's GGML_MAX_NAME (64 bytes with the terminator).
    public static let maximumNameBytes = 64
    /// Arrays inside arrays: GGUF allows it; no real file goes deeper than this.
    static let maximumArrayDepth = 4

    public convenience init(path: String) throws {
        try self.init(mapping: GGUFMapping(path: path))
    }

    private init(mapping: GGUFMapping) throws {
        let path = mapping.path, base = mapping.base, size = mapping.size
        var c = GGUFCursor(base: base, size: size, file: path)
        let magic = try c.take(4, what: "the magic number")
        guard Array(UnsafeRawBufferPointer(start: magic, count: 4)) == Array("GGUF".utf8) else {
            throw c.fail("no GGUF magic number (the file starts with \(Array(UnsafeRawBufferPointer(start: magic, count: 4))))", at: 0)
        }
        let version = try c.u32("the version")
        guard version == 2 || version == 3 else {
            throw c.fail("GGUF version \(version) is not supported (versions 2 and 3 are)", at: 4)
        }
        // The smallest tensor info: empty name (8), n_dims (4), one dimension (8), type (4), offset (8).
        let tensorCount = try c.count("the tensor count", minimumBytes: 32)
        guard tensorCount <= Self.maximumTensors else { throw c.fail("the tensor count \(tensorCount) is above \(Self.maximumTensors)", at: 8) }
        // The smallest key/value: empty key (8), type (4), a one-byte value.
        let keyCount = try c.count("the metadata key count", minimumBytes: 13)
        guard keyCount <= Self.maximumKeys else { throw c.fail("the metadata key count \(keyCount) is above \(Self.maximumKeys)", at: 16) }

        var metadata: [(key: String, value: GGUFValue)] = []
        var values: [String: GGUFValue] = [:]
        for i in 0..<keyCount {
            let keyStart = c.offset
            let key = try c.string("key \(i)")
            let value = try Self.readValue(&c, key: key, depth: 0)
            guard values[key] == nil else {
                throw GGUFError(file: path, place: "byte \(keyStart), key '\(key)'", reason: "the key appears twice")
            }
            values[key] = value
            metadata.append((key, value))
        }

        var alignment = 32
        if let v = values["general.alignment"] {
            guard case let .uint32(a) = v, a > 0, a & (a - 1) == 0, a <= 1 << 20 else {
                throw GGUFError(file: path, place: "key 'general.alignment'",
                                reason: "\(v) (\(v.typeName)) is not a power of two u32 up to \(1 << 20)")
            }
            alignment = Int(a)
        }

        struct RawInfo { let name: String; let dims: [Int]; let type: GGMLType; let offset: UInt64; let bytes: Int; let at: Int }
        var raw: [RawInfo] = []
        var index: [String: Int] = [:]
        for i in 0..<tensorCount {
            let start = c.offset
            let name = try c.string("the name of tensor \(i)")
            func bad(_ reason: String) -> GGUFError { GGUFError(file: path, place: "byte \(start), tensor '\(name)'", reason: reason) }
            guard name.utf8.count < Self.maximumNameBytes else { throw bad("the name is \(name.utf8.count) bytes, more than \(Self.maximumNameBytes - 1)") }
            guard index[name] == nil else { throw bad("a second tensor of this name") }
            let dimensionCount = try c.u32("the dimension count of tensor '\(name)'")
            guard dimensionCount >= 1, dimensionCount <= UInt32(Self.maximumDimensions) else {
                throw bad("\(dimensionCount) dimensions (1 to \(Self.maximumDimensions) are allowed)")
            }
            var dims: [Int] = []
            var elements = 1
            for d in 0..<Int(dimensionCount) {
                let n = try c.u64("dimension \(d) of tensor '\(name)'")
                guard n >= 1, n <= UInt64(Int32.max) else { throw bad("dimension \(d) is \(n) (1 to \(Int32.max) allowed)") }
                let (product, overflow) = elements.multipliedReportingOverflow(by: Int(n))
                guard !overflow else { throw bad("dimensions \(dims + [Int(n)]) hold more values than fit in a 64-bit count") }
                elements = product; dims.append(Int(n))
            }
            let code = try c.u32("the type of tensor '\(name)'")
            guard let type = GGMLType(rawValue: code) else { throw bad("type code \(code) is not a ggml type this reader knows") }
            guard let rowBytes = type.rowBytes(columns: dims[0]) else {
                throw bad("\(dims[0]) values per row is not a whole number of \(type) blocks of \(type.blockValues)")
            }
            let (bytes, overflow) = rowBytes.multipliedReportingOverflow(by: elements / dims[0])
            guard !overflow else { throw bad("its size overflows a 64-bit byte count") }
            let offset = try c.u64("the data offset of tensor '\(name)'")
            guard offset % UInt64(alignment) == 0 else { throw bad("data offset \(offset) is not a multiple of the alignment \(alignment)") }
            index[name] = raw.count
            raw.append(RawInfo(name: name, dims: dims, type: type, offset: offset, bytes: bytes, at: start))
        }

        let infoEnd = c.offset
        let (padded, overflow) = infoEnd.addingReportingOverflow(alignment - 1)
        guard !overflow else { throw c.fail("the data section's start overflows") }
        let dataOffset = padded / alignment * alignment
        guard raw.isEmpty || dataOffset <= size else {
            throw c.fail("the data section would start at byte \(dataOffset), past the end of the \(size)-byte file (truncated?)")
        }
        let dataBytes = size - min(size, dataOffset)

        var tensors: [GGUFTensorInfo] = []
        for r in raw {
            let place = "tensor '\(r.name)'"
            guard r.offset <= UInt64(dataBytes), r.bytes <= dataBytes - Int(r.offset) else {
                throw GGUFError(file: path, place: place,
                                reason: "its \(r.bytes) bytes at data offset \(r.offset) run past the end of the file's \(dataBytes)-byte data section (truncated?)")
            }
            tensors.append(GGUFTensorInfo(name: r.name, dimensions: r.dims, type: r.type,
                                          fileOffset: dataOffset + Int(r.offset), byteCount: r.bytes))
        }
        // Two tensors must not share bytes: a crafted file could otherwise make one weight alias another.
        let byStart = tensors.sorted { $0.fileOffset < $1.fileOffset }
        for (a, b) in zip(byStart, byStart.dropFirst()) where a.fileOffset + a.byteCount > b.fileOffset {
            throw GGUFError(file: path, place: "tensor '\(b.name)'",
                            reason: "its data (from data offset \(b.fileOffset - dataOffset)) overlaps tensor '\(a.name)' (data offsets \(a.fileOffset - dataOffset)..<\(a.fileOffset - dataOffset + a.byteCount))")
        }

        self.path = path; self.base = base; self.size = size; self.mapping = mapping
        self.version = version
        self.dataOffset = dataOffset
        self.metadata = metadata
        self.values = values
        self.alignment = alignment
        self.tensors = tensors
        self.tensorIndex = index
    }

    private static func readValue(_ c: inout GGUFCursor, key: String, depth: Int) throws -> GGUFValue {
        let typeAt = c.offset
        let code = try c.u32("the value type of key '\(key)'")
        guard let type = GGUFValueType(rawValue: code) else {
            throw GGUFError(file: c.file, place: "byte \(typeAt), key '\(key)'", reason: "value type \(code) is not a GGUF type")
        }
        return try readValue(&c, type: type, key: key, depth: depth)
    }

    private static func readValue(_ c: inout GGUFCursor, type: GGUFValueType, key: String, depth: Int) throws -> GGUFValue {
        let what = "the value of key '\(key)'"
        switch type {
        case .uint8: return .uint8(try c.u8(what))
        case .int8: return .int8(Int8(bitPattern: try c.u8(what)))
        case .uint16: return .uint16(try c.u16(what))
        case .int16: return .int16(Int16(bitPattern: try c.u16(what)))
        case .uint32: return .uint32(try c.u32(what))
        case .int32: return .int32(Int32(bitPattern: try c.u32(what)))
        case .float32: return .float32(Float(bitPattern: try c.u32(what)))
        case .uint64: return .uint64(try c.u64(what))
        case .int64: return .int64(Int64(bitPattern: try c.u64(what)))
        case .float64: return .float64(Double(bitPattern: try c.u64(what)))
        case .bool:
            let at = c.offset
            let b = try c.u8(what)
            guard b <= 1 else { throw GGUFError(file: c.file, place: "byte \(at), key '\(key)'", reason: "bool value \(b) is neither 0 nor 1") }
            return .bool(b == 1)
        case .string: return .string(try c.string(what))
        case .array:
            let at = c.offset
            guard depth < maximumArrayDepth else {
                throw GGUFError(file: c.file, place: "byte \(at), key '\(key)'", reason: "arrays nested deeper than \(maximumArrayDepth)")
            }
            let code = try c.u32("the element type of key '\(key)'")
            guard let element = GGUFValueType(rawValue: code) else {
                throw GGUFError(file: c.file, place: "byte \(at), key '\(key)'", reason: "array element type \(code) is not a GGUF type")
            }
            let count = try c.count("the element count of key '\(key)'", minimumBytes: element.minimumBytes)
            var items: [GGUFValue] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try readValue(&c, type: element, key: key, depth: depth + 1)) }
            return .array(element, items)
        }
    }

    // MARK: Metadata

    public func value(_ key: String) -> GGUFValue? { values[key] }

    func wrongType(_ key: String, _ v: GGUFValue, expected: String) -> GGUFError {
        GGUFError(file: path, place: "key '\(key)'", reason: "expected \(expected), found \(v.typeName)")
    }

    func missing(_ key: String) -> GGUFError { GGUFError(file: path, place: "key '\(key)'", reason: "missing") }

    public func string(_ key: String) throws -> String? {
        guard let v = values[key] else { return nil }
        guard let s = v.string else { throw wrongType(key, v, expected: "a string") }
        return s
    }

    /// Any integer type, checked to fit an Int.
    public func integer(_ key: String) throws -> Int? {
        guard let v = values[key] else { return nil }
        guard let n = v.integer else { throw wrongType(key, v, expected: "an integer that fits in 64 bits") }
        return n
    }

    public func number(_ key: String) throws -> Double? {
        guard let v = values[key] else { return nil }
        guard let n = v.number else { throw wrongType(key, v, expected: "a number") }
        return n
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let v = values[key] else { return nil }
        guard let b = v.bool else { throw wrongType(key, v, expected: "a bool") }
        return b
    }

    public func strings(_ key: String) throws -> [String]? {
        guard let v = values[key] else { return nil }
        guard case let .array(.string, items) = v else { throw wrongType(key, v, expected: "an array of strings") }
        return items.map { $0.string! }
    }

    public func integers(_ key: String) throws -> [Int]? {
        guard let v = values[key] else { return nil }
        guard case let .array(_, items) = v else { throw wrongType(key, v, expected: "an array of integers") }
        return try items.map { item in
            guard let n = item.integer else { throw wrongType(key, v, expected: "an array of integers") }
            return n
        }
    }

    public func numbers(_ key: String) throws -> [Double]? {
        guard let v = values[key] else { return nil }
        guard case let .array(_, items) = v else { throw wrongType(key, v, expected: "an array of numbers") }
        return try items.map { item in
            guard let n = item.number else { throw wrongType(key, v, expected: "an array of numbers") }
            return n
        }
    }

    // MARK: Tensors

    public func tensor(_ name: String) -> GGUFTensorInfo? { tensorIndex[name].map { tensors[$0] } }

    /// The tensor's bytes where they lie in the map; valid for as long as this object lives.
    public func bytes(of info: GGUFTensorInfo) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + info.fileOffset, count: info.byteCount)
    }
}

/// A read-only private map of a whole file, unmapped when released.
final class GGUFMapping: @unchecked Sendable {
    let path: String
    let base: UnsafeRawPointer
    let size: Int

    init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GGUFError(file: path, place: "file", reason: "cannot be opened: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw GGUFError(file: path, place: "file", reason: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw GGUFError(file: path, place: "file", reason: "not a regular file") }
        size = Int(st.st_size)
        guard size > 0 else { throw GGUFError(file: path, place: "byte 0", reason: "the file is empty") }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw GGUFError(file: path, place: "file", reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        base = UnsafeRawPointer(p)
    }

    deinit { munmap(UnsafeMutableRawPointer(mutating: base), size) }
}
