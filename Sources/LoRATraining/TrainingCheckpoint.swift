import Foundation

/// A run's whole state in one file, `checkpoint.bin`: the LoRA pairs, AdamW's moments and step, the position in
/// the data, the history and the best pairs so far. Written to a temporary name, flushed and renamed, so a
/// crash leaves the previous checkpoint or the new one, never half of one. Layout: "QLORACK1", a little-endian
/// UInt64 header length, the JSON header, then the tensors' f32 values in the header's order.
public enum TrainingCheckpoint {
    public static let fileName = "checkpoint.bin"
    static let magic = Array("QLORACK1".utf8)

    struct Header: Codable {
        var settings: TrainingSettings
        var dataSHA256: String
        var position: TrainingPosition
        var history: TrainingHistory
        var optimizerStep: Int
        var tensorCounts: [Int]
        var bestCounts: [Int]?
    }

    public static func write(_ trainer: Trainer, to folder: URL) throws {
        let url = folder.appendingPathComponent(fileName)
        let tensors = trainer.tensors, best = trainer.bestTensors
        let header = Header(settings: trainer.settings, dataSHA256: trainer.data.sha256, position: trainer.position,
                            history: trainer.history, optimizerStep: trainer.optimizerStep,
                            tensorCounts: tensors.map(\.count), bestCounts: best?.map(\.count))
        let json = try JSONEncoder().encode(header)
        var bytes = Data(magic)
        var length = UInt64(json.count).littleEndian
        bytes.append(Data(bytes: &length, count: 8))
        bytes.append(json)
        for t in tensors { bytes.append(Data(bytes: t.p, count: t.count * 4)) }
        for b in best ?? [] { b.withUnsafeBytes { bytes.append(contentsOf: $0) } }
        try AtomicFile.write(bytes, to: url)
    }

    /// Restores `trainer` (made with the same settings and data) to the checkpoint in `folder`.
    public static func restore(_ trainer: Trainer, from folder: URL) throws {
        let url = folder.appendingPathComponent(fileName)
        func bad(_ reason: String) -> TrainingError { .badCheckpoint(file: url.path, reason: reason) }
        guard let data = FileManager.default.contents(atPath: url.path) else { throw bad("cannot be read") }
        guard data.count >= 16, Array(data.prefix(8)) == magic else { throw bad("not a Quill training checkpoint") }
        let length = data.subdata(in: 8..<16).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian
        guard length < UInt64(data.count - 16) + 1 else { throw bad("header length \(length) runs past the end of the file") }
        let headerEnd = 16 + Int(length)
        guard let header = try? JSONDecoder().decode(Header.self, from: data.subdata(in: 16..<headerEnd)) else {
            throw bad("the header is not valid JSON of a checkpoint")
        }
        guard header.settings == trainer.settings else {
            throw bad("it was written with other settings; resume with the settings of the run it belongs to (see training-run.json)")
        }
        guard header.dataSHA256 == trainer.data.sha256 else { throw bad("it was written for other training data (SHA-256 differs)") }
        let tensors = trainer.tensors
        guard header.tensorCounts == tensors.map(\.count) else { throw bad("its tensors do not fit this model and adapter shape") }
        let total = (header.tensorCounts.reduce(0, +) + (header.bestCounts?.reduce(0, +) ?? 0)) * 4
        guard data.count == headerEnd + total else { throw bad("holds \(data.count - headerEnd) bytes of tensors, expected \(total)") }
        var offset = headerEnd
        data.withUnsafeBytes { raw in
            for t in tensors {
                memcpy(t.p, raw.baseAddress! + offset, t.count * 4); offset += t.count * 4
            }
        }
        var best: [[Float]]?
        if let counts = header.bestCounts {
            best = counts.map { n in
                var values = [Float](repeating: 0, count: n)
                data.withUnsafeBytes { raw in values.withUnsafeMutableBytes { _ = memcpy($0.baseAddress!, raw.baseAddress! + offset, n * 4) } }
                offset += n * 4
                return values
            }
        }
        trainer.restore(position: header.position, history: header.history, optimizerStep: header.optimizerStep, best: best)
    }
}

/// Files written whole or not at all: a temporary name beside the target, flushed, then renamed over it.
enum AtomicFile {
    static func write(_ data: Data, to url: URL) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil), let handle = FileHandle(forWritingAtPath: temporary.path) else {
            throw TrainingError.cannotWrite(file: url.path, reason: "cannot create \(temporary.lastPathComponent)")
        }
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw TrainingError.cannotWrite(file: url.path, reason: "\(error)")
        }
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw TrainingError.cannotWrite(file: url.path, reason: reason)
        }
    }
}

extension TrainingCheckpoint {
    /// The settings a checkpoint was written with (a resumed run uses them).
    public static func settings(in folder: URL) throws -> TrainingSettings {
        let url = folder.appendingPathComponent(fileName)
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw TrainingError.badCheckpoint(file: url.path, reason: "cannot be read")
        }
        defer { try? handle.close() }
        let head = handle.readData(ofLength: 16)
        guard head.count == 16, Array(head.prefix(8)) == magic else { throw TrainingError.badCheckpoint(file: url.path, reason: "not a Quill training checkpoint") }
        let length = head.subdata(in: 8..<16).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian
        guard length < 1 << 30 else { throw TrainingError.badCheckpoint(file: url.path, reason: "header length \(length) is not plausible") }
        let json = handle.readData(ofLength: Int(length))
        guard let header = try? JSONDecoder().decode(Header.self, from: json) else {
            throw TrainingError.badCheckpoint(file: url.path, reason: "the header is not valid JSON of a checkpoint")
        }
        return header.settings
    }
}
