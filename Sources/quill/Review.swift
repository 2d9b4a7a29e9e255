import ArgumentParser
import Foundation
import Logging
import QuillDaemon
import QuillPipeline
import QuillStore

/// `quill review list|show|accept|correct|reject`: the reviewers' decisions by command, bound and recorded
/// exactly as a file saved into `reviewed/` is (`ReviewDesk`).
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "List outputs, and accept, correct or reject them; corrections teach the next adapter.",
        subcommands: [ReviewList.self, ReviewShow.self, ReviewAccept.self, ReviewCorrect.self, ReviewReject.self])
}

/// The state root and audit key, from `--state` or `--config`.
struct ReviewStateOptions: ParsableArguments {
    @Option(help: "The state root (default: paths.state from --config).") var state: String?
    @Option(help: "Quill's TOML configuration file, for paths.state and [audit].") var config: String?

    func desk() throws -> ReviewDesk {
        var c = try QuillConfig.load(file: config)
        if let state { c.paths.state = state.hasPrefix("/") ? state : FileManager.default.currentDirectoryPath + "/" + state }
        if config == nil && state == nil { throw ValidationError("give --state DIR or --config FILE") }
        var logger = Logger(label: "quill.review")
        logger.logLevel = .error
        let root = StateRoot(config: c)
        let store = try root.openStore(audit: c.auditSettings(environment: ProcessInfo.processInfo.environment, logger: logger))
        return ReviewDesk(store: store, root: root)
    }
}

/// Which output a decision is about.
struct ReviewTarget: ParsableArguments {
    @Argument(help: "The job id (`quill review list` shows them).") var job: Int64
    @Option(help: "The document, when the job wrote several (its <stem>.<task> from `quill review list`).") var document: String?
    @Option(help: "Who decides (default: the user running the command).") var reviewer: String?

    var reviewerName: String { reviewer ?? ProcessInfo.processInfo.environment["SUDO_USER"] ?? NSUserName() }
}

struct ReviewList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "The written documents, newest first, with where they are and their review.")
    @OptionGroup var where_: ReviewStateOptions
    @Flag(help: "Only documents not reviewed yet.") var pending = false

    func run() throws {
        let desk = try where_.desk()
        let reviews = Dictionary(try desk.store.reviews().map { ("\($0.jobID)/\($0.document)", $0) }, uniquingKeysWith: { a, _ in a })
        print("job\tdocument\tfolder\treview")
        for d in try desk.documents() {
            let r = reviews["\(d.jobID)/\(d.name)"]
            if pending && r != nil { continue }
            let state = r.map { "\($0.kind.rawValue) by \($0.reviewer)" } ?? "pending"
            print("\(d.jobID)\t\(d.name)\t\(d.folder)\(d.reviewReason.map { " (\($0))" } ?? "")\t\(state)")
        }
    }
}

struct ReviewShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Print an output as Quill wrote it (and the correction, if there is one).")
    @OptionGroup var where_: ReviewStateOptions
    @OptionGroup var target: ReviewTarget
    @Option(help: "The output format to print: txt or md.") var format = "txt"

    func run() throws {
        let desk = try where_.desk()
        let (job, output) = try desk.output(job: target.job, document: target.document, format: format)
        guard let text = desk.originalText(job, output) else {
            throw ValidationError("\(output.name) is no longer in \(job.state.name == "written" ? "its folder" : "place") as Quill wrote it (moved or changed)")
        }
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        if let r = try desk.store.reviews(jobID: job.id).first(where: { $0.document == ReviewDesk.documentName(of: output.name) }) {
            print("--- review \(r.id): \(r.kind.rawValue) by \(r.reviewer)\(r.editSize.map { ", \($0) words changed" } ?? "")")
            if let t = r.correctedText { print(t, terminator: t.hasSuffix("\n") ? "" : "\n") }
        }
    }
}

struct ReviewAccept: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "accept", abstract: "Mark an output right as written (kept as a replay example for retraining).")
    @OptionGroup var where_: ReviewStateOptions
    @OptionGroup var target: ReviewTarget

    func run() throws {
        let desk = try where_.desk()
        let (job, output) = try desk.output(job: target.job, document: target.document, format: "txt")
        let r = try desk.record(.accept, on: output, of: job, reviewer: target.reviewerName, via: "command", check: ReviewCheck.sections)
        print("review \(r.id): \(r.document) accepted by \(r.reviewer)")
    }
}

struct ReviewCorrect: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "correct",
        abstract: "Record a corrected output: --file F (its .txt or .md format), or edit a copy in $EDITOR.")
    @OptionGroup var where_: ReviewStateOptions
    @OptionGroup var target: ReviewTarget
    @Option(help: "The corrected text, in the output's .txt or .md format (by its extension; txt otherwise).") var file: String?

    func run() throws {
        let desk = try where_.desk()
        let format = file.map { $0.hasSuffix(".md") ? "md" : "txt" } ?? "txt"
        let (job, output) = try desk.output(job: target.job, document: target.document, format: format)
        let text: String
        if let file {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } else {
            guard let original = desk.originalText(job, output) else {
                throw ValidationError("\(output.name) is no longer where Quill wrote it; give the corrected text with --file")
            }
            text = try EditorSession.edit(original, name: output.name)
        }
        let r = try desk.record(.correct(text: text), on: output, of: job, reviewer: target.reviewerName, via: "command", check: ReviewCheck.sections)
        print("review \(r.id): \(r.document) \(r.kind == .accept ? "accepted (the text is unchanged)" : "corrected") by \(r.reviewer)")
    }
}

struct ReviewReject: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Mark an output wrong (never trained on), with the reason.")
    @OptionGroup var where_: ReviewStateOptions
    @OptionGroup var target: ReviewTarget
    @Option(help: "Why it is wrong (kept in the database only, not in the audit trail or logs).") var reason: String

    func run() throws {
        let desk = try where_.desk()
        let (job, output) = try desk.output(job: target.job, document: target.document, format: "txt")
        let r = try desk.record(.reject(reason: reason), on: output, of: job, reviewer: target.reviewerName, via: "command", check: ReviewCheck.sections)
        print("review \(r.id): \(r.document) rejected by \(r.reviewer)")
    }
}

/// The check a command's correction passes: the pipeline reads it back into sections.
enum ReviewCheck {
    static let sections: ReviewDesk.CorrectionCheck = { text, name in _ = try ReviewedNote(text: text, outputName: name) }
}

/// A copy of the output in a private temporary file, opened in `$VISUAL`/`$EDITOR` (vi if neither).
enum EditorSession {
    static func edit(_ text: String, name: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("quill-review-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: file)
        let env = ProcessInfo.processInfo.environment
        let editor = env["VISUAL"] ?? env["EDITOR"] ?? "vi"
        let p = Foundation.Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "\(editor) \"$1\"", "editor", file.path]
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw ValidationError("the editor (\(editor)) exited with status \(p.terminationStatus); nothing was recorded") }
        return try String(contentsOf: file, encoding: .utf8)
    }
}
