/// Byte-pair encoding as Hugging Face `tokenizers` does it: a word starts as one symbol per byte (byte-level
/// vocabularies) or per Unicode scalar (SentencePiece-style vocabularies, with `<0xNN>` byte fallback), then the
/// adjacent pair with the lowest merge rank is merged, leftmost first, until no listed pair remains.
///
/// Token ids are `Int32` inside the model to keep the working arrays small; the public API speaks `Int`.
struct BPEModel {
    /// How a word's first symbols are formed.
    enum Alphabet {
        /// One symbol per byte; vocabulary strings are in GPT-2's byte alphabet (see `ByteLevelAlphabet`).
        case bytes
        /// One symbol per Unicode scalar; a scalar missing from the vocabulary becomes its UTF-8 bytes as
        /// `<0xNN>` tokens when `byteFallback` is on, else the unknown token.
        case scalars
    }

    let alphabet: Alphabet
    /// Token content as raw bytes (byte-level strings already mapped back to bytes) → id.
    let vocabulary: ByteStringTable
    /// id → the token string exactly as tokenizer.json spells it (for decoders that work on strings).
    let tokenStrings: [String]
    let merges: MergeTable
    /// Ids of the 256 single-byte symbols (byte-level) or of the `<0xNN>` tokens (byte fallback); -1 if absent.
    let byteIds: [Int32]
    let unknownId: Int32?
    let byteFallback: Bool
    let fuseUnknown: Bool
    /// Llama 3: a word that is itself a vocabulary entry is taken whole, without merging.
    let ignoreMerges: Bool

    /// Words at most this long (in bytes) are remembered; tokenizers uses the same bound.
    static let cacheableWordLength = 256

    /// Turns one word (raw bytes) into ids, appending them to `out`.
    func encodeWord(_ word: UnsafeRawBufferPointer, into out: inout [Int32]) {
        if word.isEmpty { return }
        if ignoreMerges, let id = vocabulary.value(for: word) {
            out.append(id)
            return
        }
        var symbols = initialSymbols(word)
        if symbols.count > 1 {
            if symbols.count <= 48 {
                mergeByScanning(&symbols)
            } else {
                mergeWithHeap(&symbols)
            }
        }
        out.append(contentsOf: symbols)
    }

    func initialSymbols(_ word: UnsafeRawBufferPointer) -> [Int32] {
        var symbols: [Int32] = []
        symbols.reserveCapacity(word.count)
        switch alphabet {
        case .bytes:
            for b in word {
                let id = byteIds[Int(b)]
                if id >= 0 { symbols.append(id) } else if let unk = unknownId { appendUnknown(unk, to: &symbols) }
            }
        case .scalars:
            var i = 0
            while i < word.count {
                let length = utf8Length(word[i])
                let scalarBytes = UnsafeRawBufferPointer(rebasing: word[i..<min(i + length, word.count)])
                if let id = vocabulary.value(for: scalarBytes) {
                    symbols.append(id)
                } else if byteFallback, scalarBytes.allSatisfy({ byteIds[Int($0)] >= 0 }) {
                    for b in scalarBytes { symbols.append(byteIds[Int(b)]) }
                } else if let unk = unknownId {
                    appendUnknown(unk, to: &symbols)
                }
                i += length
            }
        }
        return symbols
    }

    private func appendUnknown(_ unk: Int32, to symbols: inout [Int32]) {
        if fuseUnknown, symbols.last == unk { return }
        symbols.append(unk)
    }

    private func utf8Length(_ lead: UInt8) -> Int {
        lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
    }

    /// The plain version: rescan all adjacent pairs for the lowest rank after every merge. Quadratic, and the
    /// fastest for the short words that byte-level pre-tokenizers produce. Same result as `mergeWithHeap`.
    func mergeByScanning(_ symbols: inout [Int32]) {
        // ranks[k] is the merge of symbols[k] and symbols[k + 1]; Int32.max when that pair does not merge.
        var ranks = [Int32](repeating: .max, count: symbols.count - 1)
        var merged = [Int32](repeating: 0, count: symbols.count - 1)
        for k in 0..<(symbols.count - 1) {
            if let m = merges.lookup(symbols[k], symbols[k + 1]) { ranks[k] = m.rank; merged[k] = m.merged }
        }
        while !ranks.isEmpty {
            var best = 0
            for k in 1..<ranks.count where ranks[k] < ranks[best] { best = k }
            if ranks[best] == .max { break }
            symbols[best] = merged[best]
            symbols.remove(at: best + 1)
            ranks.remove(at: best)
            merged.remove(at: best)
            if best > 0 {
                if let m = merges.lookup(symbols[best - 1], symbols[best]) {
                    ranks[best - 1] = m.rank; merged[best - 1] = m.merged
                } else { ranks[best - 1] = .max }
            }
            if best < ranks.count {
                if let m = merges.lookup(symbols[best], symbols[best + 1]) {
                    ranks[best] = m.rank; merged[best] = m.merged
                } else { ranks[best] = .max }
            }
        }
    }

    /// The version for long words (SentencePiece-style models BPE a whole text segment as one word): a heap of
    /// candidate merges ordered by (rank, position), symbols in a linked list, stale candidates skipped when
    /// popped — the algorithm of tokenizers' `Word::merge_all`.
    func mergeWithHeap(_ symbols: inout [Int32]) {
        let n = symbols.count
        var next = Array(1...n)   // n means none
        var prev = Array(-1..<(n - 1))
        var alive = [Bool](repeating: true, count: n)
        var heap = MergeHeap()
        for k in 0..<(n - 1) {
            if let m = merges.lookup(symbols[k], symbols[k + 1]) {
                heap.push(.init(rank: m.rank, position: Int32(k), merged: m.merged))
            }
        }
        while let top = heap.pop() {
            let pos = Int(top.position)
            guard alive[pos] else { continue }
            let right = next[pos]
            guard right < n else { continue }
            // Still the same pair? The left or right symbol may have changed since this candidate was pushed.
            guard let m = merges.lookup(symbols[pos], symbols[right]), m.merged == top.merged else { continue }
            symbols[pos] = m.merged
            alive[right] = false
            let afterRight = next[right]
            next[pos] = afterRight
            if afterRight < n { prev[afterRight] = pos }
            let before = prev[pos]
            if before >= 0, let m = merges.lookup(symbols[before], symbols[pos]) {
                heap.push(.init(rank: m.rank, position: Int32(before), merged: m.merged))
            }
            if afterRight < n, let m = merges.lookup(symbols[pos], symbols[afterRight]) {
                heap.push(.init(rank: m.rank, position: Int32(pos), merged: m.merged))
            }
        }
        var result: [Int32] = []
        result.reserveCapacity(n)
        var k = 0
        while k < n {
            result.append(symbols[k])
            k = next[k]
        }
        symbols = result
    }
}

/// A binary min-heap of merge candidates ordered by rank, then by position (leftmost first).
struct MergeHeap {
    struct Candidate {
        var rank: Int32
        var position: Int32
        var merged: Int32

        @inline(__always)
        func precedes(_ other: Candidate) -> Bool {
            rank != other.rank ? rank < other.rank : position < other.position
        }
    }

    private var items: [Candidate] = []

    mutating func push(_ c: Candidate) {
        items.append(c)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].precedes(items[parent]) else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func pop() -> Candidate? {
        guard let first = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var m = i
                if l < items.count && items[l].precedes(items[m]) { m = l }
                if r < items.count && items[r].precedes(items[m]) { m = r }
                if m == i { break }
                items.swapAt(i, m)
                i = m
            }
        }
        return first
    }
}
