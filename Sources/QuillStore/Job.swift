import Foundation

/// One input file's life in Quill (DESIGN.md, "The one flow"). The state is an enum whose cases
/// carry exactly what is true in them; each move forward is one SQLite transaction with its audit
/// event (`QuillStore`).
public struct Job: Sendable, Equatable {
    public var id: Int64
    /// A random token that names this job's claimed file and staging folder.
    public var token: String
    /// The runner instance that holds the job (see `QuillStore.adoptJobs`).
    public var owner: String
    /// The file's name as it arrived in the inbox.
    public var inboxName: String
    /// Where the job's files go: the claim name from the start, the archive and failed places
    /// reserved once the file is claimed (`nil` before), so that every later step, and a restart
    /// after a crash, knows them without guessing.
    public var places: Places
    public var receivedAt: Date
    public var state: JobState
    /// How often the job's work was tried (`QuillStore.beginAttempt`, `scheduleRetry`).
    public var attempts = JobAttempts()

    public struct Places: Sendable, Equatable {
        /// The name inside `inbox/.quill-claimed/`.
        public var claimName: String
        /// Relative to the state root: `archive/YYYY-MM-DD/<name>`; `nil` until reserved.
        public var archivePath: String?
        /// The name inside `failed/` (its reason is `<failedName>.error.json`); `nil` until reserved.
        public var failedName: String?
    }

    public var isFinished: Bool { state.isFinished }
}

/// A job's attempts: runs of the steps that read the content (ingest and generate), and errors.
public struct JobAttempts: Sendable, Equatable {
    /// Runs begun (the first by the claim itself) and runs that ended with the process still alive
    /// (re-queued on a stop, or an error). A run begun and never ended took the process down.
    public var begun = 0
    public var ended = 0
    /// Errors met (other than refusals, which fail the job), the last one's kind, and the time
    /// before which the job is not tried again.
    public var errors = 0
    public var lastErrorKind: String?
    public var nextAttemptAt: Date?
    public init() {}

    /// Runs that never ended: the process died (a crash, a `kill -9`, the watchdog) during them.
    /// Meaningful while the job is unfinished: a run that reaches `generated` is not ended.
    public var stoppedWorker: Int {
        let (d, overflow) = begun.subtractingReportingOverflow(ended)
        return overflow ? 0 : max(0, d)
    }
}

/// What is known about the input once it is claimed.
public struct ClaimedInput: Sendable, Equatable {
    public var sha256: String
    public var size: Int
    public init(sha256: String, size: Int) { self.sha256 = sha256; self.size = size }
}

/// One output file staged or written for a job.
public struct StoredOutput: Sendable, Equatable, Codable {
    public var name: String
    public var sha256: String
    public var bytes: Int
    public init(name: String, sha256: String, bytes: Int) { self.name = name; self.sha256 = sha256; self.bytes = bytes }
}

/// What generation produced: outputs staged durably under `outbox/.quill-staging/<token>/`.
public struct GeneratedOutputs: Sendable, Equatable {
    public var outputs: [StoredOutput]
    /// The fact check routed the outputs to `review/` instead of `outbox/`.
    public var needsReview: Bool
    public var reviewReason: String?
    public init(outputs: [StoredOutput], needsReview: Bool, reviewReason: String?) {
        self.outputs = outputs; self.needsReview = needsReview; self.reviewReason = reviewReason
    }
}

/// The step a job was at when it failed.
public enum JobStep: String, Sendable, Codable {
    case claim, ingest, generate, write
}

public enum JobState: Sendable, Equatable {
    /// Seen in the inbox, stable, and recorded; about to be claimed by renaming it into
    /// `inbox/.quill-claimed/<claimName>`.
    case received
    /// The file is in `inbox/.quill-claimed/<claimName>` and belongs to this job alone.
    case claimed(ClaimedInput)
    /// The file was read into documents; output names start with these stems (one per document).
    case ingested(ClaimedInput, stems: [String])
    /// Outputs are staged durably; nothing is in the outbox yet.
    case generated(ClaimedInput, stems: [String], GeneratedOutputs)
    /// Outputs are in `outbox/` (or `review/`), the input in `archivePath`. Final.
    case written(ClaimedInput, stems: [String], GeneratedOutputs)
    /// The same content was already written by job `of`; the input is archived, nothing new is
    /// written, and the earlier outputs are named. Final.
    case duplicate(ClaimedInput, of: Int64, earlierOutputs: [String])
    /// The input is in `failed/<failedName>` with `<failedName>.error.json`. Final.
    case failed(step: JobStep, reason: String, input: ClaimedInput?)

    /// The state's kind, as the `state` column stores it.
    public var kind: Kind {
        switch self {
        case .received: return .received
        case .claimed: return .claimed
        case .ingested: return .ingested
        case .generated: return .generated
        case .written: return .written
        case .duplicate: return .duplicate
        case .failed: return .failed
        }
    }

    /// The text stored in the `state` column and named by the audit event `job.<name>`.
    public var name: String { kind.rawValue }

    public var isFinished: Bool { kind.isFinished }

    public var input: ClaimedInput? {
        switch self {
        case .received: return nil
        case .claimed(let i), .ingested(let i, _), .generated(let i, _, _), .written(let i, _, _), .duplicate(let i, _, _): return i
        case .failed(_, _, let i): return i
        }
    }

    /// A state without what it carries. The raw values are what the `state` column holds (and the
    /// audit trail's `job.<state>` events say): existing state folders hold them, so they never change.
    public enum Kind: String, Sendable, CaseIterable {
        case received, claimed, ingested, generated, written, duplicate, failed

        public var isFinished: Bool {
            switch self {
            case .written, .duplicate, .failed: return true
            case .received, .claimed, .ingested, .generated: return false
            }
        }

        /// The states a job can still leave: the jobs a runner holds, resumes and adopts.
        public static let unfinished = allCases.filter { !$0.isFinished }
    }
}
