/// The numbers `quill eval` reports for an output against its reference and input.
public enum Metrics {
    public struct RougeScore: Sendable, Equatable {
        public var precision: Double, recall: Double, f1: Double
    }

    /// Tokens as Google's `rouge-score` package makes them without stemming (`tokenize.py`): lower case, every
    /// run of characters other than ASCII a–z and 0–9 is a separator. "µmol/L" gives ["mol", "l"], "x10^9/L"
    /// gives ["x10", "9", "l"], as in Python. No stemming because the published ACI-Bench and MEDIQA-Chat 2023
    /// evaluations use none (they call Hugging Face evaluate's `rouge`, whose `use_stemmer` defaults to false).
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

    /// ROUGE-1, ROUGE-2 and ROUGE-L of one pair, the text tokenized once.
    public struct RougeScores: Sendable, Equatable {
        public var rouge1: RougeScore, rouge2: RougeScore, rougeL: RougeScore
    }

    public static func rouge(reference: String, candidate: String) -> RougeScores {
        let r = rougeTokens(reference), c = rougeTokens(candidate)
        return RougeScores(rouge1: ngramScore(1, r, c), rouge2: ngramScore(2, r, c), rougeL: lcsScore(r, c))
    }

    /// ROUGE-L (Lin 2004): longest common subsequence of tokens; precision over the candidate,
    /// recall over the reference, F1 their harmonic mean. Zero when either side has no tokens,
    /// as `rouge_scorer._score_lcs` does.
    public static func rougeL(reference: String, candidate: String) -> RougeScore {
        lcsScore(rougeTokens(reference), rougeTokens(candidate))
    }

    /// ROUGE-N (Lin 2004) as `rouge_scorer._score_ngrams` computes it: n-grams counted with multiplicity and the
    /// overlap clipped (an n-gram counts as often as the side with fewer of it has it); precision over the
    /// candidate's n-grams, recall over the reference's, each count held at least 1, so a side too short for one
    /// n-gram (no bigram in a one-word text) scores 0 rather than dividing by zero.
    public static func rougeN(_ n: Int, reference: String, candidate: String) -> RougeScore {
        ngramScore(n, rougeTokens(reference), rougeTokens(candidate))
    }

    static func lcsScore(_ r: [String], _ c: [String]) -> RougeScore {
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
        return score(precision: lcs / Double(c.count), recall: lcs / Double(r.count))
    }

    static func ngramScore(_ n: Int, _ r: [String], _ c: [String]) -> RougeScore {
        precondition(n > 0, "ROUGE-N needs n of at least 1")
        func counts(_ tokens: [String]) -> [ArraySlice<String>: Int] {
            var out: [ArraySlice<String>: Int] = [:]
            if tokens.count >= n { for i in 0...(tokens.count - n) { out[tokens[i..<(i + n)], default: 0] += 1 } }
            return out
        }
        let rc = counts(r), cc = counts(c)
        let overlap = rc.reduce(0) { $0 + min($1.value, cc[$1.key] ?? 0) }
        let rTotal = max(r.count - n + 1, 0), cTotal = max(c.count - n + 1, 0)
        return score(precision: Double(overlap) / Double(max(cTotal, 1)), recall: Double(overlap) / Double(max(rTotal, 1)))
    }

    /// `rouge_score.scoring.fmeasure`, in its order of operations (the fixtures hold it to the last bits).
    static func score(precision p: Double, recall r: Double) -> RougeScore {
        RougeScore(precision: p, recall: r, f1: p + r > 0 ? 2 * p * r / (p + r) : 0)
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
