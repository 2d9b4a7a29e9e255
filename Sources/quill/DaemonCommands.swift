import ArgumentParser
import Foundation
import Logging
import QuillApp
import QuillDaemon
import QuillStore

/// Options shared by `serve` and `process`: the state root and the model over the config file.
struct DaemonOptions: ParsableArguments {
    @Option(help: "The state root (inbox/, outbox/, archive/, failed/, review/, reviewed/, adapters/, quill.sqlite); created if missing.")
    var state: String?

    @Option(help: "The model: a Hugging Face model folder or a GGUF file (default: models/default.gguf, with the adapter models/default.adapter names if that link exists; docs/MODELS.md).")
    var model: String?

    @Option(help: "Quill's TOML configuration file (see quill.example.toml). Command-line options win over it.")
    var config: String?

    @Option(help: "Documents processed at once (jobs.workers).")
    var workers: Int?

    @Option(help: "Threads for the model (model.threads; 0 = one per core).")
    var threads: Int?

    func load() throws -> QuillConfig {
        // No model named: the pipeline runs the default model (QuillApp's DefaultModel), or says how to get it.
        try QuillConfig.load(file: config, overrides: overrides)
    }

    var overrides: ConfigOverrides {
        ConfigOverrides(state: state.map(absolute), modelPath: model.map(absolute), workers: workers, threads: threads)
    }

    /// The same options for another quill command (`quill retrain` started by the daemon's schedule).
    var forwarded: [String] {
        var args: [String] = []
        if let state { args += ["--state", absolute(state)] }
        if let model { args += ["--model", absolute(model)] }
        if let config { args += ["--config", absolute(config)] }
        if let threads { args += ["--threads", String(threads)] }
        return args
    }

    private func absolute(_ p: String) -> String {
        p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
    }
}

/// Logs to standard error (journald under systemd). Libraries take a `Logger`; only here is logging
/// bootstrapped. No patient text is logged anywhere: job ids, hashes, sizes, durations.
func bootstrapLogging() {
    LoggingSystem.bootstrap { label in
        var h = StreamLogHandler.standardError(label: label)
        h.logLevel = ProcessInfo.processInfo.environment["QUILL_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        return h
    }
}

/// Runs the daemon in either mode; `main`'s only job is to gather arguments and the environment.
func runDaemon(_ options: DaemonOptions, mode: Daemon.Mode) throws -> Daemon.Summary {
    bootstrapLogging()
    let config = try options.load()
    let logger = Logger(label: "quill")
    let processor = try makeDocumentProcessor(config: config, logger: logger)
    let env = ProcessInfo.processInfo.environment
    let notifier = SystemdNotifier(notifySocket: env["NOTIFY_SOCKET"], watchdogUSec: env["WATCHDOG_USEC"], watchdogPID: env["WATCHDOG_PID"])
    let configFile = options.config
    let overrides = options.overrides
    let retrainArguments = ["retrain"] + options.forwarded
    let daemon = Daemon(config: config, processor: processor, logger: logger, notifier: notifier,
                        reloadConfig: { try QuillConfig.load(file: configFile, overrides: overrides) },
                        startRetraining: { try ChildProcessRun(executable: ChildProcessRun.thisExecutable, arguments: retrainArguments) })
    let sources = installSignalHandlers(for: daemon)
    defer { withExtendedLifetime(sources) {} }
    return try daemon.run(mode)
}

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Watch the inbox and process every document that arrives, until SIGTERM (systemd Type=notify).",
        discussion: "SIGHUP reloads the configuration; SIGTERM finishes or re-queues the job in hand and exits 0.")

    @OptionGroup var options: DaemonOptions

    func run() throws {
        _ = try runDaemon(options, mode: .serve)
    }
}

struct Process: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Process what is in the inbox now (and jobs left unfinished by a crash), then exit.",
        discussion: """
        With FILE arguments (back-fills), the files are copied into the inbox first and one line per file \
        says where it ended (JSON lines when the output is not a terminal). Prints a summary line; exits 1 \
        when a job hit a system error (full disk, permissions) or a given file failed.
        """)

    @OptionGroup var options: DaemonOptions

    @Argument(help: "Files to process once; the originals stay where they are.")
    var files: [String] = []

    func run() throws {
        var placed: [(source: String, inboxName: String)] = []
        if !files.isEmpty {
            let config = try options.load()
            placed = try Backfill.enqueue(files, inbox: config.inboxPath)
        }
        let summary = try runDaemon(options, mode: .once)
        if !placed.isEmpty { try printOutcomes(Backfill.outcomes(placed, databasePath: try options.load().databasePath)) }
        // With files, standard output carries only their lines (JSON for scripts); the summary goes to stderr.
        if placed.isEmpty { print(summary) } else { FileHandle.standardError.write(Data("\(summary)\n".utf8)) }
        if summary.errors > 0 || (!placed.isEmpty && summary.failed > 0) { throw ExitCode(1) }
    }
}

