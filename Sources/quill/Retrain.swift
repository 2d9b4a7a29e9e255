import ArgumentParser
import Foundation
import Logging
import QuillApp
import QuillDaemon
import QuillRetraining
import QuillStore

/// `quill retrain`: one retraining run (systemd/quill-retrain.timer runs it on a schedule). At the lowest CPU
/// priority, and pausing before each step while a clinical document waits, so that documents come first.
struct Retrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a new adapter version on reviewers' corrections; promote it only if the gate passes it.",
        discussion: """
        Corrections and accepted outputs become training examples (the archived input, prompted as the daemon \
        prompts); a stable share of the corrections is held out, and the active and the new adapter are judged \
        on it (loss, ROUGE-L against the corrected notes, fact-check findings, sections). [retraining] in the \
        configuration sets the thresholds and the training. Prints one JSON object: the outcome and the figures.
        """)

    @OptionGroup var options: DaemonOptions
    @Option(name: .customLong("min-new-corrections"), help: "Over retraining.min_new_corrections.") var minNewCorrections: Int?
    @Option(help: "Over retraining.epochs.") var epochs: Int?
    @Option(help: "Who the audit trail names as promoting (default: the user running the command).") var actor: String?
    @Option(help: ArgumentHelp("Train nothing: write the training set, PEFT and TRL configurations, a TRL SFTTrainer script and a DeepSpeed ZeRO-3 configuration into this new folder, for training elsewhere (quill adapter import brings the adapter back).", valueName: "DIR"))
    var export: String?

    func run() throws {
        bootstrapLogging()
        setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
        var config = try options.load()
        if let minNewCorrections { config.retraining.minNewCorrections = minNewCorrections }
        if let epochs { config.retraining.epochs = epochs }
        try config.validate()
        let logger = Logger(label: "quill.retrain")
        let root = StateRoot(config: config)
        let store = try root.openStore(audit: config.auditSettings(environment: ProcessInfo.processInfo.environment, logger: logger))
        var retraining = try makeRetraining(config: config, store: store)
        retraining.log = { logger.info("\($0)") }
        if let export {
            let summary = try retraining.export(to: URL(fileURLWithPath: export), actor: actor ?? NSUserName())
            try printJSON(["outcome": "exported", "folder": summary.folder, "export": summary.manifest.id,
                           "trained_on": summary.manifest.trainedOn.count, "held_out": summary.manifest.heldOut.count, "files": summary.files])
            return
        }
        let limit = config.retraining.yieldSeconds
        retraining.yieldToDocuments = {
            let end = Date().addingTimeInterval(limit)
            while Date() < end && Self.documentsWaiting(root: root, store: store) { Thread.sleep(forTimeInterval: 1) }
        }
        try Self.report(try retraining.run(actor: actor ?? NSUserName()))
    }

    /// The outcome as one JSON object (shared with `quill adapter import`).
    static func report(_ outcome: Retraining.Outcome) throws {
        switch outcome {
        case .nothingToDo(let why):
            try printJSON(["outcome": "nothing to do", "reason": why])
        case .promoted(let r), .rejected(let r):
            let promoted: Bool = { if case .promoted = outcome { return true } else { return false } }()
            try printJSON(["outcome": promoted ? "promoted" : "rejected", "version": r.version, "reason": r.reason,
                           "trained_on": r.trainedOn.count, "held_out": r.heldOut.count, "steps": r.steps,
                           "training_seconds": r.trainingSeconds,
                           "before": Self.figures(r.before), "after": Self.figures(r.after)])
        }
    }

    static func figures(_ m: GateMetrics) -> [String: Any] {
        ["loss": m.loss, "rouge_l": m.rougeL, "fact_findings": m.factFindings, "sections_missing": m.sectionsMissing, "documents": m.documents]
    }

    /// A file in the inbox, or an unfinished job that is due now: a document is waiting for the CPU. A job
    /// whose retry is scheduled later (an unwritable outbox, say) is not waiting, or it would stall every step.
    static func documentsWaiting(root: StateRoot, store: QuillStore) -> Bool {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.inbox)) ?? []
        if names.contains(where: { !$0.hasPrefix(".") }) { return true }
        let now = Date()
        return ((try? store.jobs()) ?? []).contains { !$0.isFinished && ($0.attempts.nextAttemptAt.map { $0 <= now } ?? true) }
    }
}
