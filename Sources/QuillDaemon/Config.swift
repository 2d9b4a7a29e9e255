import ClinicalDocuments
import Foundation
import TOMLKit

/// Quill's configuration: one TOML file (`quill.example.toml` documents every key), every default
/// in this file, command line over file, validated once at start (STYLE 8). The model's own
/// configuration comes from its `config.json` and is not here.
public struct QuillConfig: Sendable, Equatable {
    public var paths = Paths()
    public var model = Model()
    public var generation = Generation()
    public var tasks = Tasks()
    public var watch = Watch()
    public var jobs = Jobs()
    public var documents = DocumentLimits()
    public var systemd = Systemd()
    public var audit = Audit()
    public var retraining = Retraining()

    public init() {}

    public struct Paths: Sendable, Equatable {
        /// The state root: `inbox/ outbox/ archive/ failed/ review/ reviewed/ adapters/ quill.sqlite`.
        public var state = "/var/lib/quill"
        /// Override for the inbox (a share, say); default `<state>/inbox`.
        public var inbox: String? = nil
        /// Override for the outbox; default `<state>/outbox`.
        public var outbox: String? = nil
        /// Output templates a hospital has edited; `nil` means the templates shipped with Quill.
        public var templates: String? = nil
        /// The group allowed to drop files (name or id): the inbox becomes `quill:<group>` mode 3730
        /// (senders create, cannot list, rename or remove others' files). `nil` leaves the inbox as it is.
        public var senderGroup: String? = nil
        /// The group allowed to read outputs (name or id): outbox/ and review/ become `quill:<group>`
        /// mode 2750, so every output inherits the group (0640). `nil` leaves them to Quill's own group.
        public var outputGroup: String? = nil
    }

    public struct Model: Sendable, Equatable {
        /// A Hugging Face model folder or a GGUF file.
        public var path = ""
        /// How HF weights are held in memory, by ggml's name (`f32`, `q8_0`, `q4_0`: the engine's `WeightFormat`,
        /// which reads and checks it when the model is loaded; GGUF files keep their own).
        public var quantization = "q8_0"
        /// Threads for the model's kernels; 0 means one per core.
        public var threads = 0
        /// The LoRA adapter: `active` (the one `adapters/active` names), `none`, a version (`v3`, a PEFT folder, or
        /// `v3.gguf`, llama.cpp's adapter file), or a path to either.
        public var adapter = "active"
        /// Pin: the SHA-256 the model's files must have (ModelFingerprint); `nil` records without checking.
        public var sha256: String? = nil
        /// Pin for the adapter's files, checked the same way.
        public var adapterSHA256: String? = nil
    }

    /// `quill retrain`: reviewers' corrections → a candidate adapter, promoted only past the gate (docs/RETRAINING.md).
    public struct Retraining: Sendable, Equatable {
        /// Corrections not used by any adapter version yet that a run needs before it trains.
        public var minNewCorrections = 20
        /// The share of corrections held out (chosen by hash, so stable from run to run) for the gate.
        public var holdoutShare = 0.2
        /// Accepted outputs replayed beside the corrections, as a share of the corrections trained on.
        public var replayShare = 0.5
        /// How much higher the candidate's ROUGE-L on the held-out corrections must be than the active adapter's.
        public var margin = 0.01
        /// `active`: continue from the active adapter; `fresh`: new LoRA pairs.
        public var from = "active"
        public var epochs = 3
        public var learningRate = 2e-4
        /// Sequences per micro-batch, and micro-batches per optimizer step (the effective batch is their product).
        public var batch = 1
        public var accumulation = 8
        public var rank = 16
        public var alpha = 32.0
        /// Projections trained: q,k,v,o,gate,up,down or all.
        public var targets = "q,v"
        public var maxLength = 1024
        /// A document waiting in the inbox pauses training for at most this long before each step.
        public var yieldSeconds = 600.0
        /// When `quill serve` starts `quill retrain` itself: "daily HH:MM", "every N hours", or "" (never; the
        /// systemd timer or a person runs it).
        public var schedule = ""
        /// `schedule` read (validated by `QuillConfig.validate`, so a bad one never gets this far).
        public var parsedSchedule: RetrainSchedule? { (try? RetrainSchedule(parsing: schedule)) ?? nil }
    }

