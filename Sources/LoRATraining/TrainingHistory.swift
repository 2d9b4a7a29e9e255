import Foundation

/// What a run did, step by step: written to `training-run.json` and drawn as the loss curve; also kept in the
/// checkpoint, so a resumed run's record is the whole run's.
public struct TrainingHistory: Sendable, Equatable, Codable {
    public struct Step: Sendable, Equatable, Codable {
        public var step: Int               // 1-based optimizer step
        public var epoch: Int              // 0-based
        public var loss: Double            // mean over the step's labelled tokens
        public var learningRate: Double
        public var gradientNorm: Double    // before clipping
        public var tokens: Int             // tokens run through the model in the step
        public var seconds: Double
        public var tokensPerSecond: Double { seconds > 0 ? Double(tokens) / seconds : 0 }
    }
    public struct Validation: Sendable, Equatable, Codable {
        public var step: Int
        public var loss: Double
    }

    public var steps: [Step] = []
    public var validations: [Validation] = []
    public var bestValidation: Validation?
    /// Validations in a row without a better loss.
    public var sinceBest = 0

    public init() {}
}

/// Where a run is: what the checkpoint must hold besides the tensors for a resumed run to continue exactly.
public struct TrainingPosition: Sendable, Equatable, Codable {
    /// Optimizer steps done.
    public var step = 0
    /// The epoch under way and the next accumulation group in its order.
    public var epoch = 0
    public var group = 0
    public init() {}
}
