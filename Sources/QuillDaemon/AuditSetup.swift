import Foundation
import Logging
import QuillStore

extension QuillConfig {
    /// The audit key's file: `audit.key_file`, else systemd's credential
    /// (`LoadCredential=quill-audit-key:…` puts it at `$CREDENTIALS_DIRECTORY/quill-audit-key`), else none.
    public func auditKeyPath(environment: [String: String]) -> String? {
        if !audit.keyFile.isEmpty { return audit.keyFile }
        if let dir = environment["CREDENTIALS_DIRECTORY"], !dir.isEmpty {
            let p = dir + "/" + AuditKey.credentialName
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return nil
    }

    public var auditAnchorPath: String { audit.anchorFile.isEmpty ? stateRoot + "/audit-anchor.jsonl" : audit.anchorFile }

    /// The store's audit settings; a configured key that cannot be read stops the start.
    public func auditSettings(environment: [String: String], logger: Logger? = nil) throws -> AuditSettings {
        guard let path = auditKeyPath(environment: environment) else { return AuditSettings() }
        let key = try AuditKey.load(path: path)
        return AuditSettings(key: key, anchorFile: auditAnchorPath, checkpointEvery: audit.checkpointEvery) { result in
            // The journal's copy of each checkpoint: a second place, outside the state root, that a
            // truncated trail must also agree with.
            switch result {
            case .success(let c):
                logger?.notice("audit.checkpoint", metadata: ["event": "\(c.eventID)", "hash": "\(c.hash)", "time": "\(c.time)",
                                                              "key_id": "\(c.keyID)", "mac": "\(c.mac)"])
            case .failure(let e):
                logger?.error("audit.checkpoint_failed", metadata: ["error": "\(PrivacySafe.text(e))"])
            }
        }
    }
}
