import Foundation

/// `--write-outputs`: one JSON line per document of a public set, so that a run can be read output by output and
/// rescored: `set`, `id`, `output` (the plain-text output as rendered), `reference`, `scored_section` (the SOAP
/// heading scored, or null: every section) and `scores`; a document without an output has `error` instead.
/// The data sets are public, so the texts are written in full.
public enum PublicSetOutputLine {
    static func output(set: PublicSet, document: PublicSetDocument, output: PipelineOutput, score: PublicSetScore) throws -> String {
        var scores: [String: Any] = [
            "all_sections_present": score.allSectionsPresent, "documented_sections": score.documentedSections,
            "findings": score.findings.map { ["kind": $0.kind.rawValue, "text": $0.text, "section": $0.section] },
            "needs_review": score.needsReview, "degenerate": score.degenerate,
            "repetition": score.repetition.map { ["phrase": $0.phrase, "count": $0.count, "section": $0.section] as Any } ?? NSNull(), "seconds": score.seconds,
        ]
        if let r = score.rouge { scores["rouge1_f1"] = r.rouge1.f1; scores["rouge2_f1"] = r.rouge2.f1; scores["rougeL_f1"] = r.rougeL.f1 }
        return try line([
            "set": set.rawValue, "id": document.id, "output": output.text,
            "reference": document.reference.map { $0 as Any } ?? NSNull(),
            "scored_section": document.scoredSection.map { $0.heading as Any } ?? NSNull(), "scores": scores,
        ])
    }

    static func failure(set: PublicSet, document: PublicSetDocument, reason: String) throws -> String {
        try line(["set": set.rawValue, "id": document.id, "error": reason,
                  "reference": document.reference.map { $0 as Any } ?? NSNull()])
    }

    static func line(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
    }
}
