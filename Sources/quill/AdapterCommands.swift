import ArgumentParser
import Foundation
import Logging
import QuillApp
import QuillDaemon
import QuillRetraining

/// `quill adapter list|show|promote|rollback`: the registry under `<state>/adapters/`.
struct AdapterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "adapter",
        abstract: "The adapter versions: list, show, promote, roll back (the daemon swaps before its next document).",
        subcommands: [AdapterList.self, AdapterShow.self, AdapterPromote.self, AdapterRollback.self, AdapterImport.self])
}

extension ReviewStateOptions {
    func registry() throws -> AdapterRegistry {
        let desk = try desk()
        return AdapterRegistry(root: desk.root, store: desk.store)
    }
}

struct AdapterList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "Every version with its parent, status and gate figures.")
    @OptionGroup var where_: ReviewStateOptions

    func run() throws {
        let registry = try where_.registry()
        let active = registry.active()
        print("version\tparent\tstatus\tROUGE-L before → after\tfact findings\ttrained on\tcreated")
        for r in try registry.versions() {
            print([r.version + (r.version == active ? " (active)" : ""), r.parent ?? "-", r.status.rawValue,
                   String(format: "%.4f → %.4f", r.before.rougeL, r.after.rougeL), "\(r.before.factFindings) → \(r.after.factFindings)",
                   "\(r.trainedOn.count)", r.created].joined(separator: "\t"))
        }
        if active == nil { print("no version is active: the shipped adapter (or none) serves") }
    }
}

struct AdapterShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A version's adapter.json.")
    @OptionGroup var where_: ReviewStateOptions
    @Argument(help: "The version, e.g. v3.") var version: String

    func run() throws {
        let registry = try where_.registry()
        _ = try registry.record(version)
        print(try String(contentsOfFile: registry.folder + "/\(version)/adapter.json", encoding: .utf8))
    }
}

struct AdapterPromote: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "promote", abstract: "Make a version the one that serves (a rejected one only by this override, recorded as such).")
    @OptionGroup var where_: ReviewStateOptions
    @Argument(help: "The version, e.g. v3.") var version: String
    @Option(help: "Why (kept in the audit trail).") var reason = "promoted by hand"

    func run() throws {
        try where_.registry().promote(version, actor: NSUserName(), reason: reason)
        print("\(version) is active; the daemon swaps to it before its next document")
    }
}

struct AdapterRollback: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollback", abstract: "Go back to the version the active one replaced.")
    @OptionGroup var where_: ReviewStateOptions

    func run() throws {
        let previous = try where_.registry().rollback(actor: NSUserName())
        print("\(previous ?? "no version (the shipped adapter, or none)") is active again")
    }
}

struct AdapterImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Judge a PEFT adapter trained elsewhere (on a quill retrain --export) by the gate; register it, promoted or rejected.")
    @OptionGroup var options: DaemonOptions
    @Argument(help: "The adapter folder (adapter_config.json, adapter_model.safetensors; quill-export.json when it came from an export).")
    var folder: String

    func run() throws {
        bootstrapLogging()
        let config = try options.load()
        try config.validate()
        let logger = Logger(label: "quill.adapter")
        let store = try StateRoot(config: config).openStore(audit: config.auditSettings(environment: ProcessInfo.processInfo.environment, logger: logger))
        var retraining = try makeRetraining(config: config, store: store)
        retraining.log = { logger.info("\($0)") }
        try Retrain.report(try retraining.importAdapter(from: URL(fileURLWithPath: folder), actor: NSUserName()))
    }
}
