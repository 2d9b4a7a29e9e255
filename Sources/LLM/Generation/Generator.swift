import Foundation

/// What one generation may do.
public struct GenerationOptions: Sendable {
    public var maxNewTokens: Int
    public var sampling: SamplingParameters
    /// Generation ends after any of these ids (the id is reported but is not part of `text`).
    public var stopTokenIds: Set<Int>
    /// Generation ends when the text contains any of these; the text is cut before it.
    public var stopStrings: [String]

    public init(maxNewTokens: Int, sampling: SamplingParameters = .greedy, stopTokenIds: Set<Int> = [], stopStrings: [String] = []) {
        self.maxNewTokens = maxNewTokens; self.sampling = sampling
        self.stopTokenIds = stopTokenIds; self.stopStrings = stopStrings
    }
}

public enum StopReason: String, Sendable, Codable {
    case maxTokens = "max_tokens", stopToken = "stop_token", stopString = "stop_string"
}

/// What came out, with the timings that `quill lm generate --json` reports.
public struct GenerationResult: Sendable {
    /// Generated ids only (a stop token that ended generation included).
    public var ids: [Int]
    /// Decoded text of the generated ids, stop token and stop string excluded (empty without a detokenizer).
    public var text: String
    public var promptTokens: Int
    public var stopReason: StopReason
    public var prefillSeconds: Double
    public var decodeSeconds: Double

    public var generatedTokens: Int { ids.count }
    public var prefillTokensPerSecond: Double { prefillSeconds > 0 ? Double(promptTokens) / prefillSeconds : 0 }
    /// Tokens after the first (which the prefill produces) over the time spent producing them.
    public var decodeTokensPerSecond: Double { decodeSeconds > 0 ? Double(max(0, ids.count - 1)) / decodeSeconds : 0 }
}

/// Runs prompt → tokens on an `InferenceSession`: one batched prefill, then one forward per token.
public enum Generator {
    /// Generates from `prompt`. `detokenize` turns ids into text (for `text` and stop strings);
    /// `onToken` sees each new id as it is chosen and may return false to stop early (e.g. at shutdown).
    public static func generate(session: InferenceSession, prompt: [Int], options: GenerationOptions,
                                detokenize: (([Int]) -> String)? = nil,
                                onToken: ((Int) -> Bool)? = nil) throws -> GenerationResult {
        guard !prompt.isEmpty else { throw InferenceError.emptyPrompt }
        let needed = session.position + prompt.count + options.maxNewTokens
        guard needed <= session.cache.capacity else {
            throw InferenceError.contextExceeded(needed: needed, capacity: session.cache.capacity)
        }
        var sampler = Sampler(options.sampling)
        var history = prompt, generated: [Int] = []
        var reason = StopReason.maxTokens
        var text = ""

        let t0 = DispatchTime.now().uptimeNanoseconds
        var logits = try session.forward(prompt)
        let t1 = DispatchTime.now().uptimeNanoseconds
        while generated.count < options.maxNewTokens {
            let next = sampler.next(logits: logits, history: history)
            generated.append(next); history.append(next)
            if options.stopTokenIds.contains(next) { reason = .stopToken; break }
            if let detokenize, !options.stopStrings.isEmpty {
                let sofar = detokenize(generated)
                if let cut = options.stopStrings.compactMap({ sofar.range(of: $0)?.lowerBound }).min() {
                    text = String(sofar[..<cut]); reason = .stopString; break
                }
            }
            if onToken?(next) == false { break }
            if generated.count == options.maxNewTokens { break }
            logits = try session.forward([next])
        }
        let t2 = DispatchTime.now().uptimeNanoseconds
        if reason != .stopString, let detokenize {
            text = detokenize(reason == .stopToken ? Array(generated.dropLast()) : generated)
        }
        return GenerationResult(ids: generated, text: text, promptTokens: prompt.count, stopReason: reason,
                                prefillSeconds: Double(t1 - t0) / 1e9, decodeSeconds: Double(t2 - t1) / 1e9)
    }
}
