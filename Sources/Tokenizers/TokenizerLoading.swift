import Foundation

/// Reading tokenizer.json's `model` section into a `BPEModel`.
extension BPEModel {
    /// `byteLevel`: the pre-tokenizer maps bytes to GPT-2's alphabet, so vocabulary strings are mapped back to
    /// the bytes they stand for.
    static func decode(_ node: JSONNode, byteLevel: Bool, addedTokens: [AddedToken]) throws -> BPEModel {
        let type = try node["type"].optionalString() ?? "BPE"
        guard type == "BPE" else { throw node["type"].unsupported("model type \"\(type)\" (only BPE)") }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let v = try node[key].optionalString(), !v.isEmpty { throw node[key].unsupported("\(key) \"\(v)\"") }
        }
        if let dropout = node["dropout"].value as? Double, dropout > 0 {
            throw node["dropout"].unsupported("BPE dropout")
        }

        guard let rawVocab = node["vocab"].rawObject else { throw node["vocab"].fail("expected an object of token → id") }
        var idOf: [String: Int32] = [:]
        idOf.reserveCapacity(rawVocab.count)
        var maxId = -1
        for (token, value) in rawVocab {
            guard let id = value as? Int, id >= 0, id <= JSONNode.maximumTokenId else {
                throw node["vocab"][token].fail("expected a token id in 0...\(JSONNode.maximumTokenId), found \(value)")
            }
            idOf[token] = Int32(id)
            maxId = max(maxId, id)
        }
        for t in addedTokens { maxId = max(maxId, t.id) }

        var strings = [String](repeating: "", count: maxId + 1)
        var table = ByteStringTable(capacity: idOf.count)
        for (token, id) in idOf {
            strings[Int(id)] = token
            let bytes = byteLevel ? (ByteLevelAlphabet.bytes(of: token) ?? Array(token.utf8)) : Array(token.utf8)
            table.set(id, for: bytes)
        }

        let mergeNodes = node["merges"]
        guard let rawMerges = mergeNodes.value as? [Any] else { throw mergeNodes.fail("expected an array of merges") }
        var merges = MergeTable(capacity: rawMerges.count)
        for (rank, item) in rawMerges.enumerated() {
            let left: String, right: String
            if let s = item as? String {
                // "a b": the separator is the first space (neither side contains a space in byte-level or ▁ vocabularies).
                guard let space = s.firstIndex(of: " ") else { throw mergeNodes.fail("merge \(rank) \"\(s)\" has no space") }
                left = String(s[..<space])
                right = String(s[s.index(after: space)...])
            } else if let pair = item as? [Any], pair.count == 2, let a = pair[0] as? String, let b = pair[1] as? String {
                left = a
                right = b
            } else {
                throw mergeNodes.fail("merge \(rank) is neither \"a b\" nor [\"a\", \"b\"]")
            }
            guard let l = idOf[left], let r = idOf[right] else {
                throw mergeNodes.fail("merge \(rank) uses a token missing from the vocabulary")
            }
            guard let m = idOf[left + right] else {
                throw mergeNodes.fail("merge \(rank) makes a token missing from the vocabulary")
            }
            merges.insert(left: l, right: r, rank: Int32(rank), merged: m)
        }

        let byteFallback = try node["byte_fallback"].bool(default: false)
        var byteIds = [Int32](repeating: -1, count: 256)
        for b in 0..<256 {
            let name = byteLevel ? String(ByteLevelAlphabet.byteToScalar[b]) : String(format: "<0x%02X>", b)
            if let id = idOf[name] { byteIds[b] = id }
        }
        let unknown = try node["unk_token"].optionalString()
        let unknownId: Int32?
        if let unknown {
            guard let id = idOf[unknown] ?? addedTokens.first(where: { $0.content == unknown }).map({ Int32($0.id) }) else {
                throw node["unk_token"].fail("unknown token \"\(unknown)\" is not in the vocabulary")
            }
            unknownId = id
        } else {
            unknownId = nil
        }

        return BPEModel(alphabet: byteLevel ? .bytes : .scalars, vocabulary: table, tokenStrings: strings,
                        merges: merges, byteIds: byteIds, unknownId: unknownId, byteFallback: byteFallback,
                        fuseUnknown: try node["fuse_unk"].bool(default: false),
                        ignoreMerges: try node["ignore_merges"].bool(default: false))
    }
}

extension AddedToken {
    static func decodeList(_ node: JSONNode) throws -> [AddedToken] {
        if node.isNull { return [] }
        return try node.array().map { item in
            AddedToken(id: try item["id"].tokenId(), content: try item["content"].string(),
                       singleWord: try item["single_word"].bool(default: false),
                       lstrip: try item["lstrip"].bool(default: false),
                       rstrip: try item["rstrip"].bool(default: false),
                       normalized: try item["normalized"].bool(default: false),
                       special: try item["special"].bool(default: false))
        }
    }
}

/// The special-token names of tokenizer_config.json (`bos_token`, `eos_token`, …), which are either a string or an
/// object with `content`.
func specialTokenContent(_ node: JSONNode) throws -> String? {
    if node.isNull { return nil }
    if let s = node.value as? String { return s }
    if node.isObject { return try node["content"].string() }
    throw node.fail("expected a string or an object with \"content\"")
}
