import Digests
import Foundation
import Logging
import QuillStore
#if canImport(Glibc)
import Glibc
#endif

/// Reviewers' files in `reviewed/`: an output opened from `outbox/` or `review/`, edited (or not) and
/// saved here under its own name. Each, once its size and mtime hold still like an inbox file's, is
/// bound to its job by that name and the job's record of the output, checked, and recorded as a review
/// by its file's owner; then it moves to `archive/reviewed/<review id>.<name>`. One that matches no
/// output, reviews a document reviewed before, or cannot be read back into sections moves to
/// `failed/reviewed/<name>` beside `<name>.error.json`, which says why. Nothing stays behind and nothing
/// is recorded twice: a file recorded before a crash and seen again is only moved.
final class ReviewedIntake {
    private let desk: ReviewDesk
    private let check: ReviewDesk.CorrectionCheck
    private let logger: Logger
    private let filter: () -> NameFilter
    private var pending: [String: (Observation, Double)] = [:]
    /// A correction is a note, not a document set: anything larger is refused unread.
    static let maxBytes = 1 << 20

    init(desk: ReviewDesk, check: @escaping ReviewDesk.CorrectionCheck, logger: Logger, filter: @escaping () -> NameFilter) {
        self.desk = desk; self.check = check; self.logger = logger; self.filter = filter
    }

    private var folder: String { desk.root.reviewed }
    var pendingCount: Int { pending.count }

    func scan() {
        do {
            let (names, _) = try FileOperations.listNames(folder)
            for name in names where filter().accepts(name) && pending[name] == nil {
                if let st = try? FileOperations.lstatIfExists(folder + "/" + name) { pending[name] = (Observation(st), Intake.now()) }
            }
        } catch {
            logger.error("reviewed.scan_failed", metadata: ["error": "\(PrivacySafe.text(error))"])
        }
    }

    /// Takes in the files that held still for `seconds`.
    func takeStableFiles(stableFor seconds: Double) {
        let t = Intake.now()
        // In name order: reviews of one batch are numbered the same way every time.
        for (name, (seen, since)) in pending.sorted(by: { $0.key < $1.key }) {
            guard let st = try? FileOperations.lstatIfExists(folder + "/" + name) else { pending[name] = nil; continue }
            let current = Observation(st)
            if current != seen {
                pending[name] = (current, t)
            } else if t - since >= seconds {
                pending[name] = nil
                take(name, owner: st.st_uid)
            }
        }
    }

    private func take(_ name: String, owner: uid_t) {
        let path = folder + "/" + name
        do {
            let bytes: [UInt8]
            switch try InputFile.read(path, allowedOwners: [], maxBytes: Self.maxBytes) {
            case .refused(let refusal): return try refuse(name, reason: refusal.description(name: name), kind: "refused")
            case .bytes(let b): bytes = b
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                return try refuse(name, reason: "\(name) is not UTF-8 text; save the correction as UTF-8", kind: "not_utf8")
            }
            let (job, output): (Job, StoredOutput)
            do { (job, output) = try desk.output(named: name) } catch {
                return try refuse(name, reason: "\(error)", kind: "no_such_output")
            }
            let review: Review
            do {
                review = try desk.record(.correct(text: text), on: output, of: job, reviewer: FolderPermissions.userName(owner),
                                         via: "folder", check: check)
            } catch ReviewError.alreadyReviewed(let jobID, let document, let existing, let kind) {
                // Recorded before a crash or a stop, and seen again: only the move is left to do.
                if let earlier = try desk.store.reviews(jobID: jobID).first(where: { $0.id == existing }), earlier.via == "folder",
                   earlier.correctedSHA256 == SHA256.hex(bytes) || (earlier.kind == .accept && SHA256.hex(bytes) == output.sha256) {
                    return try archive(name, review: earlier)
                }
                return try refuse(name, reason: "\(ReviewError.alreadyReviewed(jobID: jobID, document: document, existing: existing, kind: kind))",
                                  kind: "already_reviewed")
            } catch let error as ReviewError {
                return try refuse(name, reason: "\(error)", kind: "unbound")
            } catch let error as StoreError {
                throw error
            } catch {
                // The check's error names the file and the line.
                return try refuse(name, reason: "\(error)", kind: "unreadable_sections")
            }
            try archive(name, review: review)
        } catch {
            // A system error (disk, permissions): the file stays where it is and is tried at the next rescan.
            logger.error("reviewed.take_failed", metadata: ["error": "\(PrivacySafe.text(error))"])
        }
    }

    private func archive(_ name: String, review: Review) throws {
        let destination = desk.root.archive + "/reviewed"
        try FileOperations.makeDirectories(destination)
        try FileOperations.move(folder + "/" + name, to: destination + "/\(review.id).\(name)")
        logger.info("review.recorded", metadata: ["review": "\(review.id)", "job": "\(review.jobID)", "kind": "\(review.kind.rawValue)"])
    }

    /// `reason` names the file and may quote it: it goes only into the error file. The audit trail and
    /// the log get `kind`.
    private func refuse(_ name: String, reason: String, kind: String) throws {
        let destination = desk.root.failed + "/reviewed"
        try FileOperations.makeDirectories(destination)
        var target = name
        var n = 1
        while FileOperations.exists(destination + "/" + target) || FileOperations.exists(destination + "/" + target + ".error.json") {
            n += 1
            target = "\(n).\(name)"
        }
        let body: [String: Any] = [
            "file": name, "reason": reason, "kind": kind, "time": ISO8601DateFormatter().string(from: Date()),
            "what_to_do": "Save the correction under the exact name of the output it corrects, with its section headings, into reviewed/ again.",
        ]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        try FileOperations.writeDurably(Array(data) + [0x0A], to: destination + "/" + target + ".error.json")
        try FileOperations.move(folder + "/" + name, to: destination + "/" + target)
        _ = try? desk.store.record(actor: "daemon", action: "review.refused", details: ["kind": .string(kind), "name_sha256": .string(SHA256.hex(name))])
        logger.warning("review.refused", metadata: ["kind": "\(kind)"])
    }
}
