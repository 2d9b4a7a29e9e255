import ClinicalDocuments
import Foundation
import QuillPipeline

/// The numbers `quill eval` reports for a data set: means over its records, and speed when Quill generated.
public struct EvalReport: Sendable, Equatable {
    public var task: DocumentTask
    public var source: String
    public var records: Int
    public var rougeL: Double
    public var factRecall: Double
    /// Share of outputs with at least one unsupported quantity or date.
    public var unsupportedRate: Double
    /// Unsupported quantities and dates per output.
    public var unsupportedMean: Double
    /// Share of outputs with at least one fact-check finding, of any kind.
    public var findingsRate: Double
    /// Share of outputs with a quantity, date or medication finding (the kinds that route to review by default).
    public var reviewFindingsRate: Double
    public var findingsByKind: [FactFinding.Kind: Int]
    public var speed: Speed?

    public struct Speed: Sendable, Equatable {
        public var meanSecondsPerDocument: Double
        public var maxSecondsPerDocument: Double
        public var promptTokensPerSecond: Double
        public var generatedTokensPerSecond: Double
        public var meanPromptTokens: Double
        public var meanGeneratedTokens: Double
    }

    public init(task: DocumentTask, source: String, scores: [OutputScore], timings: [OutputTiming] = []) {
        self.task = task; self.source = source; records = scores.count
        func mean(_ f: (OutputScore) -> Double) -> Double { scores.isEmpty ? 0 : scores.map(f).reduce(0, +) / Double(scores.count) }
        rougeL = mean(\.rougeL)
        factRecall = mean(\.factRecall)
        unsupportedRate = mean { $0.unsupportedFacts.isEmpty ? 0 : 1 }
        unsupportedMean = mean { Double($0.unsupportedFacts.count) }
        findingsRate = mean { $0.findings.isEmpty ? 0 : 1 }
        reviewFindingsRate = mean { $0.findings.contains { $0.kind != .term } ? 1 : 0 }
        var byKind: [FactFinding.Kind: Int] = [:]
        for k in FactFinding.Kind.allCases { byKind[k] = scores.reduce(0) { $0 + $1.findings.filter { $0.kind == k }.count } }
        findingsByKind = byKind
        if !timings.isEmpty {
            let n = Double(timings.count)
            let prompt = timings.reduce(0) { $0 + $1.promptTokens }, generated = timings.reduce(0) { $0 + $1.generatedTokens }
            let prefill = timings.reduce(0) { $0 + $1.prefillSeconds }, generation = timings.reduce(0) { $0 + $1.generationSeconds }
            speed = Speed(meanSecondsPerDocument: timings.reduce(0) { $0 + $1.seconds } / n,
                          maxSecondsPerDocument: timings.map(\.seconds).max() ?? 0,
                          promptTokensPerSecond: prefill > 0 ? Double(prompt) / prefill : 0,
                          generatedTokensPerSecond: generation > 0 ? Double(generated) / generation : 0,
                          meanPromptTokens: Double(prompt) / n, meanGeneratedTokens: Double(generated) / n)
        }
    }

    /// The report as a JSON-ready object (keys are stable: scripts read them).
    public var json: [String: Any] {
        var o: [String: Any] = [
            "task": task.fileName, "source": source, "records": records,
            "rouge_l_f1": rougeL, "fact_recall": factRecall,
            "unsupported_fact_rate": unsupportedRate, "unsupported_facts_mean": unsupportedMean,
            "fact_check_finding_rate": findingsRate, "fact_check_review_rate": reviewFindingsRate,
            "fact_check_findings": Dictionary(uniqueKeysWithValues: findingsByKind.map { ($0.key.rawValue, $0.value) }),
        ]
        if let s = speed {
            o["speed"] = ["mean_seconds_per_document": s.meanSecondsPerDocument, "max_seconds_per_document": s.maxSecondsPerDocument,
                          "prompt_tokens_per_second": s.promptTokensPerSecond, "generated_tokens_per_second": s.generatedTokensPerSecond,
                          "mean_prompt_tokens": s.meanPromptTokens, "mean_generated_tokens": s.meanGeneratedTokens]
        }
        return o
    }

    /// A table for people.
    public var table: String {
        func f(_ x: Double, _ d: Int = 4) -> String { String(format: "%.\(d)f", x) }
        var rows: [(String, String)] = [
            ("task", task.fileName), ("outputs from", source), ("records", "\(records)"),
            ("ROUGE-L F1", f(rougeL)), ("fact recall", f(factRecall)),
            ("outputs with unsupported facts", f(unsupportedRate)), ("unsupported facts per output", f(unsupportedMean)),
            ("outputs with fact-check findings", f(findingsRate)), ("… of quantity/date/medication", f(reviewFindingsRate)),
            ("findings by kind", FactFinding.Kind.allCases.map { "\($0.rawValue) \(findingsByKind[$0] ?? 0)" }.joined(separator: ", ")),
        ]
        if let s = speed {
            rows += [("seconds per document (mean)", f(s.meanSecondsPerDocument, 3)), ("seconds per document (max)", f(s.maxSecondsPerDocument, 3)),
                     ("prompt tokens/s", f(s.promptTokensPerSecond, 0)), ("generated tokens/s", f(s.generatedTokensPerSecond, 0)),
                     ("prompt / generated tokens (mean)", "\(f(s.meanPromptTokens, 0)) / \(f(s.meanGeneratedTokens, 0))")]
        }
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
    }
}
