import ClinicalDocuments
import QuillStore

/// Error texts for logs and the audit trail, which nobody can purge: kinds, numbers, positions and
/// ids, never a path, a file name or a quote from a document (those stay in `failed/<name>.error.json`).
public enum PrivacySafe {
    public static func text(_ error: any Error) -> String {
        switch error {
        case let e as SystemError: return e.safeDescription
        case let e as DocumentError: return e.safeDescription
        case let e as StoreError:
            if case let .corruptRow(id, _) = e { return "job \(id) has an unreadable row" }
            return e.description
        // Configuration and key texts name configuration files and keys, never documents.
        case let e as ConfigError: return e.description
        case let e as AuditKeyError: return e.description
        case let e as AuditAnchorError: return e.description
        default: return String(describing: type(of: error))
        }
    }
}
