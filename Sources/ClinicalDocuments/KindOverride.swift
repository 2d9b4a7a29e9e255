/// A hospital's way to say what a file is when content detection would get it wrong: a marker in
/// the file name (`visit.dialogue.txt`, `note.soap.txt`) or the name of the folder the file sits in
/// (`inbox/dialogue/visit.txt`). See docs/INPUTS.md.
///
/// - Kind markers `dialogue` and `note` say how a plain-text file is read.
/// - Task markers `soap` and `discharge` say what Quill writes from it, for any format.
/// - Markers are the dot-separated parts of the file name after the first (`a.dialogue.soap.txt`),
///   compared without case. A file-name marker wins over a folder.
/// - Folder names: `dialogue`/`dialogues`, `note`/`notes`, `soap`, `discharge` (the immediate parent only).
public struct KindOverride: Sendable, Equatable {
    public var kind: DocumentKind?
    public var kindSource: ChoiceSource = .content
    public var task: DocumentTask?
    public var taskSource: ChoiceSource = .content

    public init(kind: DocumentKind? = nil, kindSource: ChoiceSource = .content, task: DocumentTask? = nil, taskSource: ChoiceSource = .content) {
        self.kind = kind; self.kindSource = kindSource; self.task = task; self.taskSource = taskSource
    }

    static let kindMarkers: [String: DocumentKind] = ["dialogue": .dialogue, "note": .clinicalNote]
    static let taskMarkers: [String: DocumentTask] = ["soap": .soapNote, "discharge": .dischargeSummary]
    static let kindFolders: [String: DocumentKind] = ["dialogue": .dialogue, "dialogues": .dialogue, "note": .clinicalNote, "notes": .clinicalNote]
    static let taskFolders: [String: DocumentTask] = ["soap": .soapNote, "discharge": .dischargeSummary]

    /// Reads the markers; two different kinds (or tasks) in one file name is an error.
    public static func from(fileName: String, folderName: String?) throws(DocumentError) -> KindOverride {
        var o = KindOverride()
        if let folder = folderName?.lowercased() {
            if let k = kindFolders[folder] { o.kind = k; o.kindSource = .folder }
            if let t = taskFolders[folder] { o.task = t; o.taskSource = .folder }
        }
        let parts = fileName.lowercased().split(separator: ".").dropFirst()
        var kinds = Set<DocumentKind>(), tasks = Set<DocumentTask>()
        for p in parts {
            if let k = kindMarkers[String(p)] { kinds.insert(k) }
            if let t = taskMarkers[String(p)] { tasks.insert(t) }
        }
        guard kinds.count <= 1, tasks.count <= 1 else {
            throw DocumentError(file: fileName, problem: .kindOverrideFailed(detail:
                "the file name carries conflicting markers (\(parts.joined(separator: "."))); use one of .dialogue/.note and one of .soap/.discharge"))
        }
        if let k = kinds.first { o.kind = k; o.kindSource = .fileSuffix }
        if let t = tasks.first { o.task = t; o.taskSource = .fileSuffix }
        return o
    }
}
