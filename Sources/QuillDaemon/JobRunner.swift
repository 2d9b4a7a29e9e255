import ClinicalDocuments
import Digests
import Foundation
import Logging
import QuillStore
#if canImport(Glibc)
import Glibc
#endif

/// Takes one job from the inbox to its final place, one durable step at a time (pueue's task
/// lifecycle; maildir's rename). Every step can be repeated after a crash: the file operations are
/// idempotent (each checks where the file already is) and the state moves only after they are done.
///
///     received ─rename into .quill-claimed/─▶ claimed ─read─▶ ingested ─model─▶ generated ─publish─▶ written
///                 (lost race: row abandoned)     │ same SHA-256 already written ─▶ duplicate (archived)
///                                                └─ refused / unreadable / processor error ─▶ failed
struct JobRunner: Sendable {
    let store: QuillStore
    let root: StateRoot
    let config: QuillConfig
    let processor: any DocumentProcessor
    let owner: String
    let interruption: Interruption
    let logger: Logger
    /// Test hook: called after each durable step with the new state's name; a throw there stops the
    /// job as a crash would (nothing after the step runs).
    let afterStep: (@Sendable (Job) throws -> Void)?
    /// The worker's heartbeat: document clocks for `jobs.timeout_seconds` and the watchdog.
    var slot: WorkerSlot? = nil

    /// How a run of a job ended.
    enum Outcome: Equatable {
        /// Final: outputs in `outbox/` (or `review/`), the input archived.
        case written
        /// Final: the same content was written before; the input archived.
        case duplicate
        /// Final: the input in `failed/` with its reason.
        case failed
        /// Another runner claimed the file first (or it vanished): the row went.
        case abandoned
        /// Stopped on request; the job waits in its last durable state.
        case requeued
    }

    // MARK: Entry points

    /// Records a stable inbox entry as a new job; `nil` when the name is gone.
    func receive(name: String) throws -> Job? {
        let path = root.inbox + "/" + name
        guard let st = try FileOperations.lstatIfExists(path) else { return nil }
        let job = try store.receive(inboxName: name, size: Int(st.st_size), owner: owner)
        logger.info("job.received", metadata: ["job": "\(job.id)", "bytes": "\(st.st_size)"])
        try afterStep?(job)
        return job
    }

    /// An error met by a job's step, recorded with the time of the next try (`QuillStore.scheduleRetry`).
    struct RetryLater: Error {
        var jobID: Int64
        var errorKind: String
        var schedule: QuillStore.RetrySchedule
    }

    /// `afterStep` threw: the job stops there as a crash would (nothing recorded).
    struct StoppedByHook: Error { var error: Error }

    /// Runs a job from its last durable state to a final one. An error other than the store's is
    /// recorded with its kind and a back-off, and thrown as `RetryLater`.
    func run(_ start: Job) throws -> Outcome {
        var job = start
        var attemptOpen = false
        do {
            let outcome = try runSteps(&job, &attemptOpen)
            if outcome == .requeued && attemptOpen { try store.endAttempt(job, reason: "requeued") }
            return outcome
        } catch let error where !(error is StoreError) && !(error is StoppedByHook) {
            let kind = ErrorKind.of(error)
            let schedule = try store.scheduleRetry(job, errorKind: kind, endsAttempt: attemptOpen,
                                                   baseSeconds: config.jobs.retryBaseSeconds, maxSeconds: config.jobs.retryMaxSeconds)
            throw RetryLater(jobID: job.id, errorKind: kind, schedule: schedule)
        }
    }

    private func runSteps(_ job: inout Job, _ attemptOpen: inout Bool) throws -> Outcome {
        // The input's bytes as read (and hashed) at the claim; `nil` when the job resumes after a
        // restart, and then read again from the private copy and checked against the recorded hash.
        var bytes: [UInt8]?
        while true {
            switch job.state {
            case .received:
                guard let claimed = try claim(job) else { return .abandoned }
                (job, bytes) = claimed
                // The transition to claimed began this job's first run (`QuillStore.beginsAttempt`).
                if case .claimed = job.state { attemptOpen = true }
            case .claimed(let input):
                if let stopped = try beginAttempt(job, &attemptOpen) { job = stopped; break }
                (job, bytes) = try ingest(job, input, bytes)
            case let .ingested(input, stems):
                if interruption.isRequested { return requeue(job) }
                if let stopped = try beginAttempt(job, &attemptOpen) { job = stopped; break }
                guard let next = try generate(job, input, stems, bytes) else { return requeue(job) }
                job = next
            case let .generated(input, stems, generated):
                job = try publish(job, input, stems, generated)
            case .written: return .written
            case .duplicate: return .duplicate
            case .failed: return .failed
            }
            do { try afterStep?(job) } catch { throw StoppedByHook(error: error) }
        }
    }

