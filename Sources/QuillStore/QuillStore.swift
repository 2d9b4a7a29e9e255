import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Quill's SQLite file: jobs and the audit trail (DESIGN.md, "Trust").
///
/// WAL mode, `synchronous = FULL` (a committed transition survives power loss, not only a crash),
/// file mode 0600, a busy timeout so that several runners on one state root take turns. Every
/// job transition is one `BEGIN IMMEDIATE` transaction that updates the job row and appends its
/// audit event, so the trail is exactly the jobs' history.
public final class QuillStore: Sendable {
    public let path: String
    let pool: DatabasePool
    let audit: AuditSettings
    let checkpointMark = CheckpointMark()

    /// Opens (creating if missing) the database at `path` and migrates it.
    public init(path: String, audit: AuditSettings = AuditSettings()) throws {
        self.path = path
        self.audit = audit
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        if fd < 0 { throw StoreError.cannotCreate(path: path, errno: errno) }
        close(fd)
        chmod(path, 0o600)
        var config = Configuration()
        config.busyMode = .timeout(Self.busySeconds)
        config.label = "quill"
        let key = audit.key
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            Self.installAuditKey(key, on: db)
        }
        pool = try Self.openPool(path: path, configuration: config, patience: Self.busySeconds)
        try migrate()
    }

    /// How long an open or a transaction waits for other runners before it gives up.
    static let busySeconds: Double = 30

    /// Opens the pool, trying again while another runner holds the file. The first opener of a
    /// new file switches it to WAL mode under an exclusive lock that SQLite takes without the busy
    /// handler (a deadlock guard), so an opener at that moment gets SQLITE_BUSY at once.
    private static func openPool(path: String, configuration: Configuration, patience: Double) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(patience)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.005 + Double.random(in: 0..<0.02))
            }
        }
    }

    /// Schema versions, applied in order; `PRAGMA user_version` counts those applied. Runs inside
    /// one `BEGIN IMMEDIATE` transaction, so runners starting together on a new file (several
    /// processes included) apply each version once.
    static let migrations: [String] = [v1, v2, v3]

    private func migrate() throws {
        try write { db in
            let applied = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
            guard applied < Self.migrations.count else { return }
            for sql in Self.migrations[applied...] { try db.execute(sql: sql) }
            try db.execute(sql: "PRAGMA user_version = \(Self.migrations.count)")
        }
    }

    static let v1 = """
                CREATE TABLE jobs (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    token TEXT NOT NULL UNIQUE,
                    owner TEXT NOT NULL,
                    state TEXT NOT NULL,
                    inbox_name TEXT NOT NULL,
                    claim_name TEXT NOT NULL,
                    archive_path TEXT UNIQUE,        -- reserved when the file is claimed
                    failed_name TEXT UNIQUE,
                    received_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    sha256 TEXT,
                    size INTEGER,
                    stems TEXT,              -- JSON array of strings
                    outputs TEXT,            -- JSON array of {name, sha256, bytes}
                    needs_review INTEGER,
                    review_reason TEXT,
                    duplicate_of INTEGER REFERENCES jobs(id),
                    earlier_outputs TEXT,    -- JSON array of strings
                    failed_step TEXT,
                    failure_reason TEXT
                );
                CREATE INDEX jobs_state ON jobs(state);
                CREATE INDEX jobs_sha256 ON jobs(sha256);
                -- Output stems are unique over the life of the state root, so no output is ever
                -- written twice under one name.
                CREATE TABLE stems (stem TEXT PRIMARY KEY, job_id INTEGER NOT NULL REFERENCES jobs(id));

                CREATE TABLE audit_events (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    time TEXT NOT NULL,
                    actor TEXT NOT NULL,
                    action TEXT NOT NULL,
                    job_id INTEGER,
                    details TEXT NOT NULL,   -- canonical JSON object
                    prev_hash TEXT NOT NULL,
                    hash TEXT NOT NULL
                );
                CREATE INDEX audit_events_job ON audit_events(job_id);
                CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
                    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
                CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
                    BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
                """

    /// Attempts and retries (`Attempts.swift`): how many runs of the content-reading steps began and
    /// how many ended with the process alive (the difference counts runs that took the process down),
    /// and the errors met with the time before which the job is not tried again.
    static let v2 = """
                ALTER TABLE jobs ADD COLUMN attempts_begun INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE jobs ADD COLUMN attempts_ended INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE jobs ADD COLUMN errors INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE jobs ADD COLUMN last_error_kind TEXT;
                ALTER TABLE jobs ADD COLUMN next_attempt_at REAL;
                """

    /// One write transaction taken immediately (so concurrent runners serialise here, not on upgrade).
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            checkpointIfDue(db)
            return result!
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    /// Writes the WAL back into the main file (used before the file is copied or edited by hand).
    public func checkpoint() throws {
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }
}
