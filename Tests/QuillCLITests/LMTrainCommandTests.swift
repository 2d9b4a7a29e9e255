import Foundation
import XCTest

/// `quill lm train` end to end on the demo model: it learns a style the base does not have and shows it on
/// held-out inputs; it writes a PEFT folder, training-run.json, the loss curve and a checkpoint; `quill lm merge`
/// folds the adapter into a folder whose logits equal the unmerged adapter's; SIGTERM checkpoints and exits 0,
/// and `--resume` finishes the run.
final class LMTrainCommandTests: XCTestCase {
    let demo = QuillProcess.repo.appendingPathComponent("models/demo").path
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("quill-lm-train-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    func start(_ args: [String]) throws -> (Process, Pipe, Pipe) { try QuillProcess.start(args) }
    func run(_ args: [String]) throws -> (status: Int32, out: String, err: String) { try QuillProcess.run(args) }

    static let symptoms = ["cough", "fever", "headache", "back pain", "nausea", "rash", "dizziness", "sore throat", "chest pain",
                           "fatigue", "wheeze", "vomiting", "diarrhoea", "knee pain", "ear ache", "palpitations"]

    /// Prompts "Patient reports X for N days." and the style to learn: "NOTE: X, N days. END".
    func writeData(_ name: String, symptoms: ArraySlice<String>, days: ClosedRange<Int>) throws -> String {
        var lines: [String] = []
        for s in symptoms { for d in days {
            let object = ["prompt": "<｜begin▁of▁sentence｜>Patient reports \(s) for \(d) days.", "completion": " NOTE: \(s), \(d) days. END"]
            lines.append(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        } }
        let url = folder.appendingPathComponent(name)
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    func generate(_ prompt: String, adapter: String?) throws -> String {
        var args = ["lm", "generate", "--model", demo, "--quant", "f32", "--prompt", prompt, "--max-new-tokens", "6", "--greedy", "--threads", "2"]
        if let adapter { args += ["--adapter", adapter] }
        let r = try run(args)
        XCTAssertEqual(r.status, 0, r.err)
        return r.out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func testItLearnsAStyleOnHeldOutInputsAndWritesAPEFTFolderThatMergesToTheSameLogits() throws {
        let train = try writeData("train.jsonl", symptoms: Self.symptoms[0..<12], days: 2...15)
        let held = try writeData("val.jsonl", symptoms: Self.symptoms[0..<12], days: 16...17)
        let out = folder.appendingPathComponent("adapter").path
        let r = try run(["lm", "train", "--model", demo, "--quant", "f32", "--data", train, "--val", held, "--out", out,
                         "--targets", "all", "--rank", "8", "--alpha", "16", "--dropout", "0", "--lr", "3e-3", "--batch", "4",
                         "--warmup", "4", "--max-len", "48", "--threads", "2", "--seed", "1", "--epochs", "3"])
        XCTAssertEqual(r.status, 0, r.err)
        let progress = r.out.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        XCTAssertEqual(progress.filter { $0["step"] != nil }.count, 126, "one JSON line per step when not on a terminal")

        for file in ["adapter_config.json", "adapter_model.safetensors", "training-run.json", "loss-curve.svg", "checkpoint.bin"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(out)/\(file)"), file)
        }
        let config = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/adapter_config.json"))) as? [String: Any])
        XCTAssertEqual(config["peft_type"] as? String, "LORA")
        XCTAssertEqual(config["r"] as? Int, 8)
        XCTAssertEqual((config["target_modules"] as? [String])?.count, 7)
        let run = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/training-run.json"))) as? [String: Any])
        let steps = try XCTUnwrap(run["steps"] as? [[String: Any]])
        XCTAssertEqual(steps.count, 126)
        let first = try XCTUnwrap(steps.first?["loss"] as? Double), last = try XCTUnwrap(steps.last?["loss"] as? Double)
        XCTAssertLessThan(last, first / 3, "the loss falls")
        XCTAssertEqual((run["data"] as? [String: Any])?["sha256"] as? String, try sha256(train))
        XCTAssertNotNil(run["best_validation"])

        // Held-out symptoms and durations: the adapter writes the style, the base does not.
        var styled: [String] = [], base: [String] = []
        for s in Self.symptoms[12...] {
            let prompt = "Patient reports \(s) for 9 days."
            styled.append(try generate(prompt, adapter: out))
            base.append(try generate(prompt, adapter: nil))
        }
        XCTAssertEqual(base.filter { $0.hasPrefix("NOTE:") }.count, 0, "\(base)")
        XCTAssertGreaterThanOrEqual(styled.filter { $0.hasPrefix("NOTE:") }.count, 3, "the style shows on held-out inputs: \(styled)")

        // Merged into a folder: the same logits as the adapter applied unmerged.
        let merged = folder.appendingPathComponent("merged").path
        let m = try self.run(["lm", "merge", "--model", demo, "--adapter", out, "--out", merged])
        XCTAssertEqual(m.status, 0, m.err)
        func logits(_ args: [String]) throws -> [Double] {
            let r = try self.run(["lm", "logits", "--quant", "f32", "--input-ids", "7178,52,300,41", "--json", "--threads", "1"] + args)
            XCTAssertEqual(r.status, 0, r.err)
            let o = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
            return try XCTUnwrap(o["logits"] as? [Double] ?? o["last_logits"] as? [Double])
        }
        let a = try logits(["--model", demo, "--adapter", out]), b = try logits(["--model", merged])
        XCTAssertEqual(a.count, b.count)
        XCTAssertLessThan(zip(a, b).map { abs($0 - $1) }.max() ?? 1, 1e-3)
    }

    func testSIGTERMCheckpointsAndExitsZeroAndResumeFinishesTheRun() throws {
        let train = try writeData("train.jsonl", symptoms: Self.symptoms[0..<8], days: 2...9)
        let out = folder.appendingPathComponent("adapter").path
        let (p, stdout, stderr) = try start(["lm", "train", "--model", demo, "--quant", "f32", "--data", train, "--out", out,
                                             "--rank", "4", "--dropout", "0.1", "--max-len", "48", "--threads", "1", "--epochs", "3"])
        // Wait for the first step's line, then stop it.
        let handle = stdout.fileHandleForReading
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("\"step\"") {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        kill(p.processIdentifier, SIGTERM)
        _ = handle.readDataToEndOfFile()
        let e = stderr.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, String(decoding: e, as: UTF8.self))
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/training-run.json"))) as? [String: Any])
        XCTAssertEqual(report["outcome"] as? String, "interrupted")
        let done = try XCTUnwrap(report["steps_done"] as? Int), planned = try XCTUnwrap(report["steps_planned"] as? Int)
        XCTAssertLessThan(done, planned)

        let r = try run(["lm", "train", "--model", demo, "--quant", "f32", "--data", train, "--out", out, "--resume", out, "--threads", "1"])
        XCTAssertEqual(r.status, 0, r.err)
        let resumed = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/training-run.json"))) as? [String: Any])
        XCTAssertEqual(resumed["outcome"] as? String, "finished")
        XCTAssertEqual(resumed["steps_done"] as? Int, planned)
        XCTAssertEqual((resumed["steps"] as? [Any])?.count, planned)
    }

    func testBadDataIsAClearErrorNamingFileAndLine() throws {
        let url = folder.appendingPathComponent("bad.jsonl")
        try "{\"prompt\": \"a\", \"completion\": \"b\"}\n{\"prompt\": 3}\n".write(to: url, atomically: true, encoding: .utf8)
        let r = try run(["lm", "train", "--model", demo, "--data", url.path, "--out", folder.appendingPathComponent("x").path])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("\(url.path): line 2:"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("x").path), "nothing written")
    }

    func sha256(_ path: String) throws -> String {
        let r = Process()
        r.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        r.arguments = [path]
        let out = Pipe()
        r.standardOutput = out
        try r.run()
        let d = out.fileHandleForReading.readDataToEndOfFile()
        r.waitUntilExit()
        return String(String(decoding: d, as: UTF8.self).prefix(64))
    }
}
