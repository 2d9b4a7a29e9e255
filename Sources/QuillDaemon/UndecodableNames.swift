import Foundation
import QuillStore
#if canImport(Glibc)
import Glibc
#endif

/// Inbox names that are not valid UTF-8. No `String` reaches such a file (decoding repairs the
/// bytes into a name that does not exist), so it would never be claimed: it is renamed in the
/// inbox, before anything else, to a valid name that shows each stray byte as `%XX`
/// (`caf\xE9.txt` → `caf%E9.txt`), and from there goes the way of every other file.
enum UndecodableNames {
    /// The valid name that stands for `raw`, at most `NAME_MAX` bytes.
    static func escaped(_ raw: [UInt8]) -> String {
        var out = String.UnicodeScalarView()
        var parser = Unicode.UTF8.ForwardParser()
        var input = raw.makeIterator()
        var offset = 0
        loop: while true {
            switch parser.parseScalar(from: &input) {
            case .valid(let encoded):
                out.append(Unicode.UTF8.decode(encoded))
                offset += encoded.count
            case .error(let length):
                for b in raw[offset..<min(offset + length, raw.count)] {
                    for c in "%" + hex(b) { out.append(contentsOf: c.unicodeScalars) }
                }
                offset += length
            case .emptyInput:
                break loop
            }
        }
        return FileNameFitting.fitted(String(out), maxBytes: 255)
    }

    /// Renames the entry `raw` in `folder` to its escaped name, or, when that name is taken, to
    /// the escaped name with a random suffix; returns the new name. The check for a taken name and
    /// the rename are two calls: a sender writing that very name in between would be replaced,
    /// which a random suffix on the second try makes unlikely, not impossible.
    static func rename(_ raw: [UInt8], in folder: String) throws -> String {
        var name = escaped(raw)
        if FileOperations.exists(folder + "/" + name) {
            let suffix = "-" + String(UInt32.random(in: 0...UInt32.max), radix: 16)
            var base = Substring(name), ext = Substring("")
            if let dot = name.lastIndex(of: "."), dot != name.startIndex, name[dot...].utf8.count <= 16 {
                base = name[..<dot]; ext = name[dot...]
            }
            name = FileNameFitting.fitted(String(base), maxBytes: 255 - 16 - suffix.utf8.count) + suffix + ext
        }
        let from = Array(folder.utf8) + [0x2F] + raw + [0]
        let to = folder + "/" + name
        _ = try from.withUnsafeBufferPointer { p in
            try p.withMemoryRebound(to: CChar.self) { c in
                try syscall("rename", to) { Glibc.rename(c.baseAddress!, to) }
            }
        }
        try FileOperations.fsyncPath(folder, directory: true)
        return name
    }

    static func hex(_ b: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(b >> 4)], digits[Int(b & 0x0F)]])
    }
}
