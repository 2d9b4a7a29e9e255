/// HL7 v2 TS/DTM and CDA TS values (`YYYY[MM[DD[HH[MM[SS[.S…]]]]]][+/-ZZZZ]`) as ISO 8601 text,
/// keeping exactly the precision the source gave: "2005" stays a year, "200505" a month.
enum ClinicalTimestamp {
    /// nil when the value is not a timestamp of this form (the caller then keeps it as written).
    static func iso(_ raw: String, dateOnly: Bool = false) -> String? {
        let s = Array(raw.trimmedWhitespace.utf8)
        var digits: [UInt8] = []
        var i = 0
        while i < s.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(s[i]) { digits.append(s[i] - 48); i += 1 }
        var fraction = ""
        if i < s.count, s[i] == UInt8(ascii: ".") {
            i += 1
            while i < s.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(s[i]), fraction.count < 9 {
                fraction.append(Character(Unicode.Scalar(s[i]))); i += 1
            }
            guard !fraction.isEmpty else { return nil }
        }
        var offset = ""
        if i < s.count, s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
            let sign = s[i] == UInt8(ascii: "+") ? "+" : "-"
            let z = s[(i + 1)...].map { $0 }
            guard z.count == 4, z.allSatisfy({ (48...57).contains($0) }) else { return nil }
            let zh = Int(z[0] - 48) * 10 + Int(z[1] - 48), zm = Int(z[2] - 48) * 10 + Int(z[3] - 48)
            guard zh <= 14, zm < 60 else { return nil }
            offset = "\(sign)\(two(zh)):\(two(zm))"
            i = s.count
        }
        guard i == s.count else { return nil }
        guard [4, 6, 8, 10, 12, 14].contains(digits.count) else { return nil }
        func num(_ a: Int, _ n: Int) -> Int { digits[a..<(a + n)].reduce(0) { $0 * 10 + Int($1) } }
        let year = num(0, 4)
        var out = String(year)
        guard year >= 1800 else { return nil }
        if digits.count >= 6 { let m = num(4, 2); guard (1...12).contains(m) else { return nil }; out += "-" + two(m) }
        if digits.count >= 8 { let d = num(6, 2); guard (1...31).contains(d) else { return nil }; out += "-" + two(d) }
        if dateOnly { return out }
        if digits.count >= 12 {
            let h = num(8, 2), m = num(10, 2)
            guard h < 24, m < 60 else { return nil }
            out += "T\(two(h)):\(two(m))"
            if digits.count == 14 {
                let sec = num(12, 2); guard sec < 61 else { return nil }
                out += ":" + two(sec)
                if !fraction.isEmpty { out += "." + fraction }
            }
            out += offset
        } else if digits.count == 10 {
            let h = num(8, 2); guard h < 24 else { return nil }
            out += "T\(two(h)):00" + offset
        }
        return out
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
