import Digests
import Foundation
import Tokenizers

/// One training sequence: token ids and, per token, the id it must be predicted as (its own id where the loss
/// counts, −100 where it does not, as transformers' labels).
public struct TrainingExample: Sendable, Equatable {
    public init(ids: [Int], labels: [Int], line: Int) { self.ids = ids; self.labels = labels; self.line = line }

    public var ids: [Int]
    public var labels: [Int]
    /// The JSONL line it came from (1-based); a packed block names its first line.
    public var line: Int
    /// Tokens that carry the loss: labelled ones after the first (the first token is never predicted).
    public var labelCount: Int { labels.dropFirst().filter { $0 >= 0 }.count }
}

/// A JSONL training file read into sequences, in the forms the ecosystem writes:
/// - `{"messages": [{"role", "content"}, …]}`: rendered through the model's chat template; the loss counts on
///   the assistant turns only (each turn's tokens found by rendering the conversation up to it, with and
///   without the generation prompt);
/// - `{"prompt", "completion"}`: the prompt as written (a prompt already rendered by a chat template keeps its
///   control tokens), the completion and the end-of-sequence token after it carry the loss;
/// - `{"text"}`: continual pre-training on raw text: every text plus end-of-sequence, concatenated and cut into
///   blocks of `maxLength` (packing), the loss on every token;
/// - `{"input_ids": [...], "labels": [...]}`: already tokenized (labels optional: every token), as datasets
///   prepared for transformers hold them; the only form a model without a tokenizer can train on.
/// Every id is checked against the model's vocabulary.
/// Sequences are cut at `maxLength`; one that keeps no labelled token is left out and reported (`dropped`).
public struct TrainingData: Sendable {
    public var file: String
    public var examples: [TrainingExample]
    /// Lines whose sequence kept no labelled token within `maxLength`.
    public var dropped: [Int]
    /// SHA-256 of the file's bytes.
    public var sha256: String

    /// Sequences already made (tests, and callers that tokenize themselves); `sha256` names their source.
    public init(file: String, examples: [TrainingExample], sha256: String) {
        self.file = file; self.examples = examples; self.dropped = []; self.sha256 = sha256
    }

