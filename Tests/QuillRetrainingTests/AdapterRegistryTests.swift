import Foundation
import QuillDaemon
import QuillStore
import XCTest
@testable import QuillRetraining

/// Versions, the `active` pointer, promotion and rollback, each rollback target read from the audit trail.
final class AdapterRegistryTests: XCTestCase {
    var root: StateRoot!
    var store: QuillStore!

    override func setUpWithError() throws {
        var config = QuillConfig()
        config.paths.state = NSTemporaryDirectory() + "quill-registry-\(UUID().uuidString.prefix(8))"
        root = StateRoot(config: config)
        store = try root.openStore()
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: root.root) }

    private func metrics(_ rouge: Double) -> GateMetrics {
        GateMetrics(loss: 1, rougeL: rouge, factFindings: 0, sectionsMissing: 0, documents: 3)
    }

    private func register(_ registry: AdapterRegistry, _ version: String, status: AdapterRecord.Status) throws {
        let folder = registry.folder + "/" + version
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try registry.write(AdapterRecord(version: version, parent: nil, created: "2026-01-01T00:00:00Z", baseModel: "demo",
                                         trainedOn: [1, 2], heldOut: [3], trainSHA256: "a", holdoutSHA256: "b",
                                         before: metrics(0.4), after: metrics(0.5), status: status, reason: "test",
                                         trainingSeconds: 1, steps: 2), in: folder)
    }

    func testPromotionsAndRollbacksFollowTheAuditTrail() throws {
        let registry = AdapterRegistry(root: root, store: store)
        XCTAssertEqual(registry.nextVersion(), "v1")
        try register(registry, "v1", status: .rejected)
        try register(registry, "v2", status: .rejected)
        try FileManager.default.createDirectory(atPath: registry.folder + "/.partial-v3", withIntermediateDirectories: true)
        XCTAssertEqual(registry.nextVersion(), "v4", "a folder still being written keeps its number")
        XCTAssertEqual(try registry.versions().map(\.version), ["v1", "v2"], "only complete versions are listed")
        XCTAssertThrowsError(try registry.rollback(actor: "t")) { XCTAssertEqual($0 as? RegistryError, .nothingToRollBack) }

        try registry.promote("v1", actor: "dr.a", reason: "gate")
        try registry.promote("v2", actor: "dr.a", reason: "gate")
        XCTAssertEqual(registry.active(), "v2")
        XCTAssertEqual(try registry.record("v2").status, .promoted)
        XCTAssertThrowsError(try registry.promote("v2", actor: "dr.a", reason: "again")) { XCTAssertEqual($0 as? RegistryError, .alreadyActive("v2")) }
        XCTAssertThrowsError(try registry.promote("v9", actor: "dr.a", reason: "x")) { XCTAssertEqual($0 as? RegistryError, .noSuchVersion("v9")) }

        XCTAssertEqual(try registry.rollback(actor: "ops"), "v1")
        XCTAssertEqual(registry.active(), "v1")
        XCTAssertEqual(try registry.rollback(actor: "ops"), nil, "before v1 nothing was active")
        XCTAssertNil(registry.active())
        XCTAssertFalse(FileManager.default.fileExists(atPath: registry.folder + "/active"))

        let events = try store.auditEvents().filter { $0.action.hasPrefix("adapter.") }
        XCTAssertEqual(events.map(\.action), ["adapter.promoted", "adapter.promoted", "adapter.rolled_back", "adapter.rolled_back"])
        XCTAssertTrue(events[0].details.contains("\"gate_overridden\":true"), "v1 was rejected: promoting it is an override, on record")
        XCTAssertTrue(events[1].details.contains("\"previous\":\"v1\""))
        guard case .intact = try store.verifyAudit() else { return XCTFail("audit chain broken") }
    }

    func testAnEditedAdapterJSONIsNamedWhenUnreadable() throws {
        let registry = AdapterRegistry(root: root, store: store)
        try FileManager.default.createDirectory(atPath: registry.folder + "/v1", withIntermediateDirectories: true)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: registry.folder + "/v1/adapter.json"))
        XCTAssertThrowsError(try registry.versions()) { error in
            guard case .unreadableRecord(let path, _)? = error as? RegistryError else { return XCTFail("\(error)") }
            XCTAssertTrue(path.hasSuffix("adapters/v1/adapter.json"))
        }
    }
}

/// The gate's rule, and the held-out split's stability.
final class RetrainingGateRuleTests: XCTestCase {
    func metrics(loss: Double = 1, rouge: Double, findings: Int = 0, missing: Int = 0) -> GateMetrics {
        GateMetrics(loss: loss, rougeL: rouge, factFindings: findings, sectionsMissing: missing, documents: 5)
    }

    func testPromotesOnlyWhenBetterByTheMarginAndNoLessFaithful() {
        let before = metrics(rouge: 0.40, findings: 2, missing: 1)
        XCTAssertTrue(RetrainingGate.decide(before: before, after: metrics(loss: 0.9, rouge: 0.42, findings: 2, missing: 1), margin: 0.01).promote)
        XCTAssertFalse(RetrainingGate.decide(before: before, after: metrics(loss: 0.9, rouge: 0.405, findings: 2, missing: 1), margin: 0.01).promote)
        let unfaithful = RetrainingGate.decide(before: before, after: metrics(loss: 0.5, rouge: 0.60, findings: 3, missing: 0), margin: 0.01)
        XCTAssertFalse(unfaithful.promote, "a better score with one more unsupported statement is refused")
        XCTAssertTrue(unfaithful.reason.hasPrefix("more statements the inputs do not support"), unfaithful.reason)
        XCTAssertFalse(RetrainingGate.decide(before: before, after: metrics(loss: 0.9, rouge: 0.60, findings: 2, missing: 2), margin: 0.01).promote)
        XCTAssertFalse(RetrainingGate.decide(before: before, after: metrics(loss: 1.1, rouge: 0.60, findings: 2, missing: 1), margin: 0.01).promote)
    }

    func testTheHeldOutShareIsStableAndNearItsSetting() {
        let picks = (1...2000).map { CorrectionExamples.isHeldOut(jobID: Int64($0), document: "n\($0).soap-note", share: 0.2) }
        XCTAssertEqual(picks, (1...2000).map { CorrectionExamples.isHeldOut(jobID: Int64($0), document: "n\($0).soap-note", share: 0.2) })
        let share = Double(picks.filter { $0 }.count) / 2000
        XCTAssertEqual(share, 0.2, accuracy: 0.03)
        XCTAssertTrue((1...200).allSatisfy { !CorrectionExamples.isHeldOut(jobID: Int64($0), document: "d", share: 0) })
    }
}
