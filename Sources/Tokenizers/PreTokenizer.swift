/// tokenizer.json's `pre_tokenizer`: how a normalized stretch of text is cut into words before BPE.
/// Words are byte ranges of a working buffer; steps that insert text (`▁`, a prefix space) rebuild the buffer.
indirect enum PreTokenizer {
    /// `Split` with behaviour `Isolated` over one of the supported regexes.
    case split(SplitPattern)
    /// `ByteLevel`: the byte-to-character mapping itself is implicit (the model works on raw bytes); this step
    /// only adds a prefix space and, with `use_regex`, splits with GPT-2's pattern.
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    /// `Metaspace`: spaces become `replacement`, which is also prepended (always, or only at the very start of
    /// the input for scheme "first"); with `split`, each word starts at a `replacement`.
    case metaspace(replacement: String, prependScheme: PrependScheme, split: Bool)
    case sequence([PreTokenizer])

    enum PrependScheme: String { case always, first, never }

    /// Does this pre-tokenizer make the model byte-level (vocabulary in GPT-2's byte alphabet)?
    var isByteLevel: Bool {
        switch self {
        case .byteLevel: return true
        case .sequence(let steps): return steps.contains { $0.isByteLevel }
        default: return false
        }
    }

    static func decode(_ node: JSONNode) throws -> PreTokenizer? {
        if node.isNull { return nil }
        let type = try node["type"].string()
        switch type {
        case "Split":
            guard let regex = try node["pattern"]["Regex"].optionalString() else {
                throw node["pattern"].unsupported("Split pattern (only the Qwen2, Llama 3 and GPT-2 regexes are supported)")
            }
            guard let pattern = SplitPattern(regex: regex) else {
                throw node["pattern"]["Regex"].unsupported("Split regex \(regex) (supported: the Qwen2, Llama 3 and GPT-2 patterns)")
            }
            let behavior = try node["behavior"].string()
            guard behavior == "Isolated" else { throw node["behavior"].unsupported("Split behavior \"\(behavior)\"") }
            guard try !node["invert"].bool(default: false) else { throw node["invert"].unsupported("Split invert = true") }
            return .split(pattern)
        case "ByteLevel":
            return .byteLevel(addPrefixSpace: try node["add_prefix_space"].bool(default: true),
                              useRegex: try node["use_regex"].bool(default: true))
        case "Metaspace":
            let replacement = try node["replacement"].optionalString() ?? "\u{2581}"
            var scheme = PrependScheme.always
            if let raw = try node["prepend_scheme"].optionalString() {
                guard let s = PrependScheme(rawValue: raw) else { throw node["prepend_scheme"].unsupported("prepend_scheme \"\(raw)\"") }
                scheme = s
            } else if !(try node["add_prefix_space"].bool(default: true)) {
                scheme = .never
            }
            return .metaspace(replacement: replacement, prependScheme: scheme, split: try node["split"].bool(default: true))
        case "Sequence":
            return .sequence(try node["pretokenizers"].array().compactMap { try decode($0) })
        default:
            throw node["type"].unsupported("pre-tokenizer \"\(type)\"")
        }
    }

    /// Cuts `buffer` into `words`. `atInputStart` says whether the buffer begins at the start of the caller's
    /// text (not after an added token), which Metaspace's "first" scheme needs.
    func apply(_ buffer: inout [UInt8], _ words: inout [Range<Int>], atInputStart: Bool) {
        switch self {
        case .split(let pattern):
            var out: [Range<Int>] = []
            out.reserveCapacity(words.count * 2)
            buffer.withUnsafeBufferPointer { text in
                for w in words { pattern.split(text, in: w) { out.append($0) } }
            }
            words = out
        case .byteLevel(let addPrefixSpace, let useRegex):
            if addPrefixSpace {
                rebuild(&buffer, &words) { word, isFirst, out in
                    guard !word.isEmpty else { return }  // empty text stays empty, as in tokenizers
                    if word.first != 0x20 { out.append(0x20) }
                    out.append(contentsOf: word)
                }
            }
            if useRegex { PreTokenizer.split(.gpt2).apply(&buffer, &words, atInputStart: atInputStart) }
        case .metaspace(let replacement, let scheme, let split):
            let marker = Array(replacement.utf8)
            rebuild(&buffer, &words) { word, isFirst, out in
                guard !word.isEmpty else { return }
                // Spaces become the marker first, so a word that starts with a space already has its marker.
                let startsWithMarker = word.first == 0x20 || word.starts(with: marker)
                let prepend = scheme == .always || (scheme == .first && isFirst && atInputStart)
                if prepend && !startsWithMarker { out.append(contentsOf: marker) }
                for b in word {
                    if b == 0x20 { out.append(contentsOf: marker) } else { out.append(b) }
                }
            }
            if split && !marker.isEmpty {
                var out: [Range<Int>] = []
                for w in words {
                    var start = w.lowerBound
                    var i = w.lowerBound
                    while i < w.upperBound {
                        if i > start && i + marker.count <= w.upperBound && buffer[i..<(i + marker.count)].elementsEqual(marker) {
                            out.append(start..<i)
                            start = i
                        }
                        i += 1
                    }
                    if start < w.upperBound { out.append(start..<w.upperBound) }
                }
                words = out
            }
        case .sequence(let steps):
            for step in steps { step.apply(&buffer, &words, atInputStart: atInputStart) }
        }
    }

    /// Rewrites each word through `transform` into a new buffer and recomputes the word ranges.
    private func rebuild(_ buffer: inout [UInt8], _ words: inout [Range<Int>],
                         _ transform: (ArraySlice<UInt8>, Bool, inout [UInt8]) -> Void) {
        var out: [UInt8] = []
        out.reserveCapacity(buffer.count + 8)
        var ranges: [Range<Int>] = []
        for (k, w) in words.enumerated() {
            let start = out.count
            transform(buffer[w], k == 0 && w.lowerBound == 0, &out)
            ranges.append(start..<out.count)
        }
        buffer = out
        words = ranges
    }
}
