import Foundation
import QuillDaemon
import QuillStore

/// The adapter versions under `<state>/adapters/`: `v1`, `v2`, … each a PEFT folder with `adapter.json`, and
/// `active`, a one-line file naming the version that serves (none: the shipped adapter, or none at all).
/// Promotions and rollbacks are audit events (`adapter.promoted` names the version it replaced), so the
/// trail, not a file anyone could edit, says what to roll back to.
public struct AdapterRegistry: Sendable {
    public let folder: String
    let store: QuillStore

    public init(root: StateRoot, store: QuillStore) { folder = root.adapters; self.store = store }

    var activeFile: String { folder + "/active" }

    /// `vN` → N.
    static func number(_ version: String) -> Int? {
        guard version.hasPrefix("v") else { return nil }
        return Int(version.dropFirst())
    }

    /// Registered versions (those with an adapter.json), oldest first.
    public func versions() throws -> [AdapterRecord] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return try names.compactMap { n in Self.number(n).map { (n, $0) } }
            .sorted { $0.1 < $1.1 }
            .compactMap { n, _ in FileManager.default.fileExists(atPath: folder + "/\(n)/adapter.json") ? try record(n) : nil }
    }

    public func record(_ version: String) throws -> AdapterRecord {
        let path = folder + "/\(version)/adapter.json"
        guard let data = FileManager.default.contents(atPath: path) else { throw RegistryError.noSuchVersion(version) }
        do { return try JSONDecoder().decode(AdapterRecord.self, from: data) } catch {
            throw RegistryError.unreadableRecord(path, "\(error)")
        }
    }

    func write(_ record: AdapterRecord, in versionFolder: String) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try e.encode(record).write(to: URL(fileURLWithPath: versionFolder + "/adapter.json"), options: .atomic)
    }

    /// The version `active` names, if any.
    public func active() -> String? {
        guard let text = try? String(contentsOfFile: activeFile, encoding: .utf8) else { return nil }
        let name = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return name.isEmpty ? nil : name
    }

    /// The next free version number, counting folders still being written.
    public func nextVersion() -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        let used = names.compactMap { Self.number($0.hasPrefix(".partial-") ? String($0.dropFirst(9)) : $0) }
        return "v\((used.max() ?? 0) + 1)"
    }

    /// Writes `active` by a temporary file and a rename: a reader sees the old name or the new, never half.
    func setActive(_ version: String?) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard let version else {
            if FileManager.default.fileExists(atPath: activeFile) { try FileManager.default.removeItem(atPath: activeFile) }
            return
        }
        try Data((version + "\n").utf8).write(to: URL(fileURLWithPath: activeFile), options: .atomic)
    }

    /// Makes `version` the one that serves; the daemon swaps to it before its next document.
    public func promote(_ version: String, actor: String, reason: String) throws {
        var record = try record(version)
        let previous = active()
        if previous == version { throw RegistryError.alreadyActive(version) }
        try setActive(version)
        let overridden = record.status == .rejected
        record.status = .promoted
        try write(record, in: folder + "/" + version)
        try store.record(actor: actor, action: "adapter.promoted", details: [
            "version": .string(version), "previous": .string(previous ?? ""), "reason": .string(reason),
            "gate_overridden": .bool(overridden),
        ])
    }

    /// Goes back to the version that the active one replaced (none: the shipped adapter).
    @discardableResult
    public func rollback(actor: String) throws -> String? {
        guard let current = active() else { throw RegistryError.nothingToRollBack }
        guard let promotion = try store.auditEvents().last(where: { $0.action == "adapter.promoted" && Self.detail($0, "version") == current }) else {
            throw RegistryError.noPromotionOf(current)
        }
        let previous = Self.detail(promotion, "previous").flatMap { $0.isEmpty ? nil : $0 }
        try setActive(previous)
        try store.record(actor: actor, action: "adapter.rolled_back", details: ["from": .string(current), "to": .string(previous ?? "")])
        return previous
    }

    static func detail(_ event: AuditEvent, _ key: String) -> String? {
        ((try? JSONSerialization.jsonObject(with: Data(event.details.utf8))) as? [String: Any])?[key] as? String
    }
}

public enum RegistryError: Error, Sendable, Equatable, CustomStringConvertible {
    case noSuchVersion(String)
    case unreadableRecord(String, String)
    case alreadyActive(String)
    case nothingToRollBack
    case noPromotionOf(String)

    public var description: String {
        switch self {
        case .noSuchVersion(let v): return "there is no adapter version \(v) (quill adapter list shows them)"
        case let .unreadableRecord(p, e): return "\(p) cannot be read: \(e)"
        case .alreadyActive(let v): return "\(v) is already the active adapter"
        case .nothingToRollBack: return "no adapter version is active: there is nothing to roll back"
        case .noPromotionOf(let v): return "the audit trail records no promotion of \(v), so there is no version it replaced to go back to"
        }
    }
}