    /// Counts a run of the steps that read the content, before they start, unless this call
    /// already did. Runs that took the process down `jobs.max_attempts` times fail the job
    /// instead (returned), so that one document cannot stop the service for good.
    private func beginAttempt(_ job: Job, _ attemptOpen: inout Bool) throws -> Job? {
        if attemptOpen { return nil }
        switch try store.beginAttempt(job, maxStops: config.jobs.maxAttempts) {
        case .begun:
            attemptOpen = true
            return nil
        case .exhausted(let stopped):
            logger.error("job.stopped_worker", metadata: ["job": "\(job.id)", "times": "\(stopped)"])
            let step: JobStep = { if case .claimed = job.state { return .ingest }; return .generate }()
            return try fail(job, step: step, reason: "\(job.inboxName): processing this file stopped the worker \(stopped) times "
                + "(the process ended while it was being read or generated); it is set aside so that other files are processed",
                safeReason: "stopped_worker: processing this file stopped the worker \(stopped) times", input: job.state.input)
        }
    }

    // MARK: Steps

    private var claimedPath: (Job) -> String { { root.claimed + "/" + $0.places.claimName } }

    /// The claimed job and the bytes read; `nil` when another runner took the file.
    private func claim(_ received: Job) throws -> (Job, [UInt8]?)? {
        var job = received
        let claimed = claimedPath(job)
        if try FileOperations.lstatIfExists(claimed) == nil {
            do {
                try FileOperations.move(root.inbox + "/" + job.inboxName, to: claimed)
            } catch let error as SystemError where error.errno == ENOENT {
                let failedInput = job.places.failedName.map { root.failed + "/" + $0 }
                if let failedInput, FileOperations.exists(failedInput + ".error.json") && FileOperations.exists(failedInput) {
                    // Refused at the claim, and the crash came before the refusal was recorded.
                    return (try store.transition(job, to: .failed(step: .claim, reason: Self.reason(inErrorFile: failedInput + ".error.json"), input: nil),
                                                 details: ["settled_after_restart": true]), nil)
                }
                try store.abandon(job, reason: "the file was taken by another runner or removed before it could be claimed")
                logger.info("job.abandoned", metadata: ["job": "\(job.id)"])
                return nil
            }
        }
        job = try store.reservePlaces(job, archiveDay: Self.today(), isTaken: { FileOperations.exists(root.path($0)) })
        let bytes: [UInt8]
        switch try InputFile.read(claimed, allowedOwners: allowedOwnerIDs, maxBytes: config.documents.maxFileBytes) {
        case .refused(let refusal): return (try fail(job, step: .claim, refusal, input: nil), nil)
        case .bytes(let b): bytes = b
        }
        let sha = SHA256.hex(bytes)
        let size = bytes.count
        let next = try store.transition(job, to: .claimed(ClaimedInput(sha256: sha, size: size)),
                                        details: ["sha256": .string(sha), "size": .int(size)])
        logger.info("job.claimed", metadata: ["job": "\(job.id)", "sha256": "\(sha.prefix(16))", "bytes": "\(size)"])
        try keepPrivateCopy(bytes, of: next)
        return (next, bytes)
    }

