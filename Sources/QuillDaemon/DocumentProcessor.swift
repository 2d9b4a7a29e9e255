import ClinicalDocuments
import Synchronization

/// What the daemon calls to turn one document into its output files: the one hook between the
/// daemon and the model. `QuillPipeline` provides the model-backed implementation; the daemon
/// never contains one of its own.
///
/// The daemon calls it on a worker thread, once per document, and may call it again for the
/// same document after a crash or a `SIGTERM` (the job resumes from its last durable state), so
/// it must not depend on having been called before. It must not write to the outbox itself:
/// the daemon stages, fsyncs and renames the returned bytes.
public protocol DocumentProcessor: Sendable {
    /// Turns one document into its output files. Throws for a document that cannot be processed
    /// (the input goes to `failed/` with the error's description as the reason), or
    /// `ProcessingInterrupted` when `interruption.isRequested` became true (the job is re-queued).
    ///
    /// - Parameters:
    ///   - stem: every output's file name must be `<stem>.<anything>` (e.g. `<stem>.discharge-summary.txt`).
    ///   - inputSHA256: the input file's SHA-256, for provenance.
    ///   - interruption: poll it at token boundaries; `try interruption.check()` throws when set.
    func process(_ document: ClinicalDocument, stem: String, inputSHA256: String,
                 interruption: Interruption) throws -> ProcessedDocument

    /// Called after `SIGHUP` reloaded the configuration (templates may have changed). Default: nothing.
    func configurationReloaded(_ config: QuillConfig)

    /// Throws, naming the file and the line, when a reviewer's `text`, saved as the output `outputName`,
    /// cannot be read back into its task's sections (so it could never become a training example).
    /// Default: any text is taken.
    func checkCorrection(_ text: String, outputName: String) throws
}

extension DocumentProcessor {
    public func configurationReloaded(_ config: QuillConfig) {}
    public func checkCorrection(_ text: String, outputName: String) throws {}
}

/// The outputs of one document.
public struct ProcessedDocument: Sendable {
    public var outputs: [OutputFile]
    /// Facts for the audit row: model id, adapter version, prompt hash, findings count, durations.
    /// Never patient text.
    public var audit: [String: String]
    /// The fact check routed it to `review/` instead of the outbox.
    public var needsReview: Bool
    public var reviewReason: String?

    public init(outputs: [OutputFile], audit: [String: String] = [:], needsReview: Bool = false, reviewReason: String? = nil) {
        self.outputs = outputs; self.audit = audit; self.needsReview = needsReview; self.reviewReason = reviewReason
    }
}

public struct OutputFile: Sendable, Equatable {
    /// A plain file name (no `/`), starting with `<stem>.`.
    public var fileName: String
    public var bytes: [UInt8]
    public init(fileName: String, bytes: [UInt8]) { self.fileName = fileName; self.bytes = bytes }
}

/// A request to stop at the next safe point, shared between the daemon and a running processor.
public final class Interruption: Sendable {
    private let flag = Atomic<Bool>(false)
    private let parent: Interruption?
    public init() { parent = nil }
    /// Requested when this one or `parent` is: one document's time limit interrupts that document
    /// only, a stop interrupts every document.
    public init(parent: Interruption) { self.parent = parent }
    public var isRequested: Bool { flag.load(ordering: .relaxed) || (parent?.isRequested ?? false) }
    public func request() { flag.store(true, ordering: .relaxed) }
    public func check() throws { if isRequested { throw ProcessingInterrupted() } }
}

/// Thrown by a processor that stopped because an interruption was requested.
public struct ProcessingInterrupted: Error, Sendable {
    public init() {}
}
