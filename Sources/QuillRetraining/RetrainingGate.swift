import ClinicalDocuments
import Foundation
import LLM
import LoRATraining
import QuillPipeline
import SyntheticRecords

/// Judges an adapter on the held-out corrections as the daemon would run it: loss on the corrected
/// completions, and notes generated through the pipeline scored against the corrected notes (ROUGE-L),
/// fact-checked against their inputs, and checked for sections left "Not documented." that the reviewer wrote.
struct RetrainingGate {
    let pipeline: DocumentPipeline
    let heldOut: [CorrectionExample]
    let heldOutData: TrainingData
    let settings: TrainingSettings
    let threads: Int

    func metrics(of adapter: LoRAAdapter?) throws -> GateMetrics {
        let scorer = try Trainer(model: pipeline.model, settings: settings, data: heldOutData, initial: adapter, threads: threads)
        let loss = scorer.loss(on: heldOutData)
        let session = pipeline.makeSession(threads: threads)
        session.adapter = adapter
        var rouge = 0.0, findings = 0, missing = 0
        for example in heldOut {
            let result = try pipeline.process(example.document, stem: "gate", inputSHA256: "", session: session)
            let generated = Dictionary(result.note.sections.map { ($0.key, $0.text) }, uniquingKeysWith: { a, _ in a })
            rouge += Metrics.rougeL(reference: ClinicalPrompt.completion(task: example.document.task, sections: example.sections),
                                    candidate: ClinicalPrompt.completion(task: example.document.task, sections: generated)).f1
            findings += result.findings.count
            missing += example.sections.filter { $0.value != notDocumented && (generated[$0.key] ?? notDocumented) == notDocumented }.count
        }
        return GateMetrics(loss: loss, rougeL: rouge / Double(max(1, heldOut.count)), factFindings: findings,
                           sectionsMissing: missing, documents: heldOut.count)
    }

    /// Promote only when the candidate writes the held-out corrections better by `margin` and is no less
    /// faithful: no more fact-check findings, no more missing sections, and no higher loss.
    static func decide(before: GateMetrics, after: GateMetrics, margin: Double) -> (promote: Bool, reason: String) {
        let figures = String(format: "ROUGE-L %.4f → %.4f, loss %.4f → %.4f, fact findings %d → %d, sections missing %d → %d",
                             before.rougeL, after.rougeL, before.loss, after.loss, before.factFindings, after.factFindings,
                             before.sectionsMissing, after.sectionsMissing)
        if after.factFindings > before.factFindings { return (false, "more statements the inputs do not support: " + figures) }
        if after.sectionsMissing > before.sectionsMissing { return (false, "more sections left undocumented: " + figures) }
        if after.loss > before.loss { return (false, "higher loss on the held-out corrections: " + figures) }
        if after.rougeL < before.rougeL + margin { return (false, String(format: "ROUGE-L not better by the margin %.3f: ", margin) + figures) }
        return (true, "better on the held-out corrections: " + figures)
    }
}
