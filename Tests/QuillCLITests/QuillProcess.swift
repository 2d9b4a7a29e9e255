import Foundation

/// The `quill` binary built beside the test bundle, run as a child process (the CLI's contract is its output).
enum QuillProcess {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// On Linux the bundle URL is the build folder itself; on macOS it is the .xctest bundle inside it.
    static var binary: URL {
        let bundle = Bundle(for: Marker.self).bundleURL
        let beside = bundle.appendingPathComponent("quill")
        return FileManager.default.isExecutableFile(atPath: beside.path) ? beside : bundle.deletingLastPathComponent().appendingPathComponent("quill")
    }
    private final class Marker {}

    /// Starts `quill args` with its output and errors piped.
    static func start(_ args: [String], in folder: URL? = nil) throws -> (Process, Pipe, Pipe) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        if let folder { p.currentDirectoryURL = folder }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        return (p, out, err)
    }

    /// Starts `quill args` with its output and errors appended to the file `log`, to be read while it runs.
    static func start(_ args: [String], log: String) throws -> Process {
        if !FileManager.default.fileExists(atPath: log) { FileManager.default.createFile(atPath: log, contents: nil) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        handle.seekToEndOfFile()
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.standardOutput = handle; p.standardError = handle
        try p.run()
        return p
    }

    /// Runs `quill args` to the end.
    static func run(_ args: [String], in folder: URL? = nil) throws -> (status: Int32, out: String, err: String) {
        let (p, out, err) = try start(args, in: folder)
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
}
