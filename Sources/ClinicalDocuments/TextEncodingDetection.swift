import Foundation

/// How the bytes of a file were turned into text. Always recorded, never guessed silently.
public enum TextEncoding: String, Sendable, Codable {
    case utf8 = "utf-8"
    case utf8BOM = "utf-8-bom"
    case utf16LE = "utf-16le-bom"
    case utf16BE = "utf-16be-bom"
    /// Not valid UTF-8, no control bytes in 0x80–0x9F: ISO-8859-1.
    case latin1 = "iso-8859-1"
    /// Not valid UTF-8, with bytes in 0x80–0x9F that Windows-1252 defines (curly quotes, dashes):
    /// Windows exports of "Latin-1" are nearly always this.
    case windows1252 = "windows-1252"
}

/// The decoded text and the encoding chosen for it.
public struct DecodedText: Sendable, Equatable {
    public var text: String
    public var encoding: TextEncoding
}

/// Decides the encoding of a text file by rules, in this order:
/// 1. empty (or only blank space after decoding) → refused;
/// 2. a byte-order mark says UTF-8, UTF-16 LE or UTF-16 BE, and the rest must be valid in it
///    (a UTF-32 mark is refused by name);
/// 3. a NUL byte without a mark → refused (binary, or UTF-16 without a byte-order mark);
/// 4. valid UTF-8 → UTF-8;
/// 5. otherwise Latin-1, or Windows-1252 when bytes 0x80–0x9F occur (a byte Windows-1252 leaves
///    undefined is refused);
/// then any control character other than tab, line feed, carriage return, form feed and the
/// MLLP framing bytes (0x0B, 0x1C) is refused as binary junk. One trailing 0x1A (DOS end of file) is dropped.
public enum TextEncodingDetection {
    public static func decode(_ bytes: [UInt8], file: String) throws(DocumentError) -> DecodedText {
        func fail(_ p: DocumentError.Problem, at offset: Int? = nil) -> DocumentError {
            DocumentError(file: file, place: offset.map { .byteOffset($0) } ?? .wholeFile, problem: p)
        }
        if bytes.isEmpty { throw fail(.empty) }

        var decoded: DecodedText
        if bytes.count >= 4 && bytes[0] == 0xFF && bytes[1] == 0xFE && bytes[2] == 0 && bytes[3] == 0 {
            throw fail(.wrongEncoding(detail: "the file starts with a UTF-32 byte-order mark; save it as UTF-8"))
        } else if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
            guard let s = String(validating: bytes[3...], as: UTF8.self) else {
                throw fail(.wrongEncoding(detail: "the file starts with a UTF-8 byte-order mark but byte \(firstInvalidUTF8(bytes, from: 3)) is not valid UTF-8"),
                           at: firstInvalidUTF8(bytes, from: 3))
            }
            decoded = DecodedText(text: s, encoding: .utf8BOM)
        } else if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) {
            let little = bytes[0] == 0xFF
            guard bytes.count % 2 == 0 else {
                throw fail(.wrongEncoding(detail: "the file starts with a UTF-16 byte-order mark but has an odd number of bytes; it is cut off or not UTF-16"))
            }
            var units: [UInt16] = []
            units.reserveCapacity(bytes.count / 2 - 1)
            var i = 2
            while i + 1 < bytes.count {
                let (a, b) = (UInt16(bytes[i]), UInt16(bytes[i + 1]))
                units.append(little ? (a | b << 8) : (a << 8 | b))
                i += 2
            }
            guard let s = String(validating: units, as: UTF16.self) else {
                throw fail(.wrongEncoding(detail: "the file starts with a UTF-16 byte-order mark but holds broken UTF-16 (an unpaired surrogate)"))
            }
            decoded = DecodedText(text: s, encoding: little ? .utf16LE : .utf16BE)
        } else if let nul = bytes.firstIndex(of: 0) {
            throw fail(.binary(detail: "it contains a NUL byte at byte \(nul) (a binary file, or UTF-16 saved without a byte-order mark)"), at: nul)
        } else if let s = String(validating: bytes, as: UTF8.self) {
            decoded = DecodedText(text: s, encoding: .utf8)
        } else {
            decoded = try decodeSingleByte(bytes, file: file)
        }

        // A DOS end-of-file mark is an artefact of old exports, not content.
        if decoded.text.unicodeScalars.last == "\u{1A}" { decoded.text.unicodeScalars.removeLast() }
        var offset = 0
        for scalar in decoded.text.unicodeScalars {
            if isForbiddenControl(scalar) {
                throw fail(.binary(detail: String(format: "it contains the control character U+%04X at character %d", scalar.value, offset)), at: nil)
            }
            offset += 1
        }
        // Byte-order marks repeated inside the text (U+FEFF) are blank too.
        if decoded.text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace || $0 == "\u{0B}" || $0 == "\u{1C}" || $0 == "\u{FEFF}" }) {
            throw fail(.empty)
        }
        return decoded
    }

    static func isForbiddenControl(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09, 0x0A, 0x0C, 0x0D, 0x0B, 0x1C: return false   // whitespace and MLLP framing
        case 0x00...0x1F, 0x7F: return true
        case 0x80...0x9F: return true                          // C1 controls: never in clinical text
        default: return false
        }
    }

    private static func firstInvalidUTF8(_ bytes: [UInt8], from start: Int) -> Int {
        // Shortest prefix that fails marks the first bad byte closely enough for a clerk.
        var lo = start, hi = bytes.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if String(validating: bytes[start..<mid], as: UTF8.self) != nil { lo = mid + 1 } else { hi = mid }
        }
        return max(start, lo - 1)
    }

    /// Windows-1252's printable characters at 0x80–0x9F; nil where the code page leaves a hole.
    private static let cp1252High: [UInt32?] = [
        0x20AC, nil, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, nil, 0x017D, nil,
        nil, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, nil, 0x017E, 0x0178,
    ]

    private static func decodeSingleByte(_ bytes: [UInt8], file: String) throws(DocumentError) -> DecodedText {
        let usesC1 = bytes.contains { (0x80...0x9F).contains($0) }
        var scalars = String.UnicodeScalarView()
        for (i, b) in bytes.enumerated() {
            if usesC1, (0x80...0x9F).contains(b) {
                guard let v = cp1252High[Int(b) - 0x80], let u = Unicode.Scalar(v) else {
                    throw DocumentError(file: file, place: .byteOffset(i), problem: .wrongEncoding(detail: String(
                        format: "the file is not UTF-8, and byte 0x%02X at byte %d is not a character in Latin-1 or Windows-1252 either", b, i)))
                }
                scalars.append(u)
            } else {
                scalars.append(Unicode.Scalar(b))
            }
        }
        return DecodedText(text: String(scalars), encoding: usesC1 ? .windows1252 : .latin1)
    }
}
