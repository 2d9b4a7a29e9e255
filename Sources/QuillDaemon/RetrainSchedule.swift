import Foundation

/// When the daemon itself starts `quill retrain` (`retraining.schedule`): `daily HH:MM` in the machine's local
/// time, or `every N hours`. The empty schedule leaves retraining to `quill retrain` run by hand or by
/// systemd/quill-retrain.timer.
public enum RetrainSchedule: Sendable, Equatable, CustomStringConvertible {
    case daily(hour: Int, minute: Int)
    case every(hours: Int)

    /// `nil` for the empty string (no schedule).
    public init?(parsing text: String) throws {
        let words = text.split(whereSeparator: \.isWhitespace).map { $0.lowercased() }
        if words.isEmpty { return nil }
        if words.count == 2, words[0] == "daily" {
            let parts = words[1].split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let h = Int(parts[0]), let m = Int(parts[1]),
               (0..<24).contains(h), (0..<60).contains(m) {
                self = .daily(hour: h, minute: m)
                return
            }
        }
        if words.count == 3, words[0] == "every", let n = Int(words[1]), n >= 1, n <= 24 * 31, ["hour", "hours"].contains(words[2]) {
            self = .every(hours: n)
            return
        }
        throw ScheduleError(text: text)
    }

    public struct ScheduleError: Error, CustomStringConvertible {
        public let text: String
        public var description: String { "retraining.schedule is \"\(text)\"; write \"daily HH:MM\" (local time), \"every N hours\", or \"\" for none" }
    }

    public var description: String {
        switch self {
        case .daily(let h, let m): return String(format: "daily %02d:%02d", h, m)
        case .every(let n): return "every \(n) hours"
        }
    }

    /// When the first run is due, with none recorded: at once for `every N hours` (nothing says the last one
    /// was recent), at the next named time for `daily`.
    public func first(from now: Date, calendar: Calendar = .current) -> Date {
        switch self {
        case .every: return now
        case .daily: return next(after: now, calendar: calendar)
        }
    }

    /// The first time the schedule names after `last`: the run that follows the last one started. A daemon
    /// that was down at that time (a reboot at 01:55 that lasted an hour) starts the missed run when it comes
    /// back, as systemd's `Persistent=true` does.
    public func next(after last: Date, calendar: Calendar = .current) -> Date {
        switch self {
        case .every(let n):
            return last.addingTimeInterval(Double(n) * 3600)
        case .daily(let h, let m):
            let match = DateComponents(hour: h, minute: m, second: 0)
            return calendar.nextDate(after: last, matching: match, matchingPolicy: .nextTime) ?? last.addingTimeInterval(86_400)
        }
    }
}
