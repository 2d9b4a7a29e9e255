import Foundation

/// A run in a child process: `quill serve` starts `quill retrain` this way (the same executable, the same
/// state, model and configuration options). The child's standard error (log lines, no patient text) and
/// standard output go where the daemon's go: the journal under systemd.
public final class ChildProcessRun: BackgroundRun {
    private let process = Process()

    public init(executable: String, arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
    }

    /// The running program's own file, to start it again with other arguments.
    public static var thisExecutable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    public var exitStatus: Int32? { process.isRunning ? nil : process.terminationStatus }

    public func terminate() { process.terminate() }
}
