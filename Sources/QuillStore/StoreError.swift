/// Why the store refused an operation.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The job moved on or changed owner since it was read: another runner holds it.
    case jobChanged(id: Int64, expected: String)
    case noSuchJob(id: Int64)
    /// A row's columns do not fit its state (the file was edited by hand or is from a newer Quill).
    case corruptRow(id: Int64, detail: String)
    case cannotCreate(path: String, errno: Int32)
    /// The trail is keyed (its last event is not plain SHA-256) and this store has no audit key.
    case auditKeyRequired(lastEvent: Int64)
    /// The trail's last event verifies under neither SHA-256 nor this store's key.
    case auditHeadUnverifiable(lastEvent: Int64, keyID: String)

    public var description: String {
        switch self {
        case let .jobChanged(id, expected): return "job \(id) is no longer in state \(expected) for this runner"
        case .noSuchJob(let id): return "there is no job \(id)"
        case let .corruptRow(id, detail): return "job \(id) has an unreadable row: \(detail)"
        case let .cannotCreate(path, e): return "cannot create \(path) (errno \(e))"
        case .auditKeyRequired(let id):
            return "the audit trail is keyed (event \(id) is HMAC-signed); configure its key (audit.key_file or the quill-audit-key credential) before writing to it"
        case let .auditHeadUnverifiable(id, keyID):
            return "the last audit event (\(id)) verifies under neither plain SHA-256 nor the configured key \(keyID): it was signed with another key, or altered; run `quill audit verify`"
        }
    }
}
