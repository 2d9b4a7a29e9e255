import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: the operation, the path it was about, and errno (STYLE: swift-nio's
/// `System.swift`). Every call in the daemon goes through `syscall(_:_:_:)`, which retries `EINTR`.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    public var path: String
    public var errno: Int32

    public init(_ operation: String, path: String, errno: Int32) {
        self.operation = operation; self.path = path; self.errno = errno
    }

    public var description: String { "\(operation)(\(path)) failed: \(String(cString: strerror(errno))) (errno \(errno))" }

    /// Without the path (an inbox file's name can hold a patient's name or MRN): for logs and the audit trail.
    public var safeDescription: String { "\(operation) failed: \(String(cString: strerror(errno))) (errno \(errno))" }
}

/// Runs a system call, retrying on `EINTR`; a negative result becomes a `SystemError`.
@discardableResult
func syscall<T: FixedWidthInteger>(_ operation: String, _ path: String, _ body: () -> T) throws -> T {
    while true {
        let r = body()
        if r >= 0 { return r }
        let e = Glibc.errno
        if e == EINTR { continue }
        throw SystemError(operation, path: path, errno: e)
    }
}
