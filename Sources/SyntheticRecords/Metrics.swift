/// The numbers `quill eval` reports for an output against its reference and input.
public enum Metrics {
    public struct RougeScore: Sendable, Equatable {
        public var precision: Double, recall: Double, f1: Double
    }

    /// Tokens as Google's `rouge-score` package makes them without stemming (`tokenize.py`): lower
    /// case, every run of characters other than ASCII a–z and 0–9 is a separator. "µmol/L" gives
    /// ["mol", "l"], "x10^9/L" gives ["x10", "9", "l"], as in Python.
    public static func rougeTokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        for scalar in text.lowercased().unicodeScalars {
            if (scalar >= "a" && scalar <= "z") || (scalar >= "0" && scalar <= "9") {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                tokens.append(current); current = ""
            }
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }

    /// ROUGE-L (Lin 2004): longest common subsequence of tokens; precision over the candidate,
    /// recall over the reference, F1 their harmonic mean. Zero when either side has no tokens,
    /// as `rouge_scorer._score_lcs` does.
    public static func rougeL(reference: String, candidate: String) -> RougeScore {
        let r = rougeTokens(reference), c = rougeTokens(candidate)
        guard !r.isEmpty, !c.isEmpty else { return RougeScore(precision: 0, recall: 0, f1: 0) }
        // One row of the LCS table at a time: prev[j] = LCS(r[..<i-1], c[..<j]).
        var prev = [Int](repeating: 0, count: c.count + 1), row = prev
        for i in 1...r.count {
            for j in 1...c.count {
                row[j] = r[i - 1] == c[j - 1] ? prev[j - 1] + 1 : max(prev[j], row[j - 1])
            }
            swap(&prev, &row)
        }
        let lcs = Double(prev[c.count])
        let p = lcs / Double(c.count), rec = lcs / Double(r.count)
        return RougeScore(precision: p, recall: rec, f1: p + rec > 0 ? 2 * p * rec / (p + rec) : 0)
    }

    /// Share of `facts` found in `output` (`FactMatching.contains`: verbatim apart from letter case).
    /// A record with no facts has nothing to miss: 1.
    public static func factRecall(facts: [String], output: String) -> Double {
        guard !facts.isEmpty else { return 1 }
        return Double(facts.filter { FactMatching.contains(output, $0) }.count) / Double(facts.count)
    }

    /// Numbers with units, doses, blood pressures and dates stated in `output` that `input` does not
    /// state: quantities compared without blank space or case ("500mg" supports "500 mg"), dates
    /// compared as ISO whatever form the input writes them in. Pass only what the model wrote: the
    /// patient line comes from structured data and its age is not in the note.
    public static func unsupportedFacts(output: String, input: String) -> [String] {
        let known = Set(Quantities.find(in: input).map(Quantities.canonical))
        let knownDates = Set(NoteDates.isoDates(in: input))
        var out: [String] = []
        for q in Quantities.find(in: output) where !known.contains(Quantities.canonical(q)) && !out.contains(q) {
            out.append(q)
        }
        for d in NoteDates.isoDates(in: output) where !knownDates.contains(d) && !out.contains(d) {
            out.append(d)
        }
        return out
    }

    /// The part of a plain-text output a model writes: every line but the title and the patient line.
    public static func modelWrittenPart(of rendered: String) -> String {
        rendered.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("Patient:") && $0 != "Discharge summary" && $0 != "SOAP note" }
            .joined(separator: "\n")
    }
}
