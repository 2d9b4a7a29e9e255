import Foundation

/// The `<stem>.<task>.provenance.json` sidecar: where an output came from and what the checks found.
/// It names hashes and ids, never patient text.
public struct Provenance: Sendable, Codable, Equatable {
    public var documentID: String
    public var sourceFile: String
    public var inputSHA256: String
    public var task: String
    public var model: String
    public var quantization: String
    public var adapterVersion: String?
    /// ModelFingerprint of the model's and the adapter's files: which weights wrote this, not only which folder.
    public var modelSHA256: String? = nil
    public var adapterSHA256: String? = nil
    /// SHA-256 of the prompt's token ids (decimal, comma-separated): which prompt made this output, without its text.
    public var promptSHA256: String
    public var promptTokens: Int
    public var generatedTokens: Int
    public var prefillSeconds: Double
    public var generationSeconds: Double
    public var createdAt: String
    public var outputs: [String]
    public var factFindings: [FactFinding]
    /// The loop the repetition check found, if any.
    public var repetition: RepetitionFinding? = nil
    public var needsReview: Bool

    enum CodingKeys: String, CodingKey {
        case documentID = "document_id", sourceFile = "source_file", inputSHA256 = "input_sha256", task, model, quantization
        case adapterVersion = "adapter_version", modelSHA256 = "model_sha256", adapterSHA256 = "adapter_sha256", promptSHA256 = "prompt_sha256", promptTokens = "prompt_tokens", generatedTokens = "generated_tokens"
        case prefillSeconds = "prefill_seconds", generationSeconds = "generation_seconds", createdAt = "created_at"
        case outputs, factFindings = "fact_findings", repetition, needsReview = "needs_review"
    }

    public func json() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try e.encode(self)
    }
}
