/// The pre-tokenizer a GGUF file names in `tokenizer.ggml.pre`, chosen as llama.cpp chooses it (llama-vocab.cpp),
/// with the regex list llama.cpp runs for that name expressed as this module's `PreTokenizer` steps. Each name
/// stands for the pre-tokenizer of the Hugging Face tokenizer.json the file was converted from.
struct GGUFPreTokenizer {
    let preTokenizer: PreTokenizer
    /// The normalizer of that tokenizer.json (NFC for Qwen2). llama.cpp leaves text as it is; Hugging Face, whose
    /// ids are the reference, does not, so text that is not in NFC would otherwise tokenize differently.
    let normalizer: Normalizer?
    /// Llama 3: a word that is itself a vocabulary entry is taken whole (tokenizer.json `ignore_merges`).
    let ignoreMerges: Bool
    /// Whether BOS is added when the file does not say (`tokenizer.ggml.add_bos_token` overrides).
    let addsBOS: Bool

    /// The names this module knows, for error messages.
    static let knownNames = ["default", "gpt2", "gpt-2", "qwen2", "deepseek-r1-qwen", "llama3", "llama-v3", "llama-bpe",
                             "smollm", "deepseek-llm"]

    /// nil for a name llama.cpp would not know either, or one whose regexes are not implemented here.
    init?(named name: String) {
        // Every byte-level GGUF vocabulary maps bytes to GPT-2's alphabet after splitting (no regex of its own).
        let bytes = PreTokenizer.byteLevel(addPrefixSpace: false, useRegex: false)
        var ignoreMerges = false
        var addsBOS = false
        var normalizer: Normalizer? = nil
        let preTokenizer: PreTokenizer
        switch name {
        case "qwen2", "deepseek-r1-qwen":
            // The same two steps as Qwen2's tokenizer.json, so encoding takes the same fast path.
            preTokenizer = .sequence([.split(.llama3Style(maxDigits: 1)), bytes])
            normalizer = .nfc
        case "llama3", "llama-v3", "llama-bpe":
            preTokenizer = .sequence([.split(.llama3Style(maxDigits: 3)), bytes])
            ignoreMerges = true
            addsBOS = true
        case "gpt2", "gpt-2":
            // llama.cpp's GPT-2 regex lacks the final `|\s+`; text no alternative matches stays a piece of its
            // own, which is what `\s+` would have matched, so the result is GPT-2's.
            preTokenizer = .sequence([.split(.gpt2), bytes])
        case "smollm":
            // SmolLM's tokenizer.json: Digits(individual_digits) then ByteLevel(use_regex); llama.cpp: `\p{N}` then
            // the GPT-2 regex.
            preTokenizer = .sequence([.split(.run(.numbers, maxLength: 1)), .split(.gpt2), bytes])
        case "deepseek-llm":
            preTokenizer = .sequence([
                .split(.run(.ranges([0x0A...0x0A, 0x0D...0x0D]), maxLength: 1)),
                .split(.run(.ranges(Self.deepSeekLetters), optionalWhitespace: true)),
                .split(.run(.ranges(Self.deepSeekPunctuation), optionalWhitespace: true)),
                .split(.trailingWhitespace),
                .split(.run(.ranges([0x4E00...0x9FA5, 0x800...0x4E00, 0xAC00...0xD7FF]))),
                .split(.run(.numbers)),
                bytes,
            ])
        case "default":
            // What llama.cpp runs for a file without a recognised pre-tokenizer (it warns that quality suffers).
            preTokenizer = .sequence([
                .split(.run(.punctuationAndSymbols)),
                .split(.gpt2),
                .split(.run(.numbers)),
                .split(.run(.ranges([0x30...0x39]), minLength: 3, maxLength: 3)),
                bytes,
            ])
        default:
            return nil
        }
        self.preTokenizer = preTokenizer
        self.ignoreMerges = ignoreMerges
        self.addsBOS = addsBOS
        self.normalizer = normalizer
    }

    /// DeepSeek LLM's letter class `[A-Za-zµÀ-ÖØ-öø-ƺ…𞤀-𞥃]`, as ranges.
    static let deepSeekLetters: [ClosedRange<UInt32>] = [
        0x41...0x5A, 0x61...0x7A, 0xB5...0xB5, 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x1BA, 0x1BC...0x1BF, 0x1C4...0x293,
        0x295...0x2AF, 0x370...0x373, 0x376...0x377, 0x37B...0x37D, 0x37F...0x37F, 0x386...0x386, 0x388...0x38A,
        0x38C...0x38C, 0x38E...0x3A1, 0x3A3...0x3F5, 0x3F7...0x481, 0x48A...0x52F, 0x531...0x556, 0x10A0...0x10C5,
        0x13A0...0x13F5, 0x13F8...0x13FD, 0x1C90...0x1CBA, 0x1CBD...0x1CBF, 0x1D00...0x1D2B, 0x1D6B...0x1D77,
        0x1D79...0x1D9A, 0x1E00...0x1F15, 0x1F18...0x1F1D, 0x1F20...0x1F45, 0x1F48...0x1F4D, 0x1F50...0x1F57,
        0x1F59...0x1F59, 0x1F5B...0x1F5B, 0x1F5D...0x1F5D, 0x1F5F...0x1F7D, 0x1F80...0x1FB4, 0x1FB6...0x1FBC,
        0x1FBE...0x1FBE, 0x1FC2...0x1FC4, 0x1FC6...0x1FCC, 0x1FD0...0x1FD3, 0x1FD6...0x1FDB, 0x1FE0...0x1FEC,
        0x1FF2...0x1FF4, 0x1FF6...0x1FFC, 0x2102...0x2102, 0x2107...0x2107, 0x210A...0x2113, 0x2115...0x2115,
        0x2119...0x211D, 0x2124...0x2124, 0x2126...0x2126, 0x2128...0x2128, 0x212A...0x212D, 0x212F...0x2134,
        0x2139...0x2139, 0x213C...0x213F, 0x2145...0x2149, 0x214E...0x214E, 0x2183...0x2184, 0x2C00...0x2C7B,
        0x2C7E...0x2CE4, 0x2CEB...0x2CEE, 0x2CF2...0x2CF3, 0xA640...0xA66D, 0xA680...0xA69B, 0xA722...0xA76F,
        0xA771...0xA787, 0xA78B...0xA78E, 0xAB70...0xABBF, 0xFB00...0xFB06, 0xFB13...0xFB17, 0xFF21...0xFF3A,
        0xFF41...0xFF5A, 0x10400...0x1044F, 0x104B0...0x104D3, 0x104D8...0x104FB, 0x10C80...0x10CB2,
        0x10CC0...0x10CF2, 0x118A0...0x118DF, 0x1E900...0x1E943,
    ]

    /// DeepSeek LLM's punctuation class `[!-/:-~！-／：-～‘-‟　-。]`.
    static let deepSeekPunctuation: [ClosedRange<UInt32>] = [
        0x21...0x2F, 0x3A...0x7E, 0xFF01...0xFF0F, 0xFF1A...0xFF5E, 0x2018...0x201F, 0x3000...0x3002,
    ]
}
