import Foundation

/// The engine's thread budget. Work is split into one contiguous share per thread; with one
/// thread it runs inline. `DispatchQueue.concurrentPerform` keeps its workers alive between calls,
/// so a decode step's hundreds of small parallel regions cost microseconds each.
public struct ThreadPool: Sendable {
    public let threads: Int

    public init(threads: Int) {
        self.threads = max(1, threads)
    }

    /// Runs `body(share)` for share in 0..<threads, in parallel, and returns when all are done.
    public func run(_ body: (Int) -> Void) {
        if threads == 1 { body(0); return }
        DispatchQueue.concurrentPerform(iterations: threads, execute: body)
    }

    /// The half-open range of `0..<count` that `share` of `shares` owns, aligned to `alignment` items.
    public static func range(of share: Int, shares: Int, count: Int, alignment: Int = 1) -> Range<Int> {
        let units = (count + alignment - 1) / alignment
        let lo = units * share / shares * alignment
        let hi = min(count, units * (share + 1) / shares * alignment)
        return min(lo, count)..<max(min(lo, count), hi)
    }
}
