// Runs the daemon with the test processor, as `quill serve`/`quill process` run it with the model,
// so that tests can start, SIGTERM and kill -9 a real child process.
//
//     quill-daemon-testhost serve|once --state DIR [--inbox DIR] [--delay SECONDS] [--workers N] [--stability S] [--rescan S]
//                           [--max-attempts N] [--timeout S]
//
// With $NOTIFY_SOCKET set it sends systemd's notify messages there, as `quill serve` does.
// At the end it prints its summary, and `peak_rss_kib=N` (its VmHWM) to standard error.
import Foundation
import Logging
import QuillDaemon
import QuillDaemonTestSupport

var args = Array(CommandLine.arguments.dropFirst())
let mode: Daemon.Mode = args.first == "serve" ? .serve : .once
args = Array(args.dropFirst())
func value(_ flag: String) -> String? {
    guard let i = args.firstIndex(of: flag), i + 1 < args.count else { return nil }
    return args[i + 1]
}
var config = QuillConfig()
config.paths.state = value("--state") ?? "."
config.paths.inbox = value("--inbox")
config.jobs.workers = Int(value("--workers") ?? "1") ?? 1
config.watch.stabilitySeconds = Double(value("--stability") ?? "0.05") ?? 0.05
config.watch.rescanSeconds = Double(value("--rescan") ?? "0.5") ?? 0.5
if let n = value("--max-attempts").flatMap({ Int($0) }) { config.jobs.maxAttempts = n }
if let t = value("--timeout").flatMap({ Double($0) }) { config.jobs.timeoutSeconds = t }
let delay = Double(value("--delay") ?? "0") ?? 0
let env = ProcessInfo.processInfo.environment
let notifier = SystemdNotifier(notifySocket: env["NOTIFY_SOCKET"], watchdogUSec: env["WATCHDOG_USEC"], watchdogPID: env["WATCHDOG_PID"])

LoggingSystem.bootstrap { label in
    var h = StreamLogHandler.standardError(label: label)
    h.logLevel = .warning
    return h
}
do {
    try config.validate()
    let daemon = Daemon(config: config, processor: SectionTextProcessor(delay: delay), notifier: notifier)
    let sources = installSignalHandlers(for: daemon)
    let summary = try daemon.run(mode)
    withExtendedLifetime(sources) {}
    print(summary)
    // VmHWM, not getrusage: ru_maxrss keeps the high-water mark of the test process that spawned
    // this one (Linux carries it across exec).
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    if let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
       let kib = line.split(separator: " ").dropFirst().first {
        FileHandle.standardError.write(Data("peak_rss_kib=\(kib)\n".utf8))
    }
} catch {
    FileHandle.standardError.write(Data("quill-daemon-testhost: \(error)\n".utf8))
    exit(1)
}
