/// Why a model or adapter could not be loaded, naming the file and the tensor or key at fault.
public enum ModelLoadError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case malformedConfig(file: String, key: String, reason: String)
    case unknownArchitecture(file: String, name: String, known: [String])
    case malformedSafetensors(file: String, reason: String)
    case missingTensor(file: String, tensor: String)
    case wrongShape(file: String, tensor: String, expected: [Int], found: [Int])
    case unsupportedDType(file: String, tensor: String, dtype: String)
    case unsupported(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot be read: \(reason)"
        case let .malformedConfig(file, key, reason):
            return "\(file): key '\(key)': \(reason)"
        case let .unknownArchitecture(file, name, known):
            return "\(file): architecture '\(name)' is not supported (supported: \(known.joined(separator: ", ")))"
        case let .malformedSafetensors(file, reason):
            return "\(file): not a valid safetensors file: \(reason)"
        case let .missingTensor(file, tensor):
            return "\(file): tensor '\(tensor)' is missing"
        case let .wrongShape(file, tensor, expected, found):
            return "\(file): tensor '\(tensor)' has shape \(found), expected \(expected)"
        case let .unsupportedDType(file, tensor, dtype):
            return "\(file): tensor '\(tensor)' has dtype \(dtype); supported are F32, F16 and BF16"
        case let .unsupported(file, reason):
            return "\(file): \(reason)"
        }
    }
}
