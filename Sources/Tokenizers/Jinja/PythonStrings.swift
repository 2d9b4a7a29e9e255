/// Python's string operations where Swift's differ (whitespace rules, empty separators, title case), for the
/// string methods and filters templates call.

/// Python's `str.split(sep, maxsplit)`: no separator splits on whitespace runs and drops empty ends.
func pythonSplit(_ s: String, separator: String?, maxSplit: Int, fromRight: Bool) -> [String] {
    let scalars = Array(s.unicodeScalars)
    func str(_ slice: ArraySlice<Unicode.Scalar>) -> String { String(String.UnicodeScalarView(slice)) }
    var parts: [String] = []
    if let separator, !separator.isEmpty {
        let sep = Array(separator.unicodeScalars)
        if fromRight {
            var end = scalars.count
            var k = scalars.count - sep.count
            while k >= 0 && (maxSplit < 0 || parts.count < maxSplit) {
                if Array(scalars[k..<(k + sep.count)]) == sep {
                    parts.insert(str(scalars[(k + sep.count)..<end]), at: 0)
                    end = k
                    k -= sep.count
                } else { k -= 1 }
            }
            parts.insert(str(scalars[0..<end]), at: 0)
            return parts
        }
        var start = 0
        var k = 0
        while k + sep.count <= scalars.count && (maxSplit < 0 || parts.count < maxSplit) {
            if Array(scalars[k..<(k + sep.count)]) == sep {
                parts.append(str(scalars[start..<k]))
                k += sep.count
                start = k
            } else { k += 1 }
        }
        parts.append(str(scalars[start...]))
        return parts
    }
    var k = 0
    while k < scalars.count {
        while k < scalars.count && scalars[k].properties.isWhitespace { k += 1 }
        if k >= scalars.count { break }
        if maxSplit >= 0 && parts.count == maxSplit {
            var end = scalars.count
            while end > k && scalars[end - 1].properties.isWhitespace { end -= 1 }
            parts.append(str(scalars[k..<end]))
            break
        }
        let start = k
        while k < scalars.count && !scalars[k].properties.isWhitespace { k += 1 }
        parts.append(str(scalars[start..<k]))
    }
    return parts
}

/// Python's `str.strip([chars])` and its one-sided forms.
func pythonStrip(_ s: String, chars: String?, leading: Bool, trailing: Bool) -> String {
    var scalars = Substring(s).unicodeScalars
    let set = chars.map { Set($0.unicodeScalars) }
    func strip(_ u: Unicode.Scalar) -> Bool { set.map { $0.contains(u) } ?? u.properties.isWhitespace }
    if leading { while let f = scalars.first, strip(f) { scalars = scalars.dropFirst() } }
    if trailing { while let l = scalars.last, strip(l) { scalars = scalars.dropLast() } }
    return String(String.UnicodeScalarView(scalars))
}

/// Python's `str.title()`: uppercase after any non-letter, lowercase elsewhere.
func pythonTitle(_ s: String) -> String {
    var out = ""
    var previousIsLetter = false
    for c in s {
        out += previousIsLetter ? c.lowercased() : c.uppercased()
        previousIsLetter = c.isLetter
    }
    return out
}
