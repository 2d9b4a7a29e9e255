/// The three character classes the pre-tokenizer regexes use, with the meaning they have in the regex engine
/// behind Hugging Face `tokenizers` (Oniguruma): `\p{L}` letters (Lu Ll Lt Lm Lo), `\p{N}` numbers (Nd Nl No),
/// `\s` the Unicode White_Space property. A fixture dumped from Oniguruma checks every code point.
enum CharacterClass: UInt8 {
    case letter
    case number
    case whitespace
    case other

    /// ASCII is looked up in a table; everything else asks the Unicode properties of the standard library.
    private static let ascii: [CharacterClass] = (0..<128).map { b -> CharacterClass in
        switch UInt8(b) {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): return .letter
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return .number
        case 0x09...0x0D, 0x20: return .whitespace
        default: return .other
        }
    }

    @inline(__always)
    static func of(_ scalar: UInt32) -> CharacterClass {
        if scalar < 128 { return ascii[Int(scalar)] }
        return ofNonASCII(scalar)
    }

    /// Oniguruma in tokenizers 0.23 has Unicode 16 tables, the Swift standard library Unicode 17: characters
    /// added after 16.0 are unassigned (neither letter nor number) for the regex, so they are here too.
    static let regexUnicodeVersion = (major: 16, minor: 0)

    static func ofNonASCII(_ value: UInt32) -> CharacterClass {
        guard let scalar = Unicode.Scalar(value) else { return .other }
        let properties = scalar.properties
        let cls: CharacterClass
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            cls = .letter
        case .decimalNumber, .letterNumber, .otherNumber:
            cls = .number
        default:
            return properties.isWhitespace ? .whitespace : .other
        }
        if let age = properties.age,
           age.major > regexUnicodeVersion.major || (age.major == regexUnicodeVersion.major && age.minor > regexUnicodeVersion.minor) {
            return .other
        }
        return cls
    }
}
