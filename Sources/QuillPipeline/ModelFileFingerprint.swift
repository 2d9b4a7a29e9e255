import Foundation

extension ModelFingerprint {
    /// A model is a Hugging Face folder or one file (GGUF, which carries its tokenizer and chat template
    /// inside): a folder is fingerprinted by the files `include` accepts, a file alone, as the one file
    /// of its folder, so `sha256` is `sha256sum FILE | sha256sum` run beside it, as for a folder.
    public static func of(model path: String, include: (String) -> Bool, cache: FingerprintCache?) throws -> ModelFingerprint {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw ModelIntegrityError(message: "\(path) does not exist")
        }
        if isFolder.boolValue { return try of(folder: path, include: include, cache: cache) }
        let url = URL(fileURLWithPath: path)
        let identity = try FileIdentity(path: path)
        let digest = try cache?.digest(path: path, identity: identity) ?? hashFile(path)
        cache?.remember(path: path, identity: identity, sha256: digest)
        return ModelFingerprint(folder: url.deletingLastPathComponent().path,
                                files: [File(name: url.lastPathComponent, sha256: digest, identity: identity)])
    }
}