    private func ingest(_ job: Job, _ input: ClaimedInput, _ read: [UInt8]?) throws -> (Job, [UInt8]?) {
        guard try FileOperations.lstatIfExists(claimedPath(job)) != nil else { return (try settleMissingInput(job, input), nil) }
        let bytes: [UInt8]
        if let read {
            bytes = read
        } else {
            // Resumed: the claimed file may still be the sender's (a crash came before the private
            // copy was made); only bytes with the recorded hash go on, and from a copy of our own.
            unlink(privateCopyTemporary(job))
            switch try readVerified(job, input) {
            case .refused(let refusal): return (try fail(job, step: .ingest, refusal, input: input), nil)
            case .bytes(let b): bytes = b
            }
            try keepPrivateCopy(bytes, of: job)
        }
        if let earlier = try store.writtenJob(sha256: input.sha256, excluding: job.id),
           case let .written(_, _, generated) = earlier.state {
            let names = generated.outputs.map(\.name)
            try moveInput(job, to: root.path(try reservedPlaces(job).archivePath))
            logger.info("job.duplicate", metadata: ["job": "\(job.id)", "of": "\(earlier.id)"])
            return (try store.transition(job, to: .duplicate(input, of: earlier.id, earlierOutputs: names),
                                         details: ["duplicate_of": .int(Int(earlier.id)), "earlier_outputs": .int(names.count)]), nil)
        }
        let documents: [ClinicalDocument]
        switch readDocuments(job, bytes) {
        case .success(let d): documents = d
        case .failure(let e): return (try fail(job, step: .ingest, reason: e.description, safeReason: e.safeDescription, input: input), nil)
        }
        let stems = try store.reserveStems(job, base: Self.stemBase(job.inboxName), documents: documents.count,
                                           isTaken: { stem in stemTaken(stem) })
        let facts: [JSONValue] = documents.map { d in
            ["kind": .string(d.kind.rawValue), "task": .string(d.task.rawValue), "format": .string(d.sourceFormat.rawValue),
             "encoding": .string(d.encoding.rawValue), "sections": .int(d.sections.count), "turns": .int(d.turns.count),
             "characters": .int(d.textLength)]
        }
        logger.info("job.ingested", metadata: ["job": "\(job.id)", "documents": "\(documents.count)"])
        return (try store.transition(job, to: .ingested(input, stems: stems), details: ["documents": .array(facts), "stems": .int(stems.count)]), bytes)
    }

