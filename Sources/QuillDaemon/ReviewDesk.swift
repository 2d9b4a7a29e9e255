import ClinicalDocuments
import Digests
import Foundation
import QuillStore

/// Binds a reviewer's decision to the output it judges and records it: the one path that the folder
/// intake (`reviewed/`) and `quill review` share, so that both bind, check and refuse alike.
public struct ReviewDesk: Sendable {
    public let store: QuillStore
    public let root: StateRoot
    /// Reads a correction back into its task's sections (the pipeline's `ReviewedNote`), throwing an
    /// error that names the file and the line; the daemon gets it through its `DocumentProcessor`.
    public typealias CorrectionCheck = @Sendable (_ text: String, _ outputName: String) throws -> Void

    public init(store: QuillStore, root: StateRoot) { self.store = store; self.root = root }

    public enum Decision: Sendable, Equatable {
        case accept
        case correct(text: String)
        case reject(reason: String)
    }

    /// A written job's output document: its files (one per format) and where they were published.
    public struct Document: Sendable, Equatable {
        public var jobID: Int64
        /// `<stem>.<task>`.
        public var name: String
        public var outputs: [StoredOutput]
        /// `review` when the fact check held it back, else `outbox`.
        public var folder: String
        public var reviewReason: String?
    }

    /// The documents of every written job (newest first), or of one job.
    public func documents(jobID: Int64? = nil) throws -> [Document] {
        let jobs = try jobID.map { [try store.job(id: $0)] } ?? store.jobs(state: .written).reversed()
        return jobs.flatMap(Self.documents)
    }

    static func documents(of job: Job) -> [Document] {
        guard case .written(_, _, let generated) = job.state else { return [] }
        var order: [String] = []
        var byName: [String: [StoredOutput]] = [:]
        for o in generated.outputs {
            let name = documentName(of: o.name)
            if byName[name] == nil { order.append(name) }
            byName[name, default: []].append(o)
        }
        return order.map { Document(jobID: job.id, name: $0, outputs: byName[$0]!, folder: generated.needsReview ? "review" : "outbox",
                                    reviewReason: generated.reviewReason) }
    }

    /// `<stem>.<task>.<format>` → `<stem>.<task>` (the format may have dots: `cda.xml`, `provenance.json`).
    public static func documentName(of outputName: String) -> String {
        let parts = outputName.split(separator: ".", omittingEmptySubsequences: false)
        if let at = parts.indices.dropFirst().last(where: { DocumentTask(name: String(parts[$0])) != nil }) {
            return parts[...at].joined(separator: ".")
        }
        guard let dot = outputName.lastIndex(of: ".") else { return outputName }
        return String(outputName[..<dot])
    }

    /// The output a reviewer means: a file name Quill wrote (`a.soap-note.md`), or a job id with the
    /// document's format (`--job 12`, the document picked by `document` when the job wrote several).
    public func output(named name: String) throws -> (Job, StoredOutput) {
        guard let found = try store.writtenOutput(named: name) else { throw ReviewDeskError.noOutputNamed(name) }
        return found
    }

    public func output(job jobID: Int64, document: String?, format: String) throws -> (Job, StoredOutput) {
        let job = try store.job(id: jobID)
        let docs = Self.documents(of: job)
        guard !docs.isEmpty else { throw ReviewDeskError.jobNotWritten(jobID, state: job.state.name) }
        let chosen: Document
        if let document {
            guard let d = docs.first(where: { $0.name == document || $0.name.hasPrefix(document + ".") }) else {
                throw ReviewDeskError.noSuchDocument(jobID, document, have: docs.map(\.name))
            }
            chosen = d
        } else {
            guard docs.count == 1 else { throw ReviewDeskError.severalDocuments(jobID, have: docs.map(\.name)) }
            chosen = docs[0]
        }
        guard let o = chosen.outputs.first(where: { $0.name.hasSuffix("." + format) }) else {
            throw ReviewDeskError.noFormat(chosen.name, format)
        }
        return (job, o)
    }

    /// The published file of `output`, if it is still where the job put it and unchanged.
    public func originalText(_ job: Job, _ output: StoredOutput) -> String? {
        guard case .written(_, _, let g) = job.state else { return nil }
        let path = (g.needsReview ? root.review : root.outbox) + "/" + output.name
        guard case .bytes(let bytes)? = try? InputFile.read(path, allowedOwners: [], maxBytes: 16 << 20),
              SHA256.hex(bytes) == output.sha256 else { return nil }
        return String(bytes: bytes, encoding: .utf8)
    }

    /// Records `decision` on `output` of `job`. An accept keeps the output's text (a replay example for
    /// retraining) when the file is still there. A correction whose text is the original's is an accept;
    /// one the check cannot read back into sections is refused with the check's error.
    @discardableResult
    public func record(_ decision: Decision, on output: StoredOutput, of job: Job, reviewer: String, via: String,
                       check: CorrectionCheck) throws -> Review {
        var kind: ReviewKind
        var text: String?
        var reason: String?
        var editSize: Int? = 0
        switch decision {
        case .accept:
            kind = .accept
            text = originalText(job, output)
        case .reject(let r):
            kind = .reject
            reason = r.trimmingCharacters(in: .whitespacesAndNewlines)
            if reason?.isEmpty ?? true { throw ReviewDeskError.rejectWithoutReason }
        case .correct(let t):
            if SHA256.hex(t) == output.sha256 {
                kind = .accept
                text = t
            } else {
                kind = .correct
                try check(t, output.name)
                text = t
                editSize = originalText(job, output).map { WordEditDistance.between($0, t) }
            }
        }
        return try store.recordReview(NewReview(jobID: job.id, document: Self.documentName(of: output.name), outputName: output.name,
                                                originalSHA256: output.sha256, kind: kind, correctedText: text, editSize: editSize,
                                                reason: reason, reviewer: reviewer, via: via))
    }
}

/// Why a review could not be bound to an output.
public enum ReviewDeskError: Error, Sendable, Equatable, CustomStringConvertible {
    case noOutputNamed(String)
    case jobNotWritten(Int64, state: String)
    case noSuchDocument(Int64, String, have: [String])
    case severalDocuments(Int64, have: [String])
    case noFormat(String, String)
    case rejectWithoutReason

    public var description: String {
        switch self {
        case .noOutputNamed(let n): return "\(n) matches no output Quill wrote (save a correction under the name of the output it corrects)"
        case let .jobNotWritten(id, state): return "job \(id) is \(state), not written: it has no outputs to review"
        case let .noSuchDocument(id, d, have): return "job \(id) has no document \(d) (it has \(have.joined(separator: ", ")))"
        case let .severalDocuments(id, have): return "job \(id) wrote several documents (\(have.joined(separator: ", "))): name one with --document"
        case let .noFormat(d, f): return "\(d) has no .\(f) output"
        case .rejectWithoutReason: return "a rejection needs a reason (--reason)"
        }
    }
}
