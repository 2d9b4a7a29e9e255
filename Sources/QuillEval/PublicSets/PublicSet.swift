import Foundation

/// The public evaluation sets `quill eval --set` runs on, none of which any model here was trained on: the
/// validation and test splits of MTS-Dialog and ACI-Bench (never their training splits), and the C-CDA and HL7 v2
/// samples. Paths are inside the samples folder (Tests/Data/samples, where the files are committed).
public enum PublicSet: String, CaseIterable, Sendable {
    case mtsDialogValid = "mts-dialog-valid"
    case mtsDialogTest1 = "mts-dialog-test1"
    case aciBenchValid = "aci-bench-valid"
    case aciBenchTest1 = "aci-bench-test1"
    case aciBenchTest2 = "aci-bench-test2"
    case cCDA = "c-cda"
    case hl7 = "hl7"

    /// The file (or folder) the set is read from, relative to the samples folder.
    public var path: String {
        switch self {
        case .mtsDialogValid: return "MTS-Dialog/Main-Dataset/MTS-Dialog-ValidationSet.csv"
        case .mtsDialogTest1: return "MTS-Dialog/Main-Dataset/MTS-Dialog-TestSet-1-MEDIQA-Chat-2023.csv"
        case .aciBenchValid: return "aci-bench/data/challenge_data/valid.csv"
        case .aciBenchTest1: return "aci-bench/data/challenge_data/clinicalnlp_taskB_test1.csv"
        case .aciBenchTest2: return "aci-bench/data/challenge_data/clinicalnlp_taskC_test2.csv"
        case .cCDA: return "C-CDA-Examples"
        case .hl7: return "FHIR-Converter"
        }
    }

    /// Whether the set has clinicians' references (ROUGE is reported only for those).
    public var hasReferences: Bool { self != .cCDA && self != .hl7 }

    /// The set's documents, in the file's order; `limit` keeps the first N.
    public func documents(samples: URL, limit: Int? = nil) throws -> [PublicSetDocument] {
        try documents(at: samples.appendingPathComponent(path), limit: limit)
    }

    /// The documents of `url`, a file (or folder) in this set's format.
    public func documents(at url: URL, limit: Int? = nil) throws -> [PublicSetDocument] {
        let all: [PublicSetDocument]
        switch self {
        case .mtsDialogValid, .mtsDialogTest1: all = try MTSDialogReader.read(url)
        case .aciBenchValid, .aciBenchTest1, .aciBenchTest2: all = try ACIBenchReader.read(url)
        case .cCDA: all = try SampleDocumentsReader.read(folder: url, fileExtension: "xml")
        case .hl7: all = try SampleDocumentsReader.read(folder: url, fileExtension: "hl7")
        }
        return limit.map { Array(all.prefix($0)) } ?? all
    }
}

/// Why a set could not be read at all.
public struct PublicSetError: Error, CustomStringConvertible {
    public let description: String
}