/// One line per file: JSON when standard output is not a terminal, words when it is.
private func printOutcomes(_ lines: [[String: Any]]) throws {
    let tty = isatty(STDOUT_FILENO) != 0
    for (i, line) in lines.enumerated() {
        if tty {
            let detail = (line["reason"] as? String) ?? (line["destination"] as? String).map { "→ \($0)" } ?? ""
            print("[\(i + 1)/\(lines.count)] \(line["file"]!): \(line["state"]!) \(detail)")
        } else {
            let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        }
    }
}

struct Audit: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check and read the tamper-evident audit trail.",
        subcommands: [AuditVerify.self, AuditShow.self, AuditExport.self, AuditInitKey.self])
}

struct AuditVerify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Walk the hash chain; name the first event that was altered, inserted or removed (exit 1).",
        discussion: """
        With the audit key (--key-file, audit.key_file in --config, or the quill-audit-key systemd credential), \
        keyed events are checked by their HMAC and the anchor file's signed checkpoints must all name events the \
        database still holds, so a rewritten chain or a removed tail is found.
        """)

    @Option(help: "The state root (default: paths.state from --config).") var state: String?
    @Option(help: "Quill's TOML configuration file, for [audit] and paths.state.") var config: String?
    @Option(help: "The audit key file (over audit.key_file).") var keyFile: String?
    @Option(help: "The anchor file of signed checkpoints (over audit.anchor_file).") var anchorFile: String?

    func run() throws {
        var c = try QuillConfig.load(file: config)
        if let state { c.paths.state = absolutePath(state) }
        if config == nil && state == nil { throw ValidationError("give --state DIR or --config FILE") }
        if let keyFile { c.audit.keyFile = absolutePath(keyFile) }
        if let anchorFile { c.audit.anchorFile = absolutePath(anchorFile) }
        let env = ProcessInfo.processInfo.environment
        let key = try c.auditKeyPath(environment: env).map { try AuditKey.load(path: $0) }
        // The default anchor file is only read when it exists (a trail never checkpointed has none).
        let anchor = key == nil ? nil : (c.audit.anchorFile.isEmpty && !FileManager.default.fileExists(atPath: c.auditAnchorPath) ? nil : c.auditAnchorPath)
        let store = try StateRoot(config: c).openStore()
        let result = try store.verifyAudit(key: key, anchorFile: anchor)
        print(result)
        if let key, case .intact = result {
            print("keyed with key \(key.id)\(anchor.map { "; checkpoints in \($0) agree" } ?? "; no anchor file")")
        } else if key == nil, case .intact = result {
            print("no audit key given: only the plain SHA-256 chain was checked, which anyone who can write the database can recompute")
        }
        if case .broken = result { throw ExitCode(1) }
    }
}

struct AuditShow: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Print the audit events (JSON lines), all or one job's, with the job's current state.")

    @Option(help: "The state root.") var state: String
    @Option(help: "Only this job's events.") var job: Int64?

    func run() throws {
        let store = try StateRoot(config: stateConfig(state)).openStore()
        if let job {
            let j = try store.job(id: job)
            FileHandle.standardError.write(Data("job \(j.id): \(j.inboxName), state \(j.state.name), archive \(j.places.archivePath ?? "")\n".utf8))
        }
        for e in try store.auditEvents(jobID: job) { print(e.jsonLine) }
    }
}

struct AuditExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the audit events at or after a time as JSON lines.")

    @Option(help: "The state root.") var state: String
    @Option(help: "ISO 8601 time or date (UTC), e.g. 2025-01-31 or 2025-01-31T08:00:00Z.") var since: String = ""

    func run() throws {
        let store = try StateRoot(config: stateConfig(state)).openStore()
        for e in try store.auditEvents() where e.time >= since { print(e.jsonLine) }
    }
}

struct AuditInitKey: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init-key",
        abstract: "Create the audit chain's HMAC key: 32 random bytes as hex, mode 0600; never overwrites a file.",
        discussion: "Then set audit.key_file, or LoadCredential=quill-audit-key:FILE in the unit. Keep a copy where the database's writers cannot read it.")

    @Option(help: "Where to write the key, e.g. /etc/quill/audit.key.") var out: String

    func run() throws {
        let key = try AuditKey.create(path: absolutePath(out))
        print("wrote \(out) (key id \(key.id))")
    }
}

private func absolutePath(_ p: String) -> String {
    p.hasPrefix("/") ? p : FileManager.default.currentDirectoryPath + "/" + p
}

private func stateConfig(_ state: String) -> QuillConfig {
    var c = QuillConfig()
    c.paths.state = state.hasPrefix("/") ? state : FileManager.default.currentDirectoryPath + "/" + state
    return c
}
