import Foundation
import LLM

/// What a LoRA adapter adapts and how, as PEFT's `LoraConfig` defines it (Hu et al. 2021; rsLoRA, Kalajdzievski
/// 2023): targets among the seven projections, rank r, alpha, dropout on the adapter's input, scale alpha / r
/// (alpha / √r with rsLoRA), and the initialisation of A (B starts at zero either way).
public struct LoRASettings: Sendable, Equatable, Codable {
    public enum Initialisation: String, Sendable, Codable, CaseIterable {
        /// PEFT's default: A ~ Kaiming-uniform with a = √5, i.e. U(−1/√in, 1/√in).
        case kaiming
        /// PEFT's `init_lora_weights="gaussian"`: A ~ N(0, 1/r).
        case gaussian
    }

    /// PEFT module names (`q_proj` … `down_proj`), in the order of a decoder block.
    public var targets: [String]
    public var rank: Int
    public var alpha: Double
    public var dropout: Double
    public var rslora: Bool
    public var initialisation: Initialisation

    public init(targets: [String] = ["q_proj", "v_proj"], rank: Int = 16, alpha: Double = 32, dropout: Double = 0.05,
                rslora: Bool = false, initialisation: Initialisation = .kaiming) {
        self.targets = targets; self.rank = rank; self.alpha = alpha; self.dropout = dropout
        self.rslora = rslora; self.initialisation = initialisation
    }

    public var scale: Float { Float(rslora ? alpha / Double(rank).squareRoot() : alpha / Double(rank)) }

    /// Reads "q,v", "q_proj,v_proj" or "all" (the seven); an unknown name is an error naming it.
    public static func targets(parsing text: String) throws -> [String] {
        let all = Projection.allCases.map(\.rawValue)
        if text.trimmingCharacters(in: .whitespaces) == "all" { return all }
        var chosen = Set<String>()
        for piece in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !piece.isEmpty {
            let name = piece.hasSuffix("_proj") ? piece : piece + "_proj"
            guard all.contains(name) else {
                throw TrainingError.badSetting("target '\(piece)' is not one of q, k, v, o, gate, up, down (or all)")
            }
            chosen.insert(name)
        }
        guard !chosen.isEmpty else { throw TrainingError.badSetting("no LoRA targets given") }
        return all.filter(chosen.contains)
    }

    package var projections: [Projection] { Projection.allCases.filter { targets.contains($0.rawValue) } }

    package func validate() throws {
        guard rank > 0 else { throw TrainingError.badSetting("rank must be positive, not \(rank)") }
        guard alpha > 0 else { throw TrainingError.badSetting("alpha must be positive, not \(alpha)") }
        guard dropout >= 0 && dropout < 1 else { throw TrainingError.badSetting("dropout must be in [0, 1), not \(dropout)") }
        guard !projections.isEmpty else { throw TrainingError.badSetting("no LoRA targets given") }
    }
}

/// Why training was refused or stopped; every case names what to fix.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case badSetting(String)
    case badData(file: String, line: Int, reason: String)
    case noData(file: String, reason: String)
    case badCheckpoint(file: String, reason: String)
    case cannotWrite(file: String, reason: String)

    public var description: String {
        switch self {
        case let .badSetting(s): return s
        case let .badData(file, line, reason): return "\(file): line \(line): \(reason)"
        case let .noData(file, reason): return "\(file): \(reason)"
        case let .badCheckpoint(file, reason): return "\(file): \(reason)"
        case let .cannotWrite(file, reason): return "\(file): \(reason)"
        }
    }
}