    public struct Generation: Sendable, Equatable {
        public var maxNewTokens = 1024
        /// 0 means greedy.
        public var temperature = 0.0
        public var topP = 1.0
        /// CTRL's repetition penalty (1 = off), as transformers' `repetition_penalty`.
        public var repetitionPenalty = 1.0
        /// Forbid repeating any run of this many tokens of the output (0 = off), as transformers'
        /// `no_repeat_ngram_size` but over the output only: copying the input's phrases stays allowed.
        public var noRepeatNgramSize = Generation.defaultNoRepeatNgramSize
        public static let defaultNoRepeatNgramSize = 0
        public var seed = 0
        /// Keep a reasoning model's `<think>` text in `<state>/reasoning/<stem>.reasoning.txt` (the audit
        /// trail keeps only its hash; it never goes to outputs).
        public var keepReasoning = false
    }

    public struct Tasks: Sendable, Equatable {
        /// The task for a clinical note, and for a dialogue.
        public var clinicalNote = "discharge_summary"
        public var dialogue = "soap_note"
        /// Output formats written for every document: `text`, `markdown`, `cda`, `hl7`, `fhir`.
        public var formats = ["text", "markdown", "cda", "hl7", "fhir"]
        public static let knownFormats = ["text", "markdown", "cda", "hl7", "fhir"]
        public static let knownTasks = ["discharge_summary", "soap_note"]
    }

    public struct Watch: Sendable, Equatable {
        /// Full rescan of the inbox, for shares where writes from other hosts raise no inotify event.
        public var rescanSeconds = 30.0
        /// A file is taken only when its size and mtime stayed the same this long.
        public var stabilitySeconds = 2.0
        /// Names ending so are ignored until renamed (names starting with `.` always are).
        public var ignoreSuffixes = [".tmp", ".part", ".filepart", "~"]
        /// Users (names or numeric ids) whose files are accepted; empty accepts any owner.
        public var allowedOwners: [String] = []
    }

    public struct Jobs: Sendable, Equatable {
        /// Documents processed at once. Default 1: the model uses all cores.
        public var workers = 1
        /// Runs of one job that may end with the process dying (a crash in the reader or the model,
        /// the watchdog's kill of a hung worker) before the job goes to `failed/` instead.
        public var maxAttempts = 2
        /// The longest one document's processing may take; then it is interrupted and the job fails.
        public var timeoutSeconds = 900.0
        /// After an error that is not the document's (a full disk, an unwritable outbox) the job is
        /// tried again after this long, doubling with each further error up to `retryMaxSeconds`.
        public var retryBaseSeconds = 30.0
        public var retryMaxSeconds = 900.0
    }

    public struct Systemd: Sendable, Equatable {
        /// Send `READY=1`, `STATUS=` and watchdog pings when `$NOTIFY_SOCKET` is set.
        public var notify = true
    }

    public struct Audit: Sendable, Equatable {
        /// The HMAC key of the audit chain (`quill audit init-key`). Empty: the systemd credential
        /// `$CREDENTIALS_DIRECTORY/quill-audit-key` when there is one, else no key (plain SHA-256).
        public var keyFile = ""
        /// The append-only file of signed checkpoints of the chain's head. Empty: `<state>/audit-anchor.jsonl`.
        public var anchorFile = ""
        /// A checkpoint after this many audit events (and one at every stop).
        public var checkpointEvery = 100
    }

    // MARK: Derived paths

    public var stateRoot: String { paths.state }
    public var inboxPath: String { paths.inbox ?? paths.state + "/inbox" }
    public var outboxPath: String { paths.outbox ?? paths.state + "/outbox" }
    public var databasePath: String { paths.state + "/quill.sqlite" }
}

/// A configuration that cannot be used, said so that an operator can fix it.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String?
    public var message: String
    public init(file: String?, _ message: String) { self.file = file; self.message = message }
    public var description: String { (file.map { "\($0): " } ?? "configuration: ") + message }
}

/// What the command line sets over the file.
public struct ConfigOverrides: Sendable, Equatable {
    public var state: String?
    public var modelPath: String?
    public var workers: Int?
    public var threads: Int?
    public init(state: String? = nil, modelPath: String? = nil, workers: Int? = nil, threads: Int? = nil) {
        self.state = state; self.modelPath = modelPath; self.workers = workers; self.threads = threads
    }
}

