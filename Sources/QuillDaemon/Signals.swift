import Dispatch
#if canImport(Glibc)
import Glibc
#endif

/// Wires `SIGTERM`/`SIGINT` to `requestStop()` and `SIGHUP` to `requestReload()` through dispatch
/// signal sources (the handlers run on a queue, not in signal context). Keep the returned sources
/// alive for as long as the daemon runs.
public func installSignalHandlers(for daemon: Daemon) -> [any DispatchSourceSignal] {
    var sources = [any DispatchSourceSignal]()
    for (sig, action) in [(SIGTERM, { daemon.requestStop() }), (SIGINT, { daemon.requestStop() }), (SIGHUP, { daemon.requestReload() })] {
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler(handler: action)
        source.resume()
        sources.append(source)
    }
    return sources
}
