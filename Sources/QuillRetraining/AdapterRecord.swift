import Foundation

/// `adapters/vN/adapter.json`: where a version came from and how the gate judged it.
public struct AdapterRecord: Codable, Sendable, Equatable {
    public var version: String
    /// The version it was trained from (`nil`: fresh LoRA pairs, or the shipped adapter).
    public var parent: String?
    public var created: String
    public var baseModel: String
    /// Reviews trained on (corrections and replayed accepts) and held out for the gate.
    public var trainedOn: [Int64]
    public var heldOut: [Int64]
    /// SHA-256 of `train.jsonl` and `holdout.jsonl` in the version's folder.
    public var trainSHA256: String
    public var holdoutSHA256: String
    /// The gate's figures on the held-out corrections: the adapter that was active, and this one.
    public var before: GateMetrics
    public var after: GateMetrics
    public var status: Status
    /// Why the gate promoted or refused it.
    public var reason: String
    public var trainingSeconds: Double
    public var steps: Int
    /// "quill retrain", or "imported from …" for an adapter trained elsewhere (`nil` in records written before).
    public var source: String? = nil

    public enum Status: String, Codable, Sendable {
        /// Passed the gate and made active (it may have been rolled back since: `adapters/active` says what serves).
        case promoted
        /// Kept for inspection; never served unless promoted by hand.
        case rejected
    }

    enum CodingKeys: String, CodingKey {
        case version, parent, created, status, reason, steps, before, after, source
        case baseModel = "base_model", trainedOn = "trained_on", heldOut = "held_out"
        case trainSHA256 = "train_sha256", holdoutSHA256 = "holdout_sha256", trainingSeconds = "training_seconds"
    }
}

/// One adapter's figures on the held-out corrections.
public struct GateMetrics: Codable, Sendable, Equatable {
    /// Mean cross-entropy on the corrected completions' tokens.
    public var loss: Double
    /// Mean ROUGE-L F1 of the generated note against the corrected one.
    public var rougeL: Double
    /// Fact-check findings over all generated notes (statements the input does not support).
    public var factFindings: Int
    /// Sections the correction documents that the generated note left "Not documented.".
    public var sectionsMissing: Int
    public var documents: Int

    enum CodingKeys: String, CodingKey {
        case loss, documents
        case rougeL = "rouge_l", factFindings = "fact_findings", sectionsMissing = "sections_missing"
    }
}
