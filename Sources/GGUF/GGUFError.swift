/// Why a GGUF file was refused, naming the file and the place: a byte offset, a metadata key or a tensor.
public struct GGUFError: Error, CustomStringConvertible, Equatable, Sendable {
    public let file: String
    /// "byte 24", "key 'llama.block_count'", "tensor 'blk.0.attn_q.weight'" ...
    public let place: String
    public let reason: String

    public init(file: String, place: String, reason: String) {
        self.file = file; self.place = place; self.reason = reason
    }

    public var description: String { "\(file): \(place): \(reason)" }
}
