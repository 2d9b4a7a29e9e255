import Foundation
import Digests
import GRDB

/// What a reviewer decided about one output document of a written job.
public enum ReviewKind: String, Sendable, CaseIterable, Codable {
    /// Right as written: kept as a replay example, so that retraining keeps it right.
    case accept
    /// Replaced by the reviewer's text: a training example.
    case correct
    /// Wrong and not worth correcting: never trained on.
    case reject

    /// The audit action: `review.accepted`, `review.corrected`, `review.rejected`.
    public var auditAction: String {
        switch self {
        case .accept: return "review.accepted"
        case .correct: return "review.corrected"
        case .reject: return "review.rejected"
        }
    }
}

/// One review, bound to the output it judges by the job, the document (`<stem>.<task>`, the output
/// names without their format's extension) and the hash of the output file the reviewer read.
public struct Review: Sendable, Equatable {
    public var id: Int64
    public var jobID: Int64
    /// `<stem>.<task>`: the document whose outputs (one per format) the review covers.
    public var document: String
    /// The output file the reviewer read or edited, and its hash as the job wrote it.
    public var outputName: String
    public var originalSHA256: String
    public var kind: ReviewKind
    /// The text judged right: the reviewer's (a `correct`) or the output's (an `accept`, when its file was
    /// still there to read); `nil` for a `reject`.
    public var correctedText: String?
    public var correctedSHA256: String?
    /// Words inserted, deleted or replaced from the original to the corrected text (0 for an accept);
    /// `nil` when the original file was no longer there to compare (the outbox's reader took it).
    public var editSize: Int?
    /// Why it was rejected (kept here only: free text may quote the patient, so the audit trail has its length).
    public var reason: String?
    public var reviewer: String
    /// `folder` (a file saved into `reviewed/`) or `command` (`quill review`).
    public var via: String
    public var time: Date
}

/// A review about to be recorded.
public struct NewReview: Sendable {
    public var jobID: Int64
    public var document: String
    public var outputName: String
    public var originalSHA256: String
    public var kind: ReviewKind
    public var correctedText: String?
    public var editSize: Int?
    public var reason: String?
    public var reviewer: String
    public var via: String

    public init(jobID: Int64, document: String, outputName: String, originalSHA256: String, kind: ReviewKind,
                correctedText: String? = nil, editSize: Int? = 0, reason: String? = nil, reviewer: String, via: String) {
        self.jobID = jobID; self.document = document; self.outputName = outputName; self.originalSHA256 = originalSHA256
        self.kind = kind; self.correctedText = correctedText; self.editSize = editSize; self.reason = reason
        self.reviewer = reviewer; self.via = via
    }
}

/// Why a review was not recorded.
public enum ReviewError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The document was reviewed before (review `existing`): one review per document, so that a
    /// training set never holds two answers to one input.
    case alreadyReviewed(jobID: Int64, document: String, existing: Int64, kind: ReviewKind)
    /// The job is not written, or wrote no output of that name.
    case noSuchOutput(jobID: Int64, name: String)
    /// The output file on disk is not the one the job wrote (edited in place, or replaced).
    case originalChanged(name: String)

    public var description: String {
        switch self {
        case let .alreadyReviewed(job, document, existing, kind):
            return "job \(job)'s \(document) was already reviewed (review \(existing), \(kind.rawValue)); a document takes one review"
        case let .noSuchOutput(job, name): return "job \(job) wrote no output named \(name)"
        case .originalChanged(let name): return "\(name) is not the file Quill wrote (its hash differs from the job's record)"
        }
    }
}

extension QuillStore {
    /// Reviews: one per (job, document), each with its audit event in the same transaction.
    static let v3 = """
                CREATE TABLE reviews (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    job_id INTEGER NOT NULL REFERENCES jobs(id),
                    document TEXT NOT NULL,
                    output_name TEXT NOT NULL,
                    original_sha256 TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    corrected_text TEXT,
                    corrected_sha256 TEXT,
                    edit_size INTEGER,
                    reason TEXT,
                    reviewer TEXT NOT NULL,
                    via TEXT NOT NULL,
                    time REAL NOT NULL,
                    UNIQUE (job_id, document)
                );
                """

