/// Reads GGUF's little-endian fields from a byte range, every read checked against the end. Errors name the
/// byte offset where the field starts.
struct GGUFCursor {
    let base: UnsafeRawPointer
    let size: Int
    let file: String
    private(set) var offset: Int

    init(base: UnsafeRawPointer, size: Int, file: String, offset: Int = 0) {
        self.base = base; self.size = size; self.file = file; self.offset = offset
    }

    var remaining: Int { size - offset }

    func fail(_ reason: String, at place: Int? = nil) -> GGUFError {
        GGUFError(file: file, place: "byte \(place ?? offset)", reason: reason)
    }

    mutating func take(_ count: Int, what: String) throws -> UnsafeRawPointer {
        guard count >= 0, count <= remaining else {
            throw fail("\(what) needs \(count) bytes but the file ends \(remaining) bytes later (truncated?)")
        }
        let p = base + offset
        offset += count
        return p
    }

    mutating func u8(_ what: String) throws -> UInt8 { try take(1, what: what).load(as: UInt8.self) }
    mutating func u16(_ what: String) throws -> UInt16 { UInt16(littleEndian: try take(2, what: what).loadUnaligned(as: UInt16.self)) }
    mutating func u32(_ what: String) throws -> UInt32 { UInt32(littleEndian: try take(4, what: what).loadUnaligned(as: UInt32.self)) }
    mutating func u64(_ what: String) throws -> UInt64 { UInt64(littleEndian: try take(8, what: what).loadUnaligned(as: UInt64.self)) }

    /// A count or length field, refused when the rest of the file cannot hold `count` items of at least
    /// `minimumBytes` each: no allocation is ever sized from a count the file cannot back.
    mutating func count(_ what: String, minimumBytes: Int) throws -> Int {
        let start = offset
        let raw = try u64(what)
        let most = remaining / max(1, minimumBytes)
        guard raw <= UInt64(most) else {
            throw fail("\(what) is \(raw), more than the \(remaining) bytes left in the file can hold (truncated or corrupt?)", at: start)
        }
        return Int(raw)
    }

    /// gguf_string: u64 length then UTF-8 bytes (no terminator).
    mutating func string(_ what: String) throws -> String {
        let start = offset
        let length = try count("length of \(what)", minimumBytes: 1)
        let p = try take(length, what: what)
        let bytes = UnsafeBufferPointer(start: p.assumingMemoryBound(to: UInt8.self), count: length)
        guard let s = String(validating: bytes, as: UTF8.self) else {
            throw fail("\(what) is not valid UTF-8", at: start)
        }
        return s
    }
}
