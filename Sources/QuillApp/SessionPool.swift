import Foundation
import LLM
import QuillPipeline

/// Inference sessions (KV cache and scratch) kept between documents: a worker borrows one for a document and
/// gives it back, so a session is made once per concurrent worker, not once per document.
final class SessionPool: @unchecked Sendable {
    let pipeline: DocumentPipeline
    let threadsPerSession: Int
    private let lock = NSLock()
    private var idle: [InferenceSession] = []

    init(pipeline: DocumentPipeline, threadsPerSession: Int) {
        self.pipeline = pipeline; self.threadsPerSession = threadsPerSession
    }

    func borrow() -> InferenceSession {
        lock.lock(); defer { lock.unlock() }
        return idle.popLast() ?? pipeline.makeSession(contextLength: min(4096, pipeline.model.config.maxPositions), threads: threadsPerSession)
    }

    func giveBack(_ session: InferenceSession) {
        lock.lock(); idle.append(session); lock.unlock()
    }
}
