import Foundation
import LLM
import QuillDaemon
import QuillPipeline
import QuillRetraining
import QuillStore

/// `quill retrain`'s parts from a configuration: the same model, pipeline settings and adapter selection as
/// `quill serve`, so the gate judges adapters exactly as the daemon will run them.
public func makeRetraining(config: QuillConfig, store: QuillStore) throws -> Retraining {
    let (modelPath, defaults, quantization, settings) = try PipelineProcessor.modelAndSettings(config)
    let pipeline = try DocumentPipeline(modelFolder: URL(fileURLWithPath: modelPath), quantization: quantization, settings: settings)
    let current = try AdapterSelection.path(config: config, shipped: defaults?.adapter).map { path -> (name: String, folder: URL) in
        let url = URL(fileURLWithPath: path)
        return (url.lastPathComponent, url)
    }
    var retraining = Retraining(config: config, root: StateRoot(config: config), store: store, pipeline: pipeline,
                                current: current, baseModel: modelPath)
    if config.model.threads > 0 { retraining.threads = config.model.threads }
    return retraining
}
