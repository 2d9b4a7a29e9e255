import Foundation

/// `quill-export.json`: what an export of the training set holds, so that the adapter trained on it elsewhere
/// comes back (`quill adapter import`) naming the reviews it learned from. The training script copies it
/// into the adapter folder it writes, adding how long training took.
public struct ExportManifest: Codable, Sendable, Equatable {
    public static let fileName = "quill-export.json"

    /// The first 16 hex digits of the SHA-256 of train.jsonl and holdout.jsonl together.
    public var id: String
    public var created: String
    public var baseModel: String
    public var trainedOn: [Int64]
    public var heldOut: [Int64]
    public var trainSHA256: String
    public var holdoutSHA256: String
    /// Written by the training script once it has run.
    public var trainingSeconds: Double?
    public var trainedWith: String?

    enum CodingKeys: String, CodingKey {
        case id, created
        case baseModel = "base_model", trainedOn = "trained_on", heldOut = "held_out", trainSHA256 = "train_sha256"
        case holdoutSHA256 = "holdout_sha256", trainingSeconds = "training_seconds", trainedWith = "trained_with"
    }

    /// The manifest at `url`, `nil` when there is none (an adapter from anywhere may be judged too).
    static func read(_ url: URL) throws -> ExportManifest? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        do { return try JSONDecoder().decode(ExportManifest.self, from: data) } catch {
            throw RegistryError.unreadableRecord(url.lastPathComponent, "\(error)")
        }
    }
}
