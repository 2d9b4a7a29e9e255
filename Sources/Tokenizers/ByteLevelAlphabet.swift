/// GPT-2's reversible map between the 256 byte values and 256 printable Unicode characters, so that byte-level
/// BPE vocabularies can be stored as text: printable Latin-1 bytes map to themselves, the other 68 bytes (controls,
/// space, DEL, NBSP, soft hyphen) to U+0100 onwards in byte order. `Ġ` (U+0120) is the space byte.
enum ByteLevelAlphabet {
    /// byteToScalar[b] is the character that stands for byte b.
    static let byteToScalar: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 256
        for b in 0..<256 {
            let printable = (0x21...0x7E).contains(b) || (0xA1...0xAC).contains(b) || (0xAE...0xFF).contains(b)
            if printable {
                table[b] = Unicode.Scalar(UInt32(b))!
            } else {
                table[b] = Unicode.Scalar(next)!
                next += 1
            }
        }
        return table
    }()

    /// The inverse: character → byte, for the 256 characters of the alphabet only.
    static let scalarToByte: [Unicode.Scalar: UInt8] = {
        var map: [Unicode.Scalar: UInt8] = [:]
        for (b, s) in byteToScalar.enumerated() { map[s] = UInt8(b) }
        return map
    }()

    /// The raw bytes a byte-level token string stands for, or nil if it holds a character outside the alphabet
    /// (added tokens such as `<｜User｜>` are then taken as their own UTF-8, as tokenizers' ByteLevel decoder does).
    static func bytes(of token: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(token.utf8.count)
        for s in token.unicodeScalars {
            guard let b = scalarToByte[s] else { return nil }
            out.append(b)
        }
        return out
    }

    /// The token string for raw bytes.
    static func string(of bytes: some Sequence<UInt8>) -> String {
        var s = String.UnicodeScalarView()
        for b in bytes { s.append(byteToScalar[Int(b)]) }
        return String(s)
    }
}
