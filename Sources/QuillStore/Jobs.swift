import Foundation
import GRDB

extension QuillStore {
    static let actor = "daemon"

    // MARK: Reading

    public func job(id: Int64) throws -> Job {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]) else { throw StoreError.noSuchJob(id: id) }
            return try Self.job(row)
        }
    }

    public func jobs(state: JobState.Kind? = nil) throws -> [Job] {
        try read { db in
            let rows = state == nil
                ? try Row.fetchAll(db, sql: "SELECT * FROM jobs ORDER BY id")
                : try Row.fetchAll(db, sql: "SELECT * FROM jobs WHERE state = ? ORDER BY id", arguments: [state?.rawValue])
            return try rows.map(Self.job)
        }
    }

    /// `state IN (...)` of the unfinished states, for the queries below: one list, `JobState.Kind.unfinished`.
    /// The raw values are fixed identifiers, not input, so they are written into the SQL as literals.
    static let unfinishedStates = "(" + JobState.Kind.unfinished.map { "'\($0.rawValue)'" }.joined(separator: ",") + ")"

    /// Unfinished jobs held by `owner`, oldest first.
    public func unfinishedJobs(owner: String) throws -> [Job] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM jobs WHERE owner = ? AND state IN \(Self.unfinishedStates) ORDER BY id",
                             arguments: [owner]).map(Self.job)
        }
    }

    /// The runner instances that hold unfinished jobs.
    public func ownersOfUnfinishedJobs() throws -> [String] {
        try read { db in
            try String.fetchAll(db, sql: "SELECT DISTINCT owner FROM jobs WHERE state IN \(Self.unfinishedStates)")
        }
    }

    /// Moves the unfinished jobs of a runner that is gone to `newOwner`; returns their ids, oldest first.
    public func adoptJobs(from oldOwner: String, to newOwner: String) throws -> [Int64] {
        try write { db in
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM jobs WHERE owner = ? AND state IN \(Self.unfinishedStates)", arguments: [oldOwner])
            for id in ids {
                try db.execute(sql: "UPDATE jobs SET owner = ?, updated_at = ? WHERE id = ?", arguments: [newOwner, Date().timeIntervalSince1970, id])
                try Self.appendEvent(db, actor: Self.actor, action: "job.resumed", jobID: id, details: ["from_owner": .string(oldOwner), "owner": .string(newOwner)])
            }
            return ids
        }
    }

    /// The earliest job that wrote outputs for this content, if any.
    public func writtenJob(sha256: String, excluding id: Int64) throws -> Job? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE sha256 = ? AND state = ? AND id != ? ORDER BY id LIMIT 1",
                             arguments: [sha256, JobState.Kind.written.rawValue, id]).map(Self.job)
        }
    }

    // MARK: Transitions (each one transaction with its audit event)

    /// Records a stable file seen in the inbox as a new job, with the name it will have once claimed.
    public func receive(inboxName: String, size: Int, owner: String) throws -> Job {
        try write { db in
            let token = Self.randomToken()
            let now = Date().timeIntervalSince1970
            try db.execute(sql: """
                INSERT INTO jobs (token, owner, state, inbox_name, claim_name, received_at, updated_at, size)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [token, owner, JobState.Kind.received.rawValue, inboxName, Self.claimName(token: token, name: inboxName), now, now, size])
            let id = db.lastInsertedRowID
            try Self.appendEvent(db, actor: Self.actor, action: "job.received", jobID: id,
                                 details: ["size": .int(size), "owner": .string(owner)])
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]) else { throw StoreError.noSuchJob(id: id) }
            return try Self.job(row)
        }
    }

    /// Reserves, once the file is claimed (so only the runner that won the claim reserves), the
    /// places the job's input will end in: `archive/<day>/<name>` and `failed/<name>`, or with the
    /// job id added (`note.17.txt`) when another job or a file already has that name. Idempotent.
    /// `isTaken(relativePath)` reports paths that exist under the state root.
    public func reservePlaces(_ job: Job, archiveDay: String, isTaken: (_ relativePath: String) -> Bool) throws -> Job {
        try write { db in
            try Self.expect(db, job, job.state.kind)
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [job.id]) else { throw StoreError.noSuchJob(id: job.id) }
            if (row["archive_path"] as String?) != nil { return try Self.job(row) }
            func free(_ column: String, _ candidates: [String], prefix: String) throws -> String {
                for c in candidates {
                    let inDB = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM jobs WHERE \(column) = ?)", arguments: [c]) ?? false
                    if !inDB && !isTaken(prefix + c) { return c }
                }
                return candidates.last! + "." + job.token
            }
            // Room left for `.<id>`, `.<token>` and `.error.json` within NAME_MAX.
            let name = FileNameFitting.fitted(job.inboxName, maxBytes: 200)
            let alt = Self.withID(name, job.id)
            let archivePath = try free("archive_path", ["archive/\(archiveDay)/\(name)", "archive/\(archiveDay)/\(alt)"], prefix: "")
            let failedName = try free("failed_name", [name, alt], prefix: "failed/")
            try db.execute(sql: "UPDATE jobs SET archive_path = ?, failed_name = ? WHERE id = ?", arguments: [archivePath, failedName, job.id])
            var updated = job
            updated.places.archivePath = archivePath
            updated.places.failedName = failedName
            return updated
        }
    }

    /// A received job whose file was taken by another runner (or vanished) before the claim:
    /// the row goes, the audit trail keeps the event.
    public func abandon(_ job: Job, reason: String) throws {
        try write { db in
            try Self.expect(db, job, .received)
            try db.execute(sql: "DELETE FROM jobs WHERE id = ?", arguments: [job.id])
            try Self.appendEvent(db, actor: Self.actor, action: "job.abandoned", jobID: job.id,
                                 details: ["reason": .string(reason)])
        }
    }

    /// Reserves output stems for a job: `base` (or `base-<job id>` when taken), and `<stem>-<n>`
    /// per document when a file holds several. `isTaken(stem)` reports stems already used on disk.
    public func reserveStems(_ job: Job, base: String, documents: Int, isTaken: (String) -> Bool) throws -> [String] {
        try write { db in
            func stems(for root: String) -> [String] { documents == 1 ? [root] : (1...max(documents, 1)).map { "\(root)-\($0)" } }
            let existing = try String.fetchAll(db, sql: "SELECT stem FROM stems WHERE job_id = ? ORDER BY rowid", arguments: [job.id])
            if !existing.isEmpty && existing.count == max(documents, 1) { return existing }
            try db.execute(sql: "DELETE FROM stems WHERE job_id = ?", arguments: [job.id])
            for root in [base, "\(base)-\(job.id)", "\(base)-\(job.token)"] {
                let candidate = stems(for: root)
                var free = true
                for s in candidate {
                    let inDB = try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM stems WHERE stem = ?)", arguments: [s]) ?? false
                    if inDB || isTaken(s) { free = false; break }
                }
                if free {
                    for s in candidate { try db.execute(sql: "INSERT INTO stems (stem, job_id) VALUES (?, ?)", arguments: [s, job.id]) }
                    return candidate
                }
            }
            throw StoreError.corruptRow(id: job.id, detail: "no free output stem for \(base)")
        }
    }

    /// Moves a job to `newState` from the state it was read in, with its audit event. Fails with
    /// `jobChanged` when another runner moved it first.
    @discardableResult
    public func transition(_ job: Job, to newState: JobState, details: JSONValue = [:]) throws -> Job {
        try write { db in
            try Self.expect(db, job, job.state.kind)
            var c = Columns()
            c.fill(from: newState)
            try db.execute(sql: """
                UPDATE jobs SET state = ?, updated_at = ?, sha256 = ?, size = COALESCE(?, size), stems = ?, outputs = ?,
                    needs_review = ?, review_reason = ?, duplicate_of = ?, earlier_outputs = ?, failed_step = ?, failure_reason = ?,
                    attempts_begun = attempts_begun + ?
                WHERE id = ?
                """, arguments: [newState.name, Date().timeIntervalSince1970, c.sha256, c.size, c.stems, c.outputs,
                                 c.needsReview, c.reviewReason, c.duplicateOf, c.earlierOutputs, c.failedStep, c.failureReason,
                                 Self.beginsAttempt(newState) ? 1 : 0, job.id])
            var d: [String: JSONValue] = ["from": .string(job.state.name), "to": .string(newState.name)]
            if case .object(let extra) = details { d.merge(extra) { _, new in new } }
            try Self.appendEvent(db, actor: Self.actor, action: "job.\(newState.name)", jobID: job.id, details: .object(d))
            var updated = job
            updated.state = newState
            return updated
        }
    }

    static func expect(_ db: Database, _ job: Job, _ state: JobState.Kind) throws {
        let row = try Row.fetchOne(db, sql: "SELECT state, owner FROM jobs WHERE id = ?", arguments: [job.id])
        guard let row, row["state"] as String == state.rawValue, row["owner"] as String == job.owner else {
            throw StoreError.jobChanged(id: job.id, expected: state.rawValue)
        }
    }

    // MARK: Rows

    struct Columns {
        var sha256: String?, size: Int?, stems: String?, outputs: String?, needsReview: Bool?, reviewReason: String?
        var duplicateOf: Int64?, earlierOutputs: String?, failedStep: String?, failureReason: String?

        mutating func fill(from state: JobState) {
            if let input = state.input { sha256 = input.sha256; size = input.size }
            switch state {
            case .received, .claimed: break
            case .ingested(_, let s): stems = json(s)
            case .generated(_, let s, let g), .written(_, let s, let g):
                stems = json(s); outputs = json(g.outputs); needsReview = g.needsReview; reviewReason = g.reviewReason
            case let .duplicate(_, of, earlier): duplicateOf = of; earlierOutputs = json(earlier)
            case let .failed(step, reason, _): failedStep = step.rawValue; failureReason = reason
            }
        }
    }

    static func job(_ row: Row) throws -> Job {
        let id: Int64 = row["id"]
        func bad(_ what: String) -> StoreError { .corruptRow(id: id, detail: what) }
        let input: ClaimedInput? = (row["sha256"] as String?).map { ClaimedInput(sha256: $0, size: row["size"] ?? 0) }
        func stems() throws -> [String] {
            guard let s: String = row["stems"], let v = try? JSONDecoder().decode([String].self, from: Data(s.utf8)) else { throw bad("stems") }
            return v
        }
        func generated() throws -> GeneratedOutputs {
            guard let s: String = row["outputs"], let v = try? JSONDecoder().decode([StoredOutput].self, from: Data(s.utf8)) else { throw bad("outputs") }
            return GeneratedOutputs(outputs: v, needsReview: row["needs_review"] ?? false, reviewReason: row["review_reason"])
        }
        let stateName: String = row["state"]
        guard let kind = JobState.Kind(rawValue: stateName) else { throw bad("state \(stateName)") }
        let state: JobState
        switch kind {
        case .received: state = .received
        case .claimed: guard let input else { throw bad("sha256") }; state = .claimed(input)
        case .ingested: guard let input else { throw bad("sha256") }; state = .ingested(input, stems: try stems())
        case .generated: guard let input else { throw bad("sha256") }; state = .generated(input, stems: try stems(), try generated())
        case .written: guard let input else { throw bad("sha256") }; state = .written(input, stems: try stems(), try generated())
        case .duplicate:
            guard let input, let of: Int64 = row["duplicate_of"], let e: String = row["earlier_outputs"],
                  let earlier = try? JSONDecoder().decode([String].self, from: Data(e.utf8)) else { throw bad("duplicate") }
            state = .duplicate(input, of: of, earlierOutputs: earlier)
        case .failed:
            guard let step = (row["failed_step"] as String?).flatMap(JobStep.init(rawValue:)) else { throw bad("failed_step") }
            state = .failed(step: step, reason: row["failure_reason"] ?? "", input: input)
        }
        var job = Job(id: id, token: row["token"], owner: row["owner"], inboxName: row["inbox_name"],
                      places: .init(claimName: row["claim_name"], archivePath: row["archive_path"], failedName: row["failed_name"]),
                      receivedAt: Date(timeIntervalSince1970: row["received_at"]), state: state)
        job.attempts = attempts(row)
        return job
    }

    static func randomToken() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<12).map { _ in String(Int.random(in: 0..<16, using: &g), radix: 16) }.joined()
    }

    /// `<token>.<name>`, shortened to fit a 255-byte file name.
    static func claimName(token: String, name: String) -> String {
        var n = name
        while (token + "." + n).utf8.count > 255 { n.removeFirst() }
        return token + "." + n
    }

    /// `note.txt` → `note.17.txt`; `note` → `note.17`.
    static func withID(_ name: String, _ id: Int64) -> String {
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            return name[..<dot] + ".\(id)" + name[dot...]
        }
        return name + ".\(id)"
    }
}

private func json<T: Encodable>(_ v: T) -> String {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try! e.encode(v), as: UTF8.self)
}
