import ClinicalDocuments
import Foundation
import LLM
import Tokenizers

/// Limits of one section-structured generation.
public struct GenerationLimits: Sendable, Codable, Equatable {
    /// The most tokens one section's text may take.
    public var maxTokensPerSection: Int = 160
    /// The most tokens a reasoning model may think before it is made to answer.
    public var maxReasoningTokens: Int = 1024
    /// The most tokens the model writes for one document, reasoning and sections together (config
    /// `generation.max_new_tokens`); forced headings do not count.
    public var maxNewTokens: Int = 1024
    public var sampling: SamplingParameters = .greedy

    public init(maxTokensPerSection: Int = 160, maxReasoningTokens: Int = 1024, maxNewTokens: Int = 1024,
                sampling: SamplingParameters = .greedy) {
        self.maxTokensPerSection = maxTokensPerSection; self.maxReasoningTokens = maxReasoningTokens
        self.maxNewTokens = maxNewTokens; self.sampling = sampling
    }
}

/// A generated output before rendering: the task's sections in order, each with the model's text.
public struct GeneratedNote: Sendable, Codable, Equatable {
    public struct Section: Sendable, Codable, Equatable {
        public let key: String
        public let heading: String
        public let text: String
    }
    public let task: DocumentTask
    public let sections: [Section]
    /// Text between <think> and </think>, when the model reasoned first (never written to outputs).
    public let reasoning: String?
    public let promptTokens: Int
    public let generatedTokens: Int
    public let prefillSeconds: Double
    public let generationSeconds: Double

    public func text(_ key: String) -> String? { sections.first { $0.key == key }?.text }
}

/// Section-structured generation: Quill writes each heading itself and lets the model fill the section
/// until the end of its line, so every required section is present and in order whatever the model does.
/// A reasoning model (a generation prompt ending in `<think>`) first thinks up to a budget; its reasoning
/// is kept apart and never reaches a section.
public struct SectionedGenerator {
    public let tokenizer: Tokenizer
    public let limits: GenerationLimits

    public init(tokenizer: Tokenizer, limits: GenerationLimits) {
        self.tokenizer = tokenizer; self.limits = limits
    }

    /// Generates the task's sections after `prompt` (ids from `ClinicalPrompt.encode`); `opensThinking` says
    /// whether the prompt ends inside a thought.
    public func generate(session: InferenceSession, prompt: [Int], opensThinking: Bool, task: DocumentTask,
                         shouldContinue: () -> Bool = { true }) throws -> GeneratedNote {
        let eos = Set(tokenizer.eosTokenIds)
        // Budgets shrink to what the context has left after the prompt, so a long document on a small-context
        // model gets shorter sections instead of a refusal; only a prompt that leaves no room is an error.
        let sectionCount = task.sections.count
        let contextRoom = session.cache.capacity - session.position - prompt.count - sectionCount * 12 - 8
        guard contextRoom >= sectionCount * 16 else {
            throw InferenceError.contextExceeded(needed: session.position + prompt.count + sectionCount * 28 + 8,
                                                 capacity: session.cache.capacity)
        }
        let room = min(contextRoom, max(limits.maxNewTokens, sectionCount))
        let reasoningBudget = opensThinking ? min(limits.maxReasoningTokens, room / 3) : 0
        let sectionBudget = min(limits.maxTokensPerSection, (room - reasoningBudget) / sectionCount)
        var sampler = Sampler(limits.sampling)
        var history = prompt
        var generated = 0
        let t0 = DispatchTime.now().uptimeNanoseconds
        var logits = try session.forward(prompt)
        let t1 = DispatchTime.now().uptimeNanoseconds

        /// Feeds forced text (a heading) and returns the logits after it.
        func force(_ text: String) throws {
            let ids = tokenizer.encode(text, addSpecialTokens: false)
            guard !ids.isEmpty else { return }
            history += ids
            logits = try session.forward(ids)
        }
        /// Samples until `stop(text)` says the piece is complete, EOS, or `budget` tokens.
        func run(budget: Int, stop: (String) -> Bool) throws -> (ids: [Int], ended: Bool) {
            var ids: [Int] = []
            while ids.count < budget, shouldContinue() {
                let next = sampler.next(logits: logits, history: history, outputStart: prompt.count)
                history.append(next); generated += 1
                if eos.contains(next) { return (ids, true) }
                ids.append(next)
                logits = try session.forward([next])
                if stop(tokenizer.decode(ids)) { break }
            }
            return (ids, false)
        }

        var reasoning: String?
        if opensThinking {
            let (ids, _) = try run(budget: reasoningBudget) { $0.contains(ReasoningText.close) }
            let text = tokenizer.decode(ids)
            reasoning = ReasoningText.reasoning(in: text)
            // Close the thought ourselves when the budget ran out, then the answer starts as trained (R1: "\n\n").
            try force(text.contains(ReasoningText.close) ? "\n\n" : "\n\(ReasoningText.close)\n\n")
        }

        var sections: [GeneratedNote.Section] = []
        for (i, spec) in task.sections.enumerated() {
            try force("\(spec.heading):")
            // A section ends at its line's end, at EOS (not fed to the cache), or at its budget.
            let (ids, _) = try run(budget: sectionBudget) { $0.contains("\n") }
            let raw = tokenizer.decode(ids)
            var text = raw.firstIndex(of: "\n").map { String(raw[..<$0]) } ?? raw
            // The newline that ended the line is already in the cache; otherwise the next heading needs one.
            if !raw.contains("\n") && i + 1 < task.sections.count { try force("\n") }
            text = ReasoningText.strip(text).trimmingCharacters(in: .whitespaces)
            sections.append(.init(key: spec.key, heading: spec.heading, text: text.isEmpty ? notDocumented : text))
        }
        let t2 = DispatchTime.now().uptimeNanoseconds
        return GeneratedNote(task: task, sections: sections, reasoning: reasoning, promptTokens: prompt.count,
                             generatedTokens: generated, prefillSeconds: Double(t1 - t0) / 1e9,
                             generationSeconds: Double(t2 - t1) / 1e9)
    }
}