    /// `nil` when interrupted.
    private func generate(_ job: Job, _ input: ClaimedInput, _ stems: [String], _ read: [UInt8]?) throws -> Job? {
        guard try FileOperations.lstatIfExists(claimedPath(job)) != nil else { return try settleMissingInput(job, input) }
        let bytes: [UInt8]
        if let read {
            bytes = read
        } else {
            switch try readVerified(job, input) {
            case .refused(let refusal): return try fail(job, step: .ingest, refusal, input: input)
            case .bytes(let b): bytes = b
            }
        }
        let documents: [ClinicalDocument]
        switch readDocuments(job, bytes) {
        case .success(let d) where d.count == stems.count: documents = d
        case .success: return try fail(job, step: .ingest, reason: "\(job.inboxName): the file now reads differently from when it was received",
                                       safeReason: "changed_since_received: the file now reads as a different number of documents", input: input)
        case .failure(let e): return try fail(job, step: .ingest, reason: e.description, safeReason: e.safeDescription, input: input)
        }
        let staging = root.staging + "/" + job.token
        FileOperations.removeTree(staging)
        try FileOperations.makeDirectories(staging)
        let started = Date()
        var outputs = [StoredOutput]()
        // What the audit keeps of each output: its format (the name without the stem, which comes from the input's name), hash and size.
        var outputFacts = [JSONValue]()
        var needsReview = false
        var reviewReasons = [String]()
        var audit: [String: JSONValue] = [:]
        for (index, (document, stem)) in zip(documents, stems).enumerated() {
            let result: ProcessedDocument
            // Its own interruption, so that its time limit stops this document only.
            let documentInterruption = Interruption(parent: interruption)
            slot?.beginDocument(job: job.id, interruption: documentInterruption)
            defer { slot?.endDocument() }
            let processed = Result { try processor.process(document, stem: stem, inputSHA256: input.sha256, interruption: documentInterruption) }
            // Past the limit is a timeout whatever the processor did after the interruption (even a late result).
            if slot?.timedOut == true {
                logger.error("job.timed_out", metadata: ["job": "\(job.id)", "limit_s": "\(config.jobs.timeoutSeconds)"])
                return try fail(job, step: .generate, reason: "\(job.inboxName): processing a document took longer than jobs.timeout_seconds "
                    + "(\(config.jobs.timeoutSeconds) s) and was stopped",
                    safeReason: "timeout: processing a document took longer than jobs.timeout_seconds (\(config.jobs.timeoutSeconds) s)", input: input)
            }
            do {
                result = try processed.get()
            } catch is ProcessingInterrupted {
                FileOperations.removeTree(staging)
                return nil
            } catch {
                let which = documents.count > 1 ? " (message \(index + 1) of \(documents.count))" : ""
                return try fail(job, step: .generate, reason: "\(job.inboxName)\(which): the document could not be turned into its outputs: \(error)",
                                safeReason: "processor_failed\(which): \(PrivacySafe.text(error))", input: input)
            }
            if let problem = Self.checkOutputs(result.outputs, stem: stem, already: outputs.map(\.name)) {
                return try fail(job, step: .generate, reason: "\(job.inboxName): the processor returned unusable outputs: \(problem)",
                                safeReason: "unusable_outputs: the processor returned output names that cannot be published", input: input)
            }
            for o in result.outputs {
                try FileOperations.writeDurably(o.bytes, to: staging + "/" + o.fileName, mode: 0o640)
                outputs.append(StoredOutput(name: o.fileName, sha256: SHA256.hex(o.bytes), bytes: o.bytes.count))
                outputFacts.append(["format": .string(String(decoding: o.fileName.utf8.dropFirst(stem.utf8.count + 1), as: UTF8.self)), "sha256": .string(outputs[outputs.count - 1].sha256),
                                    "bytes": .int(o.bytes.count)])
            }
            if result.needsReview {
                needsReview = true
                reviewReasons.append(result.reviewReason ?? "the fact check asked for a review")
            }
            for (k, v) in result.audit { audit[documents.count > 1 ? "\(index + 1).\(k)" : k] = .string(v) }
        }
        let ms = Int(Date().timeIntervalSince(started) * 1000)
        let generated = GeneratedOutputs(outputs: outputs, needsReview: needsReview,
                                         reviewReason: needsReview ? reviewReasons.joined(separator: "; ") : nil)
        logger.info("job.generated", metadata: ["job": "\(job.id)", "outputs": "\(outputs.count)", "ms": "\(ms)", "review": "\(needsReview)"])
        return try store.transition(job, to: .generated(input, stems: stems, generated), details: [
            "outputs": .array(outputFacts),
            "processor": .object(audit), "duration_ms": .int(ms), "needs_review": .bool(needsReview),
        ])
    }

    /// Moves staged outputs into the outbox (or `review/`), then the input into the archive.
    private func publish(_ job: Job, _ input: ClaimedInput, _ stems: [String], _ generated: GeneratedOutputs) throws -> Job {
        let staging = root.staging + "/" + job.token
        let destination = generated.needsReview ? root.review : root.outbox
        for o in generated.outputs {
            let staged = staging + "/" + o.name
            let final = destination + "/" + o.name
            if FileOperations.exists(staged) {
                try FileOperations.move(staged, to: final)
            } else if !FileOperations.exists(final) {
                for other in generated.outputs { unlink(destination + "/" + other.name) }
                return try fail(job, step: .write, reason: "\(job.inboxName): the generated output \(o.name) disappeared before it was published; drop the file again",
                                safeReason: "output_lost: a generated output disappeared before it was published", input: input)
            }
        }
        let places = try reservedPlaces(job)
        let archive = root.path(places.archivePath)
        if FileOperations.exists(claimedPath(job)) {
            try moveInput(job, to: archive)
        } else if !FileOperations.exists(archive) {
            logger.error("job.input_lost", metadata: ["job": "\(job.id)"])
        }
        FileOperations.removeTree(staging)
        unlink(root.failed + "/" + places.failedName + ".error.json")
        logger.info("job.written", metadata: ["job": "\(job.id)", "outputs": "\(generated.outputs.count)", "review": "\(generated.needsReview)"])
        return try store.transition(job, to: .written(input, stems: stems, generated), details: [
            "destination": .string(generated.needsReview ? "review" : "outbox"),
            "outputs": .int(generated.outputs.count),
        ])
    }

