/// File names shortened to fit a byte budget, so that every name Quill derives from an inbox name
/// (`failed/<name>.error.json`, `<name>.17.txt`, output stems, temp names) stays within the
/// filesystem's 255-byte `NAME_MAX`: a name that cannot be written can never be settled.
public enum FileNameFitting {
    /// The longest ending kept whole when a name is shortened (`.txt`, `.hl7`, `.xml`).
    static let longestKeptExtension = 16

    /// `name` when it fits in `maxBytes` of UTF-8; otherwise its beginning, cut at a character
    /// boundary, followed by its extension (when that is short).
    public static func fitted(_ name: String, maxBytes: Int) -> String {
        if name.utf8.count <= maxBytes { return name }
        var base = Substring(name)
        var ext = Substring("")
        if let dot = name.lastIndex(of: "."), dot != name.startIndex,
           name[dot...].utf8.count <= min(longestKeptExtension, maxBytes / 2) {
            base = name[..<dot]
            ext = name[dot...]
        }
        let budget = max(0, maxBytes - ext.utf8.count)
        var kept = 0
        var end = base.startIndex
        for c in base {
            let n = c.utf8.count
            if kept + n > budget { break }
            kept += n
            end = base.index(after: end)
        }
        return String(base[..<end]) + ext
    }
}