    /// Records `review` and its audit event, or refuses a second review of the same document.
    @discardableResult
    public func recordReview(_ review: NewReview) throws -> Review {
        try write { db in
            if let row = try Row.fetchOne(db, sql: "SELECT id, kind FROM reviews WHERE job_id = ? AND document = ?",
                                          arguments: [review.jobID, review.document]) {
                throw ReviewError.alreadyReviewed(jobID: review.jobID, document: review.document, existing: row["id"],
                                                  kind: ReviewKind(rawValue: row["kind"]) ?? .correct)
            }
            let correctedSHA = review.correctedText.map { SHA256.hex($0) }
            let time = Date()
            try db.execute(sql: """
                INSERT INTO reviews (job_id, document, output_name, original_sha256, kind, corrected_text, corrected_sha256,
                                     edit_size, reason, reviewer, via, time)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [review.jobID, review.document, review.outputName, review.originalSHA256, review.kind.rawValue,
                                 review.correctedText, correctedSHA, review.editSize, review.reason, review.reviewer,
                                 review.via, time.timeIntervalSince1970])
            let id = db.lastInsertedRowID
            var details: [String: JSONValue] = [
                // No names: output names start with the input's, which can carry a patient's name (the job id binds it).
                "review": .int(Int(id)), "format": .string(review.outputName.split(separator: ".").last.map(String.init) ?? ""),
                "original_sha256": .string(review.originalSHA256), "reviewer": .string(review.reviewer),
                "via": .string(review.via),
            ]
            if let size = review.editSize { details["edit_size"] = .int(size) }
            if let correctedSHA { details["corrected_sha256"] = .string(correctedSHA) }
            if let reason = review.reason { details["reason_chars"] = .int(reason.count) }
            try Self.appendEvent(db, actor: review.reviewer, action: review.kind.auditAction, jobID: review.jobID, details: .object(details))
            return Review(id: id, jobID: review.jobID, document: review.document, outputName: review.outputName,
                          originalSHA256: review.originalSHA256, kind: review.kind, correctedText: review.correctedText,
                          correctedSHA256: correctedSHA, editSize: review.editSize, reason: review.reason,
                          reviewer: review.reviewer, via: review.via, time: time)
        }
    }

    /// Reviews in the order they were made; all, one job's, or those after `sinceID`.
    public func reviews(jobID: Int64? = nil, sinceID: Int64 = 0) throws -> [Review] {
        try read { db in
            let rows: [Row]
            if let jobID {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM reviews WHERE job_id = ? AND id > ? ORDER BY id", arguments: [jobID, sinceID])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM reviews WHERE id > ? ORDER BY id", arguments: [sinceID])
            }
            return try rows.map(Self.review)
        }
    }

    /// The written job whose outputs include a file named `name`, with that output's record.
    public func writtenOutput(named name: String) throws -> (job: Job, output: StoredOutput)? {
        let id: Int64? = try read { db in
            try Int64.fetchOne(db, sql: """
                SELECT jobs.id FROM jobs, json_each(jobs.outputs) AS o
                WHERE jobs.state = 'written' AND json_extract(o.value, '$.name') = ?
                ORDER BY jobs.id DESC LIMIT 1
                """, arguments: [name])
        }
        guard let id else { return nil }
        let job = try job(id: id)
        guard case .written(_, _, let generated) = job.state, let output = generated.outputs.first(where: { $0.name == name }) else { return nil }
        return (job, output)
    }

    static func review(_ row: Row) throws -> Review {
        let id: Int64 = row["id"]
        guard let kind = ReviewKind(rawValue: row["kind"]) else { throw StoreError.corruptRow(id: id, detail: "review kind") }
        return Review(id: id, jobID: row["job_id"], document: row["document"], outputName: row["output_name"],
                      originalSHA256: row["original_sha256"], kind: kind, correctedText: row["corrected_text"],
                      correctedSHA256: row["corrected_sha256"], editSize: row["edit_size"], reason: row["reason"],
                      reviewer: row["reviewer"], via: row["via"], time: Date(timeIntervalSince1970: row["time"]))
    }
}