    public init(file: String, tokenizer: Tokenizer?, template: ChatTemplate?, maxLength: Int, vocabulary: Int) throws {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw TrainingError.noData(file: file, reason: "cannot be read")
        }
        self.file = file
        sha256 = SHA256.hex(data)
        let eos = tokenizer?.eosTokenIds.first
        var examples: [TrainingExample] = [], dropped: [Int] = []
        var packed: [Int] = [], packedStart = 0
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for (i, raw) in lines.enumerated() {
            let number = i + 1
            let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { continue }
            func bad(_ reason: String) -> TrainingError { .badData(file: file, line: number, reason: reason) }
            guard let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] else {
                throw bad("not a JSON object")
            }
            func textual() throws -> (Tokenizer, Int) {
                guard let tokenizer else { throw bad("text needs the model's tokenizer, and the model has none; give input_ids") }
                guard let eos else { throw bad("the model's tokenizer names no end-of-sequence token") }
                return (tokenizer, eos)
            }
            var example: TrainingExample
            if let ids = object["input_ids"] {
                guard let ids = ids as? [Int], ids.count >= 2 else { throw bad("input_ids must be a list of at least two integers") }
                var labels = ids
                if let given = object["labels"] {
                    guard let l = given as? [Int], l.count == ids.count else { throw bad("labels must be integers, one per input id") }
                    labels = l
                }
                example = TrainingExample(ids: ids, labels: labels, line: number)
            } else if let messages = object["messages"] {
                let (tokenizer, _) = try textual()
                guard let template else { throw bad("a messages record needs the model's chat template, and the model has none") }
                example = try Self.conversation(messages, tokenizer: tokenizer, template: template, line: number, bad: bad)
            } else if let prompt = object["prompt"], let completion = object["completion"] {
                guard let p = prompt as? String, let c = completion as? String else { throw bad("prompt and completion must be strings") }
                guard !c.isEmpty else { throw bad("the completion is empty") }
                let (tokenizer, eos) = try textual()
                let pIds = tokenizer.encode(p, parseSpecial: true), cIds = tokenizer.encode(c, parseSpecial: true) + [eos]
                example = TrainingExample(ids: pIds + cIds, labels: [Int](repeating: -100, count: pIds.count) + cIds, line: number)
            } else if let t = object["text"] {
                guard let t = t as? String, !t.isEmpty else { throw bad("text must be a non-empty string") }
                let (tokenizer, eos) = try textual()
                if packed.isEmpty { packedStart = number }
                packed += tokenizer.encode(t) + [eos]
                while packed.count >= maxLength {
                    let block = Array(packed.prefix(maxLength))
                    examples.append(TrainingExample(ids: block, labels: block, line: packedStart))
                    packed.removeFirst(maxLength)
                    packedStart = number
                }
                continue
            } else {
                throw bad("expected \"messages\", \"prompt\" and \"completion\", \"text\" or \"input_ids\"")
            }
            if let id = example.ids.first(where: { $0 < 0 || $0 >= vocabulary }) ?? example.labels.first(where: { $0 >= vocabulary }) {
                throw bad("token id \(id) is outside the model's vocabulary (0..<\(vocabulary))")
            }
            if example.ids.count > maxLength {
                example.ids = Array(example.ids.prefix(maxLength)); example.labels = Array(example.labels.prefix(maxLength))
            }
            // The first token is never predicted; a sequence needs a label after it.
            if example.labelCount == 0 { dropped.append(number); continue }
            examples.append(example)
        }
        if packed.count > 1 { examples.append(TrainingExample(ids: packed, labels: packed, line: packedStart)) }
        guard !examples.isEmpty else {
            throw TrainingError.noData(file: file, reason: dropped.isEmpty ? "holds no records" : "no record keeps a completion token within \(maxLength) tokens")
        }
        self.examples = examples; self.dropped = dropped
    }

    public var tokenCount: Int { examples.reduce(0) { $0 + $1.ids.count } }

    /// A conversation's ids, and labels on its assistant turns: turn i spans from the end of the conversation
    /// before it, rendered with the generation prompt, to the end of the conversation through it.
    static func conversation(_ value: Any, tokenizer: Tokenizer, template: ChatTemplate, line: Int,
                             bad: (String) -> TrainingError) throws -> TrainingExample {
        guard let list = value as? [[String: Any]], !list.isEmpty else { throw bad("messages must be a non-empty list of objects") }
        var messages: [ChatMessage] = []
        for (j, m) in list.enumerated() {
            guard let role = m["role"] as? String, let content = m["content"] as? String else {
                throw bad("message \(j + 1) needs string role and content")
            }
            messages.append(ChatMessage(role: role, content: content))
        }
        guard messages.contains(where: { $0.role == "assistant" }) else { throw bad("no assistant turn to learn from") }
        func encode(_ ms: [ChatMessage], _ generation: Bool) throws -> [Int] {
            do { return try tokenizer.encodeChat(ms, template: template, addGenerationPrompt: generation) } catch {
                throw bad("the chat template failed: \(error)")
            }
        }
        let ids = try encode(messages, false)
        var labels = [Int](repeating: -100, count: ids.count)
        for (j, m) in messages.enumerated() where m.role == "assistant" {
            let before = try encode(Array(messages[..<j]), true), through = try encode(Array(messages[...j]), false)
            guard through.count <= ids.count, Array(ids.prefix(through.count)) == through else {
                throw bad("the chat template does not render message \(j + 1) as a continuation of the turns before it")
            }
            // Where the turn starts: the end of what the two renderings share. Some templates' generation prompt
            // holds more than a rendered turn keeps (DeepSeek-R1's "<think>\n"); that part is not the answer's.
            var start = 0
            while start < min(before.count, through.count), before[start] == through[start] { start += 1 }
            for t in start..<through.count { labels[t] = ids[t] }
        }
        return TrainingExample(ids: ids, labels: labels, line: line)
    }
}
