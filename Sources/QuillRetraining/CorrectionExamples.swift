import ClinicalDocuments
import Digests
import Foundation
import QuillDaemon
import QuillPipeline
import QuillStore
import Tokenizers

/// One reviewed document as a training example: its input read again from the archive by the daemon's own
/// readers, prompted by the pipeline's own prompt code, and the reviewed text read back into sections as the
/// completion, so that retraining teaches exactly what the daemon will be asked.
public struct CorrectionExample: Sendable {
    public var review: Review
    public var document: ClinicalDocument
    public var sections: [String: String]
    public var prompt: String
    public var completion: String
    /// Held out for the gate: chosen by the hash of the job and document, so a correction stays on its side
    /// of the split from run to run.
    public var heldOut: Bool

    public var jsonLine: String {
        let object: [String: Any] = ["review": review.id, "prompt": prompt, "completion": completion]
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
}

/// A review that could not become an example, and why (its input is gone, or its text has no sections).
public struct LeftOutReview: Sendable, Equatable {
    public var review: Int64
    public var reason: String
}

public enum CorrectionExamples {
    /// Whether `(job, document)` falls in the held-out share.
    static func isHeldOut(jobID: Int64, document: String, share: Double) -> Bool {
        let hex = SHA256.hex("\(jobID)/\(document)")
        let value = Double(UInt32(hex.prefix(8), radix: 16) ?? 0) / 4_294_967_296
        return value < share
    }

    /// Every correction and accept with text, as examples; rejects are never trained on.
    public static func build(store: QuillStore, root: StateRoot, config: QuillConfig,
                             template: ChatTemplate) throws -> (examples: [CorrectionExample], leftOut: [LeftOutReview]) {
        var examples: [CorrectionExample] = [], leftOut: [LeftOutReview] = []
        var inputs: [Int64: [ClinicalDocument]] = [:]
        for review in try store.reviews() where review.kind != .reject {
            guard let text = review.correctedText else {
                leftOut.append(LeftOutReview(review: review.id, reason: "accepted after its output had left the outbox: no text to replay"))
                continue
            }
            do {
                let job = try store.job(id: review.jobID)
                guard case .written(_, let stems, _) = job.state, let archive = job.places.archivePath else {
                    throw RetrainingError.inputGone(review.jobID)
                }
                if inputs[job.id] == nil { inputs[job.id] = try readInput(root.root + "/" + archive, name: job.inboxName, limits: config.documents) }
                let documents = inputs[job.id]!
                let note = try ReviewedNote(text: text, outputName: review.outputName)
                guard let index = stems.firstIndex(where: { review.document == $0 + "." + note.task.fileName }), index < documents.count else {
                    throw RetrainingError.documentNotFound(review.document)
                }
                var document = documents[index]
                document.task = note.task
                let pair = try ClinicalPrompt.trainingPair(task: note.task, documentText: ClinicalPrompt.documentText(document),
                                                           sections: note.sections, template: template)
                examples.append(CorrectionExample(review: review, document: document, sections: note.sections, prompt: pair.prompt,
                                                  completion: pair.completion,
                                                  heldOut: review.kind == .correct
                                                      && isHeldOut(jobID: review.jobID, document: review.document, share: config.retraining.holdoutShare)))
            } catch {
                leftOut.append(LeftOutReview(review: review.id, reason: "\(error)"))
            }
        }
        return (examples, leftOut)
    }

    /// The archived input, read by the readers the daemon used (the archive holds exactly the bytes it claimed).
    static func readInput(_ path: String, name: String, limits: DocumentLimits) throws -> [ClinicalDocument] {
        guard let data = FileManager.default.contents(atPath: path) else { throw RetrainingError.archiveUnreadable(path) }
        if data.count > limits.maxFileBytes { throw RetrainingError.archiveUnreadable(path) }
        var documents: [ClinicalDocument] = []
        for r in ClinicalDocumentReader.read(bytes: Array(data), fileName: name, folderName: nil, limits: limits) {
            switch r {
            case .success(let d): documents.append(d)
            case .failure(let e): throw e
            }
        }
        return documents
    }
}

public enum RetrainingError: Error, Sendable, Equatable, CustomStringConvertible {
    case inputGone(Int64)
    case documentNotFound(String)
    case archiveUnreadable(String)
    case tooFewHeldOut(Int)
    case lockUnavailable(String)
    case notAnAdapter(String, missing: String)
    case trainedOnHeldOut(String)
    case exportFolderNotEmpty(String)

    public var description: String {
        switch self {
        case .inputGone(let j): return "job \(j) has no archived input to train on"
        case .documentNotFound(let d): return "the archived input holds no document \(d)"
        case .archiveUnreadable(let p): return "the archived input \(p) cannot be read"
        case .tooFewHeldOut(let n): return "\(n) corrections fall in the held-out share; the gate needs at least one"
        case .lockUnavailable(let why): return "adapters/.retrain.lock cannot be opened: \(why)"
        case .notAnAdapter(let f, let missing): return "\(f) is not a PEFT adapter folder: it has no \(missing)"
        case .trainedOnHeldOut(let f): return "\(f) was trained on corrections the gate holds out; it cannot be judged on them"
        case .exportFolderNotEmpty(let f): return "\(f) is not empty; export into a new folder"
        }
    }
}
