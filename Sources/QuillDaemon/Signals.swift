import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Wires `SIGTERM`/`SIGINT` to `requestStop()` and `SIGHUP` to `requestReload()` through dispatch
/// signal sources (the handlers run on a queue, not in signal context). Keep the returned sources
/// alive for as long as the daemon runs. The handlers hold the daemon weakly: a source is disposed of
/// on a dispatch thread some time after its last release, and the daemon (with the model it holds) must
/// be freed by its owner, not there while the process is exiting.
public func installSignalHandlers(for daemon: Daemon) -> [any DispatchSourceSignal] {
    var sources = [any DispatchSourceSignal]()
    let stop: () -> Void = { [weak daemon] in daemon?.requestStop() }
    let reload: () -> Void = { [weak daemon] in daemon?.requestReload() }
    for (sig, action) in [(SIGTERM, stop), (SIGINT, stop), (SIGHUP, reload)] {
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler(handler: action)
        source.resume()
        sources.append(source)
    }
    return sources
}
