import Foundation
import XCTest

/// `quill retrain` end to end on the demo model: corrections that add a drug the inputs never mention go in
/// by command, the candidate trained on them is refused by the gate, a promotion by hand swaps the serving
/// daemon to it before its next document, and a rollback restores the earlier outputs exactly.
final class RetrainCommandTests: XCTestCase {
    var folder = ""
    var state: String { folder + "/state" }
    let demo = QuillProcess.repo.appendingPathComponent("models/demo").path

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "quill-retrain-cli-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: state + "/inbox", withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

    private func quill(_ args: [String]) throws -> (status: Int32, out: String, err: String) {
        try QuillProcess.run(args)
    }

    private func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    private func written(_ stem: String) -> Bool {
        ["outbox", "review"].contains { FileManager.default.fileExists(atPath: state + "/\($0)/\(stem).discharge-summary.provenance.json") }
    }

    /// The provenance's adapter version of an output in outbox/ or review/ (`nil`: none, or not written yet).
    private func adapterVersion(ofOutput stem: String) -> String? {
        let name = "/\(stem).discharge-summary.provenance.json"
        let path = FileManager.default.fileExists(atPath: state + "/review" + name) ? state + "/review" + name : state + "/outbox" + name
        let object = (try? JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))) as? [String: Any]
        return object?["adapter_version"] as? String
    }

    private func waitFor(_ what: String, timeout: Double = 60, _ condition: () -> Bool) {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end { if condition() { return }; Thread.sleep(forTimeInterval: 0.1) }
        XCTFail("timed out waiting until \(what)")
    }

    func testACorrectionSetThatAddsUnsupportedFactsIsRefusedAndPromotionSwapsAndRollbackRestores() throws {
        let cfg = folder + "/quill.toml"
        try """
            [generation]
            max_new_tokens = 200
            [tasks]
            formats = ["text"]
            [model]
            adapter = "active"
            [watch]
            stability_seconds = 0.1
            [retraining]
            min_new_corrections = 5
            holdout_share = 0.3
            epochs = 3
            learning_rate = 2e-3
            targets = "all"
            rank = 8
            alpha = 16
            batch = 2
            accumulation = 1
            max_length = 512
            """.write(toFile: cfg, atomically: true, encoding: .utf8)
        let synth = folder + "/synth"
        XCTAssertEqual(try quill(["synth", "--task", "discharge", "--count", "16", "--seed", "3", "--format", "files", "--out", synth]).status, 0)
        let inputs = try FileManager.default.contentsOfDirectory(atPath: synth).filter { !$0.contains(".reference.") }.sorted()
        for name in inputs { try FileManager.default.copyItem(atPath: synth + "/" + name, toPath: state + "/inbox/" + name) }
        let processed = try quill(["process", "--state", state, "--config", cfg, "--model", demo])
        XCTAssertEqual(processed.status, 0, processed.err)

        // Every output in the outbox "corrected" with a drug and dose that no input mentions.
        let rows = try quill(["review", "list", "--state", state]).out.split(separator: "\n").dropFirst()
            .map { $0.split(separator: "\t").map(String.init) }.filter { $0[2] == "outbox" }
        XCTAssertGreaterThanOrEqual(rows.count, 10)
        for row in rows {
            let original = text(state + "/outbox/\(row[1]).txt")
            let bad = original.replacingOccurrences(of: "\nTreatment: ", with: "\nTreatment: Metformin 850 mg BD; ")
            let file = folder + "/\(row[1]).txt"
            try bad.write(toFile: file, atomically: true, encoding: .utf8)
            XCTAssertEqual(try quill(["review", "correct", row[0], "--state", state, "--file", file]).status, 0)
        }

        // kill -9 in the middle of training: nothing is promoted, no version is registered, and the next run
        // removes the half-written candidate and trains again from the start.
        let killedLog = folder + "/killed-retrain.log"
        let killed = try QuillProcess.start(["retrain", "--state", state, "--config", cfg, "--model", demo], log: killedLog)
        waitFor("training steps", timeout: 300) { text(killedLog).contains("step 10/") || !killed.isRunning }
        XCTAssertTrue(killed.isRunning, "the run ended before it could be killed: \(text(killedLog))")
        kill(killed.processIdentifier, SIGKILL)
        killed.waitUntilExit()
        XCTAssertTrue(FileManager.default.fileExists(atPath: state + "/adapters/.partial-v1/train.jsonl"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: state + "/adapters/v1"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: state + "/adapters/active"))
        XCTAssertEqual(try quill(["audit", "verify", "--state", state]).status, 0)

        let retrained = try quill(["retrain", "--state", state, "--config", cfg, "--model", demo])
        XCTAssertEqual(retrained.status, 0, retrained.err)
        XCTAssertTrue(retrained.err.contains("removed the unfinished candidate .partial-v1"), retrained.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: state + "/adapters/.partial-v1"))
        let result = try JSONSerialization.jsonObject(with: Data(retrained.out.utf8)) as? [String: Any] ?? [:]
        XCTAssertEqual(result["outcome"] as? String, "rejected", retrained.out)
        XCTAssertTrue((result["reason"] as? String ?? "").hasPrefix("more statements the inputs do not support"), retrained.out)
        let after = result["after"] as? [String: Any], before = result["before"] as? [String: Any]
        XCTAssertGreaterThan(after?["fact_findings"] as? Int ?? 0, before?["fact_findings"] as? Int ?? 0, retrained.out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: state + "/adapters/active"), "nothing was promoted")
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: state + "/adapters/v1/adapter.json"))) as? [String: Any]
        XCTAssertEqual(record?["status"] as? String, "rejected")
        for file in ["adapter_config.json", "adapter_model.safetensors", "train.jsonl", "holdout.jsonl", "loss-curve.svg"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: state + "/adapters/v1/" + file), file)
        }
        let again = try quill(["retrain", "--state", state, "--config", cfg, "--model", demo])
        XCTAssertTrue(again.out.contains("nothing to do"), "the same corrections do not train twice: \(again.out)")

        // The export for training elsewhere: the same examples, the configurations and the script.
        let exportFolder = folder + "/export"
        let exported = try quill(["retrain", "--export", exportFolder, "--state", state, "--config", cfg, "--model", demo])
        XCTAssertEqual(exported.status, 0, exported.err)
        for file in ["train.jsonl", "holdout.jsonl", "lora_config.json", "sft_config.json", "ds_zero3.json", "train_sft.py", "quill-export.json", "README.md"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: exportFolder + "/" + file), file)
        }
        XCTAssertEqual(text(exportFolder + "/holdout.jsonl"), text(state + "/adapters/v1/holdout.jsonl"), "the gate's held-out set, unchanged")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: exportFolder + "/quill-export.json"))) as? [String: Any]
        XCTAssertEqual((manifest?["trained_on"] as? [Int])?.count, text(exportFolder + "/train.jsonl").split(separator: "\n").count)
        let lora = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: exportFolder + "/lora_config.json"))) as? [String: Any]
        XCTAssertEqual(lora?["r"] as? Int, 8)
        XCTAssertNotEqual(try quill(["retrain", "--export", exportFolder, "--state", state, "--config", cfg, "--model", demo]).status, 0,
                       "an export never writes into a folder that holds one")
        // An adapter for another model is refused before anything is registered.
        let foreign = QuillProcess.repo.appendingPathComponent("models/adapters/qwen2.5-coder-0.5b-notes-v1").path
        let refused = try quill(["adapter", "import", foreign, "--state", state, "--config", cfg, "--model", demo])
        XCTAssertNotEqual(refused.status, 0, refused.out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: state + "/adapters/v2"))

        // The daemon serving; v1 promoted by hand, then rolled back, between documents.
        let daemon = try QuillProcess.start(["serve", "--state", state, "--config", cfg, "--model", demo], log: folder + "/serve.log")
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGTERM); daemon.waitUntilExit() } }
        // An input whose output went to the outbox, so that the rolled-back output can be compared with it.
        let stem = rows.map { String($0[1].dropLast(".discharge-summary".count)) }.first { inputs.contains($0 + ".txt") }!
        let sample = stem + ".txt"
        let before1 = text(state + "/outbox/\(stem).discharge-summary.txt")
        XCTAssertNil(adapterVersion(ofOutput: stem))

        XCTAssertEqual(try quill(["adapter", "promote", "v1", "--state", state, "--reason", "test override"]).status, 0)
        try (text(synth + "/" + sample) + "\n").write(toFile: state + "/inbox/promoted.txt", atomically: true, encoding: .utf8)
        waitFor("the promoted adapter's output") { written("promoted") }
        XCTAssertEqual(adapterVersion(ofOutput: "promoted"), "v1")

        // kill -9 of the daemon around a swap: v1 rolled back while three documents wait, the daemon killed
        // as it takes them up. The next start finishes every one exactly once; the trail verifies.
        let swapped = ["swap-1", "swap-2", "swap-3"]
        XCTAssertEqual(try quill(["adapter", "rollback", "--state", state]).status, 0)
        let notes = inputs.filter { $0.hasSuffix(".txt") }
        for (i, name) in swapped.enumerated() {
            try ("Swap case \(i + 1).\n" + text(synth + "/" + notes[i + 1])).write(toFile: state + "/inbox/\(name).txt", atomically: true, encoding: .utf8)
        }
        waitFor("the first document after the swap") { written("swap-1") || !daemon.isRunning }
        kill(daemon.processIdentifier, SIGKILL)
        daemon.waitUntilExit()
        let beforeRestart = Set(swapped.filter(written))
        XCTAssertEqual(try quill(["adapter", "promote", "v1", "--state", state, "--reason", "test override"]).status, 0)
        let finished = try quill(["process", "--state", state, "--config", cfg, "--model", demo])
        XCTAssertEqual(finished.status, 0, finished.err)
        for name in swapped {
            let outputs = ["outbox", "review", "failed"].flatMap { folder in
                ((try? FileManager.default.contentsOfDirectory(atPath: state + "/" + folder)) ?? []).filter { $0.hasPrefix(name + ".") && $0.hasSuffix(".txt") }
            }
            XCTAssertEqual(outputs.count, 1, "\(name): \(outputs)")
        }
        XCTAssertTrue(beforeRestart.contains("swap-1"))
        for name in swapped {
            // Each output names the adapter active when it was written: none before the kill, v1 after the restart.
            if beforeRestart.contains(name) { XCTAssertNil(adapterVersion(ofOutput: name), name) } else { XCTAssertEqual(adapterVersion(ofOutput: name), "v1", name) }
        }
        XCTAssertLessThan(beforeRestart.count, swapped.count, "the kill came before the daemon had written every document")
        XCTAssertEqual(try quill(["audit", "verify", "--state", state]).status, 0)
        let (restarted, _, _) = try QuillProcess.start(["serve", "--state", state, "--config", cfg, "--model", demo])
        defer { if restarted.isRunning { kill(restarted.processIdentifier, SIGTERM); restarted.waitUntilExit() } }

        let rolled = try quill(["adapter", "rollback", "--state", state])
        XCTAssertEqual(rolled.status, 0, rolled.err)
        try (text(synth + "/" + sample) + "\n\n").write(toFile: state + "/inbox/rolled-back.txt", atomically: true, encoding: .utf8)
        waitFor("the output after the rollback") { written("rolled-back") }
        XCTAssertNil(adapterVersion(ofOutput: "rolled-back"))
        XCTAssertEqual(text(state + "/outbox/rolled-back.discharge-summary.txt"), before1, "the rollback restores the outputs exactly")
        kill(restarted.processIdentifier, SIGTERM)
        restarted.waitUntilExit()

        let listed = try quill(["adapter", "list", "--state", state]).out
        XCTAssertTrue(listed.contains("v1\t-\tpromoted"), listed)
        let audit = try quill(["audit", "verify", "--state", state])
        XCTAssertEqual(audit.status, 0, audit.out)
        let events = try quill(["audit", "show", "--state", state]).out
        for action in ["adapter.trained", "adapter.promoted", "adapter.rolled_back"] { XCTAssertTrue(events.contains("\"\(action)\""), action) }
    }
}