extension QuillConfig {
    /// Defaults, then the file (when given), then the command line; then validation.
    public static func load(file: String?, overrides: ConfigOverrides = ConfigOverrides()) throws -> QuillConfig {
        var config = QuillConfig()
        if let file {
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw ConfigError(file: file, "cannot be read (\(error.localizedDescription))")
            }
            config = try parse(toml: text, file: file)
        }
        if let s = overrides.state { config.paths.state = s }
        if let m = overrides.modelPath { config.model.path = m }
        if let w = overrides.workers { config.jobs.workers = w }
        if let t = overrides.threads { config.model.threads = t }
        try config.validate(file: file)
        return config
    }

    /// Reads TOML text. Unknown sections and keys are errors (a misspelt key must not silently
    /// fall back to its default).
    public static func parse(toml text: String, file: String? = nil) throws -> QuillConfig {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let e as TOMLParseError {
            throw ConfigError(file: file, "is not valid TOML at line \(e.source.begin.line), column \(e.source.begin.column): \(e.description)")
        }
        var c = QuillConfig()
        var r = TableReader(table: table, section: nil, file: file)
        try r.section("paths") { s in
            c.paths.state = try s.string("state") ?? c.paths.state
            c.paths.inbox = try s.string("inbox").flatMap { $0.isEmpty ? nil : $0 }
            c.paths.outbox = try s.string("outbox").flatMap { $0.isEmpty ? nil : $0 }
            c.paths.templates = try s.string("templates").flatMap { $0.isEmpty ? nil : $0 }
            c.paths.senderGroup = try s.string("sender_group").flatMap { $0.isEmpty ? nil : $0 }
            c.paths.outputGroup = try s.string("output_group").flatMap { $0.isEmpty ? nil : $0 }
        }
        try r.section("model") { s in
            c.model.path = try s.string("path") ?? c.model.path
            c.model.quantization = try s.string("quantization") ?? c.model.quantization
            c.model.threads = try s.int("threads") ?? c.model.threads
            c.model.adapter = try s.string("adapter") ?? c.model.adapter
            c.model.sha256 = try s.string("sha256").flatMap { $0.isEmpty ? nil : $0.lowercased() }
            c.model.adapterSHA256 = try s.string("adapter_sha256").flatMap { $0.isEmpty ? nil : $0.lowercased() }
        }
        try r.section("generation") { s in
            c.generation.maxNewTokens = try s.int("max_new_tokens") ?? c.generation.maxNewTokens
            c.generation.temperature = try s.double("temperature") ?? c.generation.temperature
            c.generation.topP = try s.double("top_p") ?? c.generation.topP
            c.generation.repetitionPenalty = try s.double("repetition_penalty") ?? c.generation.repetitionPenalty
            c.generation.noRepeatNgramSize = try s.int("no_repeat_ngram_size") ?? c.generation.noRepeatNgramSize
            c.generation.seed = try s.int("seed") ?? c.generation.seed
            c.generation.keepReasoning = try s.bool("keep_reasoning") ?? c.generation.keepReasoning
        }
        try r.section("tasks") { s in
            c.tasks.clinicalNote = try s.string("clinical_note") ?? c.tasks.clinicalNote
            c.tasks.dialogue = try s.string("dialogue") ?? c.tasks.dialogue
            c.tasks.formats = try s.strings("formats") ?? c.tasks.formats
        }
        try r.section("watch") { s in
            c.watch.rescanSeconds = try s.double("rescan_seconds") ?? c.watch.rescanSeconds
            c.watch.stabilitySeconds = try s.double("stability_seconds") ?? c.watch.stabilitySeconds
            c.watch.ignoreSuffixes = try s.strings("ignore_suffixes") ?? c.watch.ignoreSuffixes
            c.watch.allowedOwners = try s.strings("allowed_owners") ?? c.watch.allowedOwners
        }
        try r.section("jobs") { s in
            c.jobs.workers = try s.int("workers") ?? c.jobs.workers
            c.jobs.maxAttempts = try s.int("max_attempts") ?? c.jobs.maxAttempts
            c.jobs.timeoutSeconds = try s.double("timeout_seconds") ?? c.jobs.timeoutSeconds
            c.jobs.retryBaseSeconds = try s.double("retry_base_seconds") ?? c.jobs.retryBaseSeconds
            c.jobs.retryMaxSeconds = try s.double("retry_max_seconds") ?? c.jobs.retryMaxSeconds
        }
        try r.section("documents") { s in
            c.documents.maxFileBytes = try s.int("max_file_bytes") ?? c.documents.maxFileBytes
            c.documents.maxTextCharacters = try s.int("max_text_characters") ?? c.documents.maxTextCharacters
            c.documents.maxMessagesPerFile = try s.int("max_messages_per_file") ?? c.documents.maxMessagesPerFile
        }
        try r.section("systemd") { s in
            c.systemd.notify = try s.bool("notify") ?? c.systemd.notify
        }
        try r.section("audit") { s in
            c.audit.keyFile = try s.string("key_file") ?? c.audit.keyFile
            c.audit.anchorFile = try s.string("anchor_file") ?? c.audit.anchorFile
            c.audit.checkpointEvery = try s.int("checkpoint_every") ?? c.audit.checkpointEvery
        }
        try r.section("retraining") { s in
            c.retraining.minNewCorrections = try s.int("min_new_corrections") ?? c.retraining.minNewCorrections
            c.retraining.holdoutShare = try s.double("holdout_share") ?? c.retraining.holdoutShare
            c.retraining.replayShare = try s.double("replay_share") ?? c.retraining.replayShare
            c.retraining.margin = try s.double("margin") ?? c.retraining.margin
            c.retraining.from = try s.string("from") ?? c.retraining.from
            c.retraining.epochs = try s.int("epochs") ?? c.retraining.epochs
            c.retraining.learningRate = try s.double("learning_rate") ?? c.retraining.learningRate
            c.retraining.batch = try s.int("batch") ?? c.retraining.batch
            c.retraining.accumulation = try s.int("accumulation") ?? c.retraining.accumulation
            c.retraining.rank = try s.int("rank") ?? c.retraining.rank
            c.retraining.alpha = try s.double("alpha") ?? c.retraining.alpha
            c.retraining.targets = try s.string("targets") ?? c.retraining.targets
            c.retraining.maxLength = try s.int("max_length") ?? c.retraining.maxLength
            c.retraining.yieldSeconds = try s.double("yield_seconds") ?? c.retraining.yieldSeconds
            c.retraining.schedule = try s.string("schedule") ?? c.retraining.schedule
        }
        try r.finish()
        return c
    }

    /// Checks every value once; the daemon trusts the result.
    public func validate(file: String? = nil) throws {
        func fail(_ m: String) -> ConfigError { ConfigError(file: file, m) }
        if paths.state.isEmpty { throw fail("paths.state is empty; give the state root with --state DIR or in the file") }
        if model.threads < 0 { throw fail("model.threads must be 0 (one per core) or more") }
        let rt = retraining
        if rt.minNewCorrections < 1 { throw fail("retraining.min_new_corrections must be at least 1") }
        if !(rt.holdoutShare > 0 && rt.holdoutShare < 1) { throw fail("retraining.holdout_share must be in (0, 1): the gate needs held-out corrections") }
        if !(rt.replayShare >= 0) { throw fail("retraining.replay_share must be 0 or more") }
        do { _ = try RetrainSchedule(parsing: rt.schedule) } catch { throw fail("\(error)") }
        if !["active", "fresh"].contains(rt.from) { throw fail("retraining.from is \"\(rt.from)\"; use active or fresh") }
        if rt.epochs < 1 || rt.rank < 1 || rt.batch < 1 || rt.accumulation < 1 || rt.maxLength < 16 || !(rt.learningRate > 0) || !(rt.alpha > 0) {
            throw fail("retraining: epochs, rank, batch and accumulation must be at least 1, max_length at least 16, learning_rate and alpha more than 0")
        }
        if generation.maxNewTokens < 1 { throw fail("generation.max_new_tokens must be at least 1") }
        if generation.temperature < 0 { throw fail("generation.temperature must be 0 (greedy) or more") }
        if !(generation.topP > 0 && generation.topP <= 1) { throw fail("generation.top_p must be in (0, 1]") }
        if !(generation.repetitionPenalty > 0) { throw fail("generation.repetition_penalty must be more than 0 (1 = off)") }
        if generation.noRepeatNgramSize < 0 { throw fail("generation.no_repeat_ngram_size must be 0 (off) or more") }
        for (key, task) in [("tasks.clinical_note", tasks.clinicalNote), ("tasks.dialogue", tasks.dialogue)] where !Tasks.knownTasks.contains(task) {
            throw fail("\(key) is \"\(task)\"; use discharge_summary or soap_note")
        }
        if tasks.formats.isEmpty { throw fail("tasks.formats is empty; name at least one of \(Tasks.knownFormats.joined(separator: ", "))") }
        for f in tasks.formats where !Tasks.knownFormats.contains(f) {
            throw fail("tasks.formats names \"\(f)\"; known formats are \(Tasks.knownFormats.joined(separator: ", "))")
        }
        if !(watch.rescanSeconds > 0) { throw fail("watch.rescan_seconds must be more than 0") }
        if !(watch.stabilitySeconds >= 0) { throw fail("watch.stability_seconds must be 0 or more") }
        for o in watch.allowedOwners where OwnerCheck.uid(for: o) == nil {
            throw fail("watch.allowed_owners names \"\(o)\", which is not a user on this machine")
        }
        for (key, group) in [("paths.sender_group", paths.senderGroup), ("paths.output_group", paths.outputGroup)] {
            if let group, FolderPermissions.gid(for: group) == nil { throw fail("\(key) names \"\(group)\", which is not a group on this machine") }
        }
        for (key, pin) in [("model.sha256", model.sha256), ("model.adapter_sha256", model.adapterSHA256)] {
            if let pin, pin.count != 64 || !pin.allSatisfy(\.isHexDigit) { throw fail("\(key) must be 64 hexadecimal digits (a SHA-256), not \"\(pin)\"") }
        }
        if let hidden = UserNamespace.current().hiddenOwners(watch.allowedOwners.compactMap(OwnerCheck.uid(for:))) {
            throw fail(hidden)
        }
        if jobs.workers < 1 || jobs.workers > 64 { throw fail("jobs.workers must be between 1 and 64") }
        if jobs.maxAttempts < 1 || jobs.maxAttempts > 100 { throw fail("jobs.max_attempts must be between 1 and 100") }
        if !(jobs.timeoutSeconds > 0 && jobs.timeoutSeconds <= 7 * 86400) { throw fail("jobs.timeout_seconds must be more than 0 and at most 604800 (a week)") }
        if !(jobs.retryBaseSeconds > 0 && jobs.retryBaseSeconds <= 86400) { throw fail("jobs.retry_base_seconds must be more than 0 and at most 86400 (a day)") }
        if !(jobs.retryMaxSeconds >= jobs.retryBaseSeconds && jobs.retryMaxSeconds <= 86400) {
            throw fail("jobs.retry_max_seconds must be at least jobs.retry_base_seconds and at most 86400 (a day)")
        }
        if documents.maxFileBytes < 1 { throw fail("documents.max_file_bytes must be at least 1") }
        if documents.maxTextCharacters < 1 { throw fail("documents.max_text_characters must be at least 1") }
        if documents.maxMessagesPerFile < 1 { throw fail("documents.max_messages_per_file must be at least 1") }
        if audit.checkpointEvery < 1 { throw fail("audit.checkpoint_every must be at least 1") }
    }
}

