import Logging
import QuillDaemon

// ─────────────────────────────────────────────────────────────────────────────────────────────
// THE HOOK: the model-backed document processor that `quill serve` and `quill process` run.
//
// `QuillPipeline` (prompt → section-structured generation → fact check → rendering of the output
// formats + provenance sidecar) provides it: load the model once from `config.model` (path,
// quantization, threads, adapter), build the pipeline from `config.generation` and `config.tasks`,
// and return an adapter that conforms to `DocumentProcessor`. The daemon shares that one instance
// among its workers. Until then this build refuses to start rather than run a stand-in.
// ─────────────────────────────────────────────────────────────────────────────────────────────
func makeDocumentProcessor(config: QuillConfig, logger: Logger) throws -> any DocumentProcessor {
    throw ProcessorNotAvailable()
}

struct ProcessorNotAvailable: Error, CustomStringConvertible {
    var description: String {
        "this build of quill has no model-backed document processor yet (QuillPipeline is not wired into makeDocumentProcessor)"
    }
}