    /// Writes `<failedName>.error.json`, moves the input next to it and records the failure.
    /// `reason` (which may name the file and quote its content) goes only into the error file, which
    /// an operator can purge; the jobs table, the audit trail and the log get `safeReason` (kinds,
    /// numbers, positions), which the error file keeps too so that a restart can record it.
    private func fail(_ job: Job, step: JobStep, reason: String, safeReason: String, input: ClaimedInput?) throws -> Job {
        let failedName = try reservedPlaces(job).failedName
        let errorFile = root.failed + "/" + failedName + ".error.json"
        let body: [String: Any] = [
            "file": job.inboxName, "reason": reason, "safe_reason": safeReason, "step": step.rawValue, "job": job.id,
            "sha256": input?.sha256 ?? NSNull(), "time": ISO8601DateFormatter().string(from: Date()),
            "what_to_do": "Fix or replace the file and drop it into the inbox again; this copy stays here for reference.",
        ]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try FileOperations.writeDurably(Array(data) + [0x0A], to: errorFile)
        if FileOperations.exists(claimedPath(job)) {
            try FileOperations.move(claimedPath(job), to: root.failed + "/" + failedName)
        }
        FileOperations.removeTree(root.staging + "/" + job.token)
        logger.notice("job.failed", metadata: ["job": "\(job.id)", "step": "\(step.rawValue)", "reason": "\(safeReason)"])
        return try store.transition(job, to: .failed(step: step, reason: safeReason, input: input),
                                    details: ["step": .string(step.rawValue), "reason": .string(safeReason)])
    }

    /// A refused file: the clerk's reason names it, the safe one does not.
    private func fail(_ job: Job, step: JobStep, _ refusal: Refusal, input: ClaimedInput?) throws -> Job {
        try fail(job, step: step, reason: refusal.description(name: job.inboxName), safeReason: refusal.safeDescription, input: input)
    }

    /// The claimed file is gone in a state that expects it: a crash came between a move and the
    /// transition that records it. Finish what the move began.
    private func settleMissingInput(_ job: Job, _ input: ClaimedInput) throws -> Job {
        let places = try reservedPlaces(job)
        let failedInput = root.failed + "/" + places.failedName
        let errorFile = failedInput + ".error.json"
        if FileOperations.exists(errorFile) && FileOperations.exists(failedInput) {
            let reason = Self.reason(inErrorFile: errorFile)
            let step = Self.step(inErrorFile: errorFile)
            return try store.transition(job, to: .failed(step: step, reason: reason, input: input),
                                        details: ["step": .string(step.rawValue), "reason": .string(reason), "settled_after_restart": true])
        }
        if FileOperations.exists(root.path(places.archivePath)), case .claimed = job.state,
           let earlier = try store.writtenJob(sha256: input.sha256, excluding: job.id),
           case let .written(_, _, generated) = earlier.state {
            return try store.transition(job, to: .duplicate(input, of: earlier.id, earlierOutputs: generated.outputs.map(\.name)),
                                        details: ["duplicate_of": .int(Int(earlier.id)), "settled_after_restart": true])
        }
        return try fail(job, step: .ingest, reason: "\(job.inboxName): the claimed file disappeared from inbox/.quill-claimed before it was processed; nothing was written. Drop the file again.",
                        safeReason: "input_lost: the claimed file disappeared before it was processed", input: input)
    }

    private func requeue(_ job: Job) -> Outcome {
        _ = try? store.record(actor: "daemon", action: "job.requeued", jobID: job.id, details: ["state": .string(job.state.name)])
        logger.info("job.requeued", metadata: ["job": "\(job.id)", "state": "\(job.state.name)"])
        return .requeued
    }

    // MARK: Helpers

    private func moveInput(_ job: Job, to destination: String) throws {
        try FileOperations.makeDirectories(FileOperations.parent(destination))
        try FileOperations.move(claimedPath(job), to: destination)
    }

    /// The archive and failed places, reserved at the claim: every state after `received` has them.
    private func reservedPlaces(_ job: Job) throws -> (archivePath: String, failedName: String) {
        guard let archivePath = job.places.archivePath, let failedName = job.places.failedName else {
            throw StoreError.corruptRow(id: job.id, detail: "no archive and failed places reserved in state \(job.state.name)")
        }
        return (archivePath, failedName)
    }