/// Reads one TOML table, remembering which keys were used so the rest can be reported as unknown.
struct TableReader {
    let table: TOMLTable
    let section: String?
    let file: String?
    var used = Set<String>()

    private func name(_ key: String) -> String { section.map { "\($0).\(key)" } ?? key }
    private func wrongType(_ key: String, _ expected: String) -> ConfigError {
        ConfigError(file: file, "\(name(key)) must be \(expected)")
    }

    mutating func section(_ key: String, _ body: (inout TableReader) throws -> Void) throws {
        used.insert(key)
        guard let value = table[key] else {
            var empty = TableReader(table: TOMLTable(), section: name(key), file: file)
            try body(&empty)
            return
        }
        guard let t = value.table else { throw wrongType(key, "a table ([\(key)])") }
        var r = TableReader(table: t, section: name(key), file: file)
        try body(&r)
        try r.finish()
    }

    mutating func string(_ key: String) throws -> String? {
        used.insert(key)
        guard let v = table[key] else { return nil }
        guard let s = v.string else { throw wrongType(key, "a string") }
        return s
    }

    mutating func int(_ key: String) throws -> Int? {
        used.insert(key)
        guard let v = table[key] else { return nil }
        guard let i = v.int else { throw wrongType(key, "an integer") }
        return i
    }

    mutating func double(_ key: String) throws -> Double? {
        used.insert(key)
        guard let v = table[key] else { return nil }
        if let d = v.double { return d }
        if let i = v.int { return Double(i) }
        throw wrongType(key, "a number")
    }

    mutating func bool(_ key: String) throws -> Bool? {
        used.insert(key)
        guard let v = table[key] else { return nil }
        guard let b = v.bool else { throw wrongType(key, "true or false") }
        return b
    }

    mutating func strings(_ key: String) throws -> [String]? {
        used.insert(key)
        guard let v = table[key] else { return nil }
        guard let a = v.array else { throw wrongType(key, "an array of strings") }
        var out = [String]()
        for item in a {
            guard let s = item.string else { throw wrongType(key, "an array of strings") }
            out.append(s)
        }
        return out
    }

    func finish() throws {
        let unknown = table.keys.filter { !used.contains($0) }.sorted()
        if let first = unknown.first {
            throw ConfigError(file: file, "unknown key \(name(first))\(unknown.count > 1 ? " (and \(unknown.count - 1) more)" : ""); see quill.example.toml for the keys")
        }
    }
}
