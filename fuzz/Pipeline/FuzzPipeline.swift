// libFuzzer entry for the whole path a file takes: bytes → ClinicalDocumentReader → prompt → section-structured
// generation with the demo model (models/demo, a few tokens per section so one input takes a fraction of a
// second) → fact check → every output template. Nothing may trap; the FHIR output must be JSON and the CDA
// output well-formed XML, whatever the document held.
import ClinicalDocuments
import Foundation
import FoundationXML
import LLM
import QuillPipeline

struct Harness {
    let pipeline: DocumentPipeline
    let session: InferenceSession

    /// Run from the repository root (fuzz/run.sh does); QUILL_FUZZ_MODEL names another model folder.
    static let shared: Harness = {
        let env = ProcessInfo.processInfo.environment
        let model = URL(fileURLWithPath: env["QUILL_FUZZ_MODEL"] ?? "models/demo")
        let limits = GenerationLimits(maxTokensPerSection: 3, maxReasoningTokens: 4, maxNewTokens: 24)
        do {
            let pipeline = try DocumentPipeline(modelFolder: model, quantization: .q8_0,
                                                settings: PipelineSettings(templatesFolder: URL(fileURLWithPath: "templates"), limits: limits))
            // A small context: a long document takes the "does not fit" path, which is part of what is fuzzed.
            return Harness(pipeline: pipeline, session: pipeline.makeSession(contextLength: 768, threads: 1))
        } catch {
            fatalError("fuzz-pipeline: cannot load \(model.path) or templates/: \(error)")
        }
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPipeline(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let harness = Harness.shared
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for case .success(let document) in ClinicalDocumentReader.read(bytes: bytes, fileName: "fuzz-input") {
        let result: PipelineResult
        do {
            result = try harness.pipeline.process(document, stem: "fuzz", inputSHA256: "0", session: harness.session)
        } catch let error as InferenceError {
            guard case .contextExceeded = error else { preconditionFailure("generation failed: \(error)") }
            continue
        } catch {
            preconditionFailure("processing failed: \(error)")
        }
        precondition(result.files.count == OutputFormat.allCases.count + 1, "an output is missing")
        for file in result.files {
            if file.name.hasSuffix(".json") {
                precondition((try? JSONSerialization.jsonObject(with: file.data)) != nil, "\(file.name) is not JSON")
            } else if file.name.hasSuffix(".xml") {
                precondition((try? XMLDocument(data: file.data)) != nil, "\(file.name) is not well-formed XML")
            }
        }
    }
    return 0
}
