import Foundation

/// The public test data committed under `Tests/Data` (sources and licences in Tests/Data/SOURCES.md; refreshed by
/// tools/test-data/refresh.sh). Files over 1 MB are committed gzip-compressed as `name.gz`; asking for `name`, or
/// for its folder, gives a copy of that folder under `.build/test-data` with the file decompressed, made once per
/// test run.
///
/// Decompression runs `gzip -dc`: swift-corelibs-foundation has no gzip reader on Linux, and gzip is on every
/// Debian system (an Essential package). A missing or unreadable file fails the test, it never skips.
///
/// A small library target of its own, so that every test target that needs the data shares this one file.
public enum CommittedTestData {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let root = repositoryRoot.appendingPathComponent("Tests/Data")
    static let decompressed = repositoryRoot.appendingPathComponent(".build/test-data")

    public struct Unavailable: Error, CustomStringConvertible {
        public let description: String
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var copies: [String: URL] = [:]

    /// A readable file or folder for `relative` (a path inside Tests/Data, without `.gz`).
    public static func url(_ relative: String) throws -> URL {
        let fm = FileManager.default
        let committed = root.appendingPathComponent(relative)
        var isFolder: ObjCBool = false
        if fm.fileExists(atPath: committed.path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { return committed }
            let names = try fm.contentsOfDirectory(atPath: committed.path)
            return names.contains { $0.hasSuffix(".gz") } ? try decompressedCopy(of: relative) : committed
        }
        guard fm.fileExists(atPath: committed.path + ".gz") else {
            throw Unavailable(description: "test input missing: \(committed.path) (nor \(committed.lastPathComponent).gz): the public "
                              + "test data is committed under Tests/Data; tools/test-data/refresh.sh copies it from its sources")
        }
        // A compressed file comes inside a copy of its whole folder: a tokenizer.json is read with the
        // tokenizer_config.json beside it.
        let folder = (relative as NSString).deletingLastPathComponent
        return try decompressedCopy(of: folder).appendingPathComponent(committed.lastPathComponent)
    }

    /// The folder under `.build/test-data` with every file of the committed one, `.gz` files decompressed.
    private static func decompressedCopy(of folder: String) throws -> URL {
        lock.lock()
        defer { lock.unlock() }
        if let copy = copies[folder] { return copy }
        let fm = FileManager.default
        let committed = root.appendingPathComponent(folder)
        let copy = decompressed.appendingPathComponent(folder)
        try fm.createDirectory(at: copy, withIntermediateDirectories: true)
        for name in try fm.contentsOfDirectory(atPath: committed.path).sorted() {
            let from = committed.appendingPathComponent(name)
            var isFolder: ObjCBool = false
            guard fm.fileExists(atPath: from.path, isDirectory: &isFolder), !isFolder.boolValue else { continue }
            if name.hasSuffix(".gz") {
                try gunzip(from, to: copy.appendingPathComponent(String(name.dropLast(3))))
            } else {
                try replace(copy.appendingPathComponent(name)) { try fm.copyItem(at: from, to: $0) }
            }
        }
        copies[folder] = copy
        return copy
    }

    /// Decompresses into a temporary name, then renames: a test process running at the same time reads either
    /// the previous complete copy or the new one, never half a file.
    private static func gunzip(_ gz: URL, to destination: URL) throws {
        try replace(destination) { temporary in
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil),
                  let out = FileHandle(forWritingAtPath: temporary.path) else {
                throw Unavailable(description: "cannot write \(temporary.path) to decompress \(gz.path)")
            }
            defer { try? out.close() }
            let gzip = Process()
            gzip.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            gzip.arguments = ["gzip", "-dc", gz.path]
            gzip.standardOutput = out
            let errors = Pipe()
            gzip.standardError = errors
            try gzip.run()
            let message = errors.fileHandleForReading.readDataToEndOfFile()
            gzip.waitUntilExit()
            guard gzip.terminationReason == .exit, gzip.terminationStatus == 0 else {
                throw Unavailable(description: "gzip -dc \(gz.path) failed (status \(gzip.terminationStatus)): "
                              + String(decoding: message, as: UTF8.self))
            }
        }
    }

    private static func replace(_ destination: URL, _ write: (URL) throws -> Void) throws {
        let temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(getpid()).tmp")
        try? FileManager.default.removeItem(at: temporary)
        do {
            try write(temporary)
            guard rename(temporary.path, destination.path) == 0 else {
                throw Unavailable(description: "cannot rename \(temporary.path) to \(destination.path): errno \(errno)")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
