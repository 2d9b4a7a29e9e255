/// Bounds on what Quill agrees to read, so that a hostile or broken file costs bounded time and memory.
///
/// The daemon's configuration embeds this struct as it is; every default lives here.
/// A missing key in a configuration file takes its default.
public struct DocumentLimits: Sendable, Codable, Equatable {
    /// Largest file accepted, in bytes. Default 8 MiB: the largest public C-CDA sample is
    /// 250 KB, and a note the model can summarise is far smaller; a CDA with an embedded
    /// scan could be larger but its text is not readable to Quill anyway.
    public var maxFileBytes: Int
    /// Largest amount of narrative text (section and turn text, in characters) in one document.
    /// Default 200,000 characters, several times what a 32k-token context holds.
    public var maxTextCharacters: Int
    /// Most messages read from one HL7 batch file. Default 1,000.
    public var maxMessagesPerFile: Int

    public static let defaultMaxFileBytes = 8 * 1024 * 1024
    public static let defaultMaxTextCharacters = 200_000
    public static let defaultMaxMessagesPerFile = 1_000

    public init(maxFileBytes: Int = DocumentLimits.defaultMaxFileBytes,
                maxTextCharacters: Int = DocumentLimits.defaultMaxTextCharacters,
                maxMessagesPerFile: Int = DocumentLimits.defaultMaxMessagesPerFile) {
        self.maxFileBytes = maxFileBytes
        self.maxTextCharacters = maxTextCharacters
        self.maxMessagesPerFile = maxMessagesPerFile
    }

    enum CodingKeys: String, CodingKey {
        case maxFileBytes = "max_file_bytes"
        case maxTextCharacters = "max_text_characters"
        case maxMessagesPerFile = "max_messages_per_file"
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            maxFileBytes: try c.decodeIfPresent(Int.self, forKey: .maxFileBytes) ?? Self.defaultMaxFileBytes,
            maxTextCharacters: try c.decodeIfPresent(Int.self, forKey: .maxTextCharacters) ?? Self.defaultMaxTextCharacters,
            maxMessagesPerFile: try c.decodeIfPresent(Int.self, forKey: .maxMessagesPerFile) ?? Self.defaultMaxMessagesPerFile)
    }
}
