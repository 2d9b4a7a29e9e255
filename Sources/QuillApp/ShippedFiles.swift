import Foundation
import QuillDaemon

/// Where the templates and lexicons that ship with Quill are found. Installed (`make install`) they
/// are in `<prefix>/share/quill/templates`, beside the program's `<prefix>/bin/`; in a checkout they
/// are in the source tree. The working directory is not trusted alone: under systemd it is the state
/// root, which holds no templates, and the daemon would fail at every start.
enum ShippedFiles {
    /// The first of: `<state>/templates` (a hospital's own), `<exe>/../share/quill/templates`,
    /// `./templates`, the source tree's `templates/`, that holds the medication lexicon.
    static func templates(state: String, executable: String? = executablePath()) throws -> String {
        let candidates = templateCandidates(state: state, executable: executable)
        if let found = candidates.first(where: isTemplatesFolder) { return found }
        throw ConfigError(file: nil, "no templates folder found (looked in \(candidates.joined(separator: ", "))); "
            + "install Quill with `make install`, or set paths.templates to a folder with the templates and lexicon/")
    }

    static func templateCandidates(state: String, executable: String?) -> [String] {
        roots(state: state, executable: executable).map { $0 + "/templates" }
    }

    /// Where files that ship with Quill are looked for, in order: the state root (a site's own), the installed
    /// `<prefix>/share/quill`, the working directory, the source tree (templates, the default model).
    static func roots(state: String, executable: String?) -> [String] {
        var list = [state]
        if let executable {
            let bin = (executable as NSString).deletingLastPathComponent
            list.append(((bin as NSString).deletingLastPathComponent as NSString).appendingPathComponent("share/quill"))
        }
        list.append(FileManager.default.currentDirectoryPath)
        list.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path)
        return list
    }

    static func isTemplatesFolder(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path + "/lexicon/medications.txt")
    }

    /// The running program's own path (symbolic links resolved by the kernel).
    static func executablePath() -> String? {
        try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    }
}
