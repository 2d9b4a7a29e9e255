import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Who may do what in the state root (docs/OPERATIONS.md, "Who may read and write what"). Quill's own
/// folders are private to its user; the inbox lets the sender group create files but not list, rename or
/// remove them; outbox/ and review/ let the output group read. Checked and set at every start, so a
/// folder someone loosened, or one a sender created first, is caught before any file goes through it.
public enum FolderPermissions {
    /// Private folders: Quill's user alone (database, staging, claimed, archive, failed, runners).
    public static let privateMode: mode_t = 0o700
    /// The inbox with a sender group: sticky (only a file's owner, or Quill, renames or removes it),
    /// setgid (dropped files get the sender group, which Quill's user reads through), group write and
    /// search without read (senders cannot list what others dropped), nothing for anyone else.
    public static let inboxMode: mode_t = 0o3730
    /// outbox/ and review/ with an output group: setgid, so every output written under them is created
    /// with that group; the group reads and lists, nobody else.
    public static let outputMode: mode_t = 0o2750

    public static func gid(for group: String) -> gid_t? {
        if let n = UInt32(group) { return n }
        guard let gr = getgrnam(group) else { return nil }
        return gr.pointee.gr_gid
    }

    static func userName(_ uid: uid_t) -> String {
        getpwuid(uid).map { String(cString: $0.pointee.pw_name) } ?? "user id \(uid)"
    }

    static func groupName(_ gid: gid_t) -> String {
        getgrgid(gid).map { String(cString: $0.pointee.gr_name) } ?? "group id \(gid)"
    }

    /// Whether this process can act as a member of `gid` (root always can).
    static func isMember(_ gid: gid_t) -> Bool {
        if geteuid() == 0 || getegid() == gid { return true }
        let count = getgroups(0, nil)
        guard count > 0 else { return false }
        var groups = [gid_t](repeating: 0, count: Int(count))
        let n = getgroups(count, &groups)
        return n > 0 && groups.prefix(Int(n)).contains(gid)
    }

    /// Creates `path` if missing, then makes it a folder owned by `owner` (the state root's owner: Quill's
    /// user) with `mode` (and `group`). Refuses a link, a file, or a folder owned by someone else in its
    /// place: a sender who created `inbox/.quill-claimed` first would otherwise own the folder claimed
    /// files go through. Root (an operator running `quill audit verify`) creates what is missing for the owner.
    static func ensure(_ path: String, mode: mode_t, group: gid_t? = nil, owner: uid_t) throws {
        let existed = FileOperations.exists(path)
        try FileOperations.makeDirectories(path, mode: mode & 0o777)
        if !existed && geteuid() == 0 && owner != 0 { _ = lchown(path, owner, gid_t.max) }
        var st = try FileOperations.lstat(path)
        guard (st.st_mode & S_IFMT) == S_IFDIR else {
            throw FolderPermissionError(path: path, "is not a folder (a link or a file is in its place); move it away so that Quill can create its folder there")
        }
        guard st.st_uid == owner else {
            throw FolderPermissionError(path: path, "belongs to \(userName(st.st_uid)), not to Quill's user \(userName(owner)) (the state root's owner); "
                + "someone else created it. Check what is inside, then give it to Quill (chown) or remove it")
        }
        if let group, st.st_gid != group {
            if chown(path, uid_t.max, group) != 0 {
                throw FolderPermissionError(path: path, "cannot be given to group \(groupName(group)) (\(String(cString: strerror(errno)))); "
                    + "Quill's user must be a member of that group (SupplementaryGroups= in the unit)")
            }
            st = try FileOperations.lstat(path)
        }
        if st.st_mode & 0o7777 != mode {
            try syscall("chmod", path) { chmod(path, mode) }
        }
    }
}

/// A state-root folder whose owner or mode Quill cannot accept or fix; names the folder and what to do.
public struct FolderPermissionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var problem: String
    init(path: String, _ problem: String) { self.path = path; self.problem = problem }
    public var description: String { "\(path) \(problem)" }
}
