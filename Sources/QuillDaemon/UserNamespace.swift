import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The user-id mapping of the user namespace Quill runs in (`/proc/self/uid_map`). Inside a namespace
/// that maps only a few ids (systemd's `PrivateUsers=yes` maps root and the service user), every other
/// file owner reads as the overflow id `nobody`, so `watch.allowed_owners` could never match a sender:
/// every drop would be refused. Quill refuses to start instead, saying why.
struct UserNamespace: Sendable {
    /// Inside-namespace ranges: (first id, count).
    var ranges: [(first: UInt64, count: UInt64)]

    /// Parses uid_map text: lines of `inside outside count`. Unreadable text maps everything, as the
    /// initial namespace does (nothing to refuse on a guess).
    init(uidMap text: String) {
        var ranges: [(first: UInt64, count: UInt64)] = []
        for line in text.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { UInt64($0) }
            if fields.count == 3 { ranges.append((first: fields[0], count: fields[2])) }
        }
        self.ranges = ranges.isEmpty ? [(first: 0, count: 1 << 32)] : ranges
    }

    static func current() -> UserNamespace {
        UserNamespace(uidMap: (try? String(contentsOfFile: "/proc/self/uid_map", encoding: .utf8)) ?? "")
    }

    func maps(_ uid: uid_t) -> Bool {
        let id = UInt64(uid)
        return ranges.contains { id >= $0.first && id - $0.first < $0.count }
    }

    /// A sentence for the operator when some allowed owner cannot be seen from inside this namespace.
    func hiddenOwners(_ uids: [uid_t]) -> String? {
        let hidden = uids.filter { !maps($0) }
        guard !hidden.isEmpty else { return nil }
        return "watch.allowed_owners names user id(s) \(hidden.map(String.init).joined(separator: ", ")), which this process "
            + "cannot see: it runs in a user namespace that maps only some users (systemd PrivateUsers=yes?), so every "
            + "dropped file would look owned by nobody and be refused. Remove PrivateUsers= from the unit or empty watch.allowed_owners."
    }
}
