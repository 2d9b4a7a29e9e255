/// tokenizer.json's `post_processor` for a single sequence: the special tokens placed before and after the
/// encoded text when the caller asks for special tokens (BOS for Llama-family and DeepSeek tokenizers).
struct PostProcessor {
    var prefix: [Int32] = []
    var suffix: [Int32] = []

    static func decode(_ node: JSONNode) throws -> PostProcessor? {
        if node.isNull { return nil }
        let type = try node["type"].string()
        switch type {
        case "ByteLevel":
            return PostProcessor()
        case "TemplateProcessing":
            var result = PostProcessor()
            var seenSequence = false
            let specials = node["special_tokens"]
            for item in try node["single"].array() {
                if item["Sequence"].isObject {
                    seenSequence = true
                } else if item["SpecialToken"].isObject {
                    let name = try item["SpecialToken"]["id"].string()
                    let entry = specials[name]
                    guard entry.isObject else { throw item.fail("special token \"\(name)\" missing from special_tokens") }
                    let ids = try entry["ids"].array().map { Int32(try $0.tokenId()) }
                    if seenSequence { result.suffix += ids } else { result.prefix += ids }
                } else {
                    throw item.unsupported("TemplateProcessing item")
                }
            }
            return result
        case "Sequence":
            var result = PostProcessor()
            for step in try node["processors"].array() {
                if let p = try decode(step) {
                    // Each processor wraps what the ones before it produced.
                    result.prefix = p.prefix + result.prefix
                    result.suffix += p.suffix
                }
            }
            return result
        default:
            throw node["type"].unsupported("post-processor \"\(type)\"")
        }
    }
}
