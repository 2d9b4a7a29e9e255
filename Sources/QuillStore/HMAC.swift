import Digests

/// HMAC-SHA256 (RFC 2104) over Quill's own `SHA256`: the audit chain's keyed hash. Checked against
/// the RFC 4231 test vectors and against Python's `hmac` module (tools/fixtures/make_hmac_fixtures.py)
/// in `HMACTests`.
public enum HMACSHA256 {
    static let blockSize = 64

    /// The MAC of `message` under `key`, as raw bytes.
    public static func mac<K: Collection, M: Collection>(key: K, message: M) -> [UInt8] where K.Element == UInt8, M.Element == UInt8 {
        var k = Array(key)
        if k.count > blockSize { var s = SHA256(); s.update(k); k = s.finalize() }
        k += [UInt8](repeating: 0, count: blockSize - k.count)
        var inner = SHA256()
        inner.update(k.map { $0 ^ 0x36 })
        inner.update(message)
        let innerDigest = inner.finalize()
        var outer = SHA256()
        outer.update(k.map { $0 ^ 0x5c })
        outer.update(innerDigest)
        return outer.finalize()
    }

    /// The MAC as 64 lowercase hex digits.
    public static func hex<K: Collection, M: Collection>(key: K, message: M) -> String where K.Element == UInt8, M.Element == UInt8 {
        Hex.encode(mac(key: key, message: message))
    }

    /// Compares two MACs in time that does not depend on where they first differ.
    public static func equal(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var diff: UInt8 = 0
        for i in x.indices { diff |= x[i] ^ y[i] }
        return diff == 0
    }
}

/// Lowercase hex, both ways.
public enum Hex {
    public static func encode<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var s = [UInt8]()
        s.reserveCapacity(bytes.count * 2)
        for b in bytes { s.append(digits[Int(b >> 4)]); s.append(digits[Int(b & 15)]) }
        return String(decoding: s, as: UTF8.self)
    }

    /// `nil` unless `text` is an even number of hex digits (either case).
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(chars.count / 2)
        var i = 0
        while i < chars.count {
            guard let hi = nibble(chars[i]), let lo = nibble(chars[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }
}
