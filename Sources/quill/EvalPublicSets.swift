import ArgumentParser
import Foundation
import LLM
import QuillEval
import QuillPipeline

extension PublicSet: ExpressibleByArgument {}

extension Eval {
    /// `--set`: the pipeline with `--model` (and `--adapter`) on each named public set, one report over all.
    func runPublicSets(templates: URL) throws {
        let samplesURL = URL(fileURLWithPath: samples)
        // Every set is read before the model runs, so a missing or broken file stops the run at once.
        let documents = try sets.map { try $0.documents(samples: samplesURL, limit: limit) }
        let pipeline = try DocumentPipeline(modelFolder: URL(fileURLWithPath: model), quantization: quant,
                                            settings: PipelineRun.settings(templates: templates, noRepeatNgramSize: noRepeatNgramSize))
        let lora = try adapter.map { try LoRAAdapter.load(URL(fileURLWithPath: $0), for: pipeline.model.config) }
        let run = PipelineRun(pipeline: pipeline, threads: threads, adapter: lora,
                              adapterVersion: adapter.map { URL(fileURLWithPath: $0).lastPathComponent }, contextLength: context)
        let evaluation = PublicSetEvaluation(run: run)
        var reports: [PublicSetReport] = [], lines: [String] = []
        for (set, docs) in zip(sets, documents) {
            let (report, written) = try evaluation.evaluate(set, documents: docs) { done, total in
                // Counts only, no document text; on standard error even with --json, since a whole run takes hours
                // on a real model and the JSON goes to standard output.
                FileHandle.standardError.write(Data("\(set.rawValue) \(done)/\(total)\n".utf8))
            }
            reports.append(report); lines += written
        }
        if let writeOutputs {
            try Data(lines.map { $0 + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: writeOutputs), options: .atomic)
        }
        let source = "quill \(pipeline.modelID) \(quant.rawValue)" + (adapter.map { " + \(URL(fileURLWithPath: $0).lastPathComponent)" } ?? "")
            + ", context \(run.session.cache.capacity)"
        let report = PublicEvalReport(source: source, sets: reports)
        if json { try printJSON(report.json) } else { print(report.table) }
    }
}
