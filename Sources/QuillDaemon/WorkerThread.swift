import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A thread that can be joined: `join()` returns once the thread has ended completely, its exit
/// destructors included.
///
/// Why not Foundation's `Thread`: it cannot be joined, and it releases its closure, and with it all the
/// closure holds (the store and its dispatch queues, the daemon, the model), from the thread's exit
/// destructors. A caller that only waited for the closure to return then raced those releases: the
/// process went on to exit while an exiting worker tore down dispatch queues inside a thread-exit
/// destructor, and glibc aborted with a corrupted heap ("double free or corruption") in about one
/// `quill process` in six. Here the body and everything it captured are released before the thread
/// function returns, in ordinary thread context, and `join()` waits for the rest.
final class WorkerThread {
    private let thread: pthread_t
    private var joined = false

    private final class Body {
        let name: String
        let run: () -> Void
        init(name: String, run: @escaping () -> Void) { self.name = name; self.run = run }
    }

    /// Starts `body` on a new thread named `name` with `stackSize` bytes of stack.
    init(name: String, stackSize: Int, _ body: @escaping () -> Void) throws {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setstacksize(&attributes, stackSize)
        let context = Unmanaged.passRetained(Body(name: name, run: body)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attributes, { raw in
            // Taken here and dropped at the end of this scope: the body's captures go before the thread ends.
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            Thread.current.name = body.name
            body.run()
            return nil
        }, context)
        guard rc == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            throw SystemError("pthread_create", path: name, errno: rc)
        }
        self.thread = thread
    }

    /// Waits until the thread has ended. Call once, from another thread.
    func join() {
        guard !joined else { return }
        joined = true
        pthread_join(thread, nil)
    }
}