    private var allowedOwnerIDs: [uid_t] { config.watch.allowedOwners.compactMap(OwnerCheck.uid(for:)) }

    /// Replaces the claimed file with a new file of Quill's own holding exactly the bytes that were
    /// hashed: a sender that kept the original open, or linked it, can no longer change what is
    /// parsed, generated from or archived (the original inode goes with the rename).
    private func keepPrivateCopy(_ bytes: [UInt8], of job: Job) throws {
        try FileOperations.writeDurably(bytes, to: claimedPath(job), temporary: privateCopyTemporary(job))
    }

    /// One fixed name per job: a copy cut short by a crash is overwritten or removed on resume.
    private func privateCopyTemporary(_ job: Job) -> String { root.claimed + "/.quill-copy-" + job.token }

    /// The claimed file read again after a restart; refused unless it still has the recorded
    /// SHA-256. The owner was checked at the claim: the file is now Quill's copy.
    private func readVerified(_ job: Job, _ input: ClaimedInput) throws -> InputFile.Reading {
        let read = try InputFile.read(claimedPath(job), allowedOwners: [], maxBytes: config.documents.maxFileBytes)
        guard case .bytes(let bytes) = read else { return read }
        if SHA256.hex(bytes) != input.sha256 { return .refused(.changedSinceClaim) }
        return read
    }

    enum Reading { case success([ClinicalDocument]), failure(DocumentError) }

    /// Parses the bytes read once at the claim (their size was checked there, from fstat).
    private func readDocuments(_ job: Job, _ bytes: [UInt8]) -> Reading {
        let limits = config.documents
        let results = ClinicalDocumentReader.read(bytes: bytes, fileName: job.inboxName, folderName: nil, limits: limits)
        var documents = [ClinicalDocument]()
        for r in results {
            switch r {
            case .success(let d): documents.append(d)
            case .failure(let e): return .failure(e)
            }
        }
        if documents.isEmpty { return .failure(DocumentError(file: job.inboxName, problem: .empty)) }
        return .success(documents)
    }

    private func stemTaken(_ stem: String) -> Bool {
        for dir in [root.outbox, root.review] {
            if ((try? FileOperations.list(dir)) ?? []).contains(where: { $0.hasPrefix(stem + ".") }) { return true }
        }
        return false
    }

    /// `note.txt` → `note`; `.hidden` names never get here. At most 150 bytes, so that
    /// `<stem>-<token>-<n>.<task>.provenance.json` still fits in a 255-byte file name.
    static func stemBase(_ name: String) -> String {
        var base = name
        if let dot = name.lastIndex(of: "."), dot != name.startIndex { base = String(name[..<dot]) }
        return FileNameFitting.fitted(base, maxBytes: 150)
    }

    static func checkOutputs(_ outputs: [OutputFile], stem: String, already: [String]) -> String? {
        if outputs.isEmpty { return "no output files" }
        var seen = Set(already)
        for o in outputs {
            if o.fileName.contains("/") || o.fileName.hasPrefix(".") || o.fileName.utf8.count > 255 { return "\(o.fileName) is not a plain file name" }
            if !o.fileName.hasPrefix(stem + ".") { return "\(o.fileName) does not start with \(stem)." }
            if !seen.insert(o.fileName).inserted { return "\(o.fileName) is returned twice" }
        }
        return nil
    }

    private static func errorFileObject(_ path: String) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path),
              let obj = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        return obj
    }

    /// The error file's privacy-safe reason, for the jobs table and the audit trail.
    static func reason(inErrorFile path: String) -> String {
        errorFileObject(path)["safe_reason"] as? String ?? "the file could not be processed (its error.json in failed/ says why)"
    }

    static func step(inErrorFile path: String) -> JobStep {
        (errorFileObject(path)["step"] as? String).flatMap(JobStep.init(rawValue:)) ?? .ingest
    }

    static func today() -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd"
        f.locale = Locale(identifier: "en_US_POSIX")
        return f.string(from: Date())
    }
}
