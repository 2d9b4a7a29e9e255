import Foundation
import GGUF
import Tensors
import XCTest

/// The writer against the reader and against gguf-py: a file gguf-py wrote is rewritten byte for byte from what the
/// reader got out of it; every value type reads back as written; a failed write leaves no file behind.
final class GGUFWriterTests: XCTestCase {
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-writer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// gguf-py's good-v3.gguf (tools/fixtures/make_gguf_fixtures.py), read and written again: the same bytes.
    func testRewritesAFileOfGGUFPyByteForByte() throws {
        let original = GGUFReaderTests.fixtures.appendingPathComponent("good-v3.gguf").path
        let file = try GGUFFile(path: original)
        var writer = GGUFWriter()
        writer.metadata = file.metadata
        for t in file.tensors {
            let bytes = Array(file.bytes(of: t))
            writer.add(GGUFTensorToWrite(name: t.name, dimensions: t.dimensions, type: t.type) { bytes })
        }
        let out = folder.appendingPathComponent("copy.gguf").path
        try writer.write(to: out)
        let a = try Data(contentsOf: URL(fileURLWithPath: original)), b = try Data(contentsOf: URL(fileURLWithPath: out))
        XCTAssertEqual(a.count, b.count)
        XCTAssertEqual(a, b, "first difference at byte \(zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? -1)")
    }

    func testEveryValueTypeReadsBack() throws {
        let values: [(String, GGUFValue)] = [
            ("general.architecture", .string("llama")),
            ("t.u8", .uint8(250)), ("t.i8", .int8(-120)), ("t.u16", .uint16(65000)), ("t.i16", .int16(-32000)),
            ("t.u32", .uint32(4_000_000_001)), ("t.i32", .int32(-2_000_000_001)), ("t.f32", .float32(-0.375)),
            ("t.bool", .bool(false)), ("t.bool2", .bool(true)), ("t.string", .string("héllo ▁wörld")), ("t.empty", .string("")),
            ("t.u64", .uint64(UInt64.max)), ("t.i64", .int64(Int64.min)), ("t.f64", .float64(1e-300)),
            ("t.strings", .array(.string, [.string("a b"), .string(""), .string("<|im_end|>")])),
            ("t.i32s", .array(.int32, [.int32(1), .int32(-2)])), ("t.f32s", .array(.float32, [.float32(0.5)])),
            ("t.nothing", .array(.uint8, [])),
            ("t.nested", .array(.array, [.array(.uint16, [.uint16(7)]), .array(.uint16, [])])),
            ("general.alignment", .uint32(64)),
        ]
        var writer = GGUFWriter()
        for (k, v) in values { writer.add(k, v) }
        let dense = (0..<96).map { Float($0) * 0.25 - 3 }
        writer.add(GGUFTensorToWrite(name: "dense", dimensions: [32, 3], type: .f32) { dense.withUnsafeBytes { Array($0) } })
        var q8 = [UInt8](repeating: 0, count: 2 * 34)
        q8.withUnsafeMutableBytes { out in dense.withUnsafeBufferPointer { BlockQuantization.quantize($0.baseAddress!, count: 64, format: .q8_0, into: out.baseAddress!) } }
        writer.add(GGUFTensorToWrite(name: "q8", dimensions: [64], type: .q8_0) { q8 })
        writer.add(GGUFTensorToWrite(name: "one", dimensions: [1, 1, 1, 1], type: .f32) { [0, 0, 128, 63] })
        let path = folder.appendingPathComponent("all.gguf").path
        try writer.write(to: path)

        let f = try GGUFFile(path: path)
        XCTAssertEqual(f.version, 3)
        XCTAssertEqual(f.metadata.map(\.key), values.map(\.0))
        for ((k, v), (k2, read)) in zip(values, f.metadata) {
            XCTAssertEqual(k, k2)
            if case let .float64(x) = v { XCTAssertEqual(read, .float64(x)) } else { XCTAssertEqual(read, v, k) }
        }
        XCTAssertEqual(f.alignment, 64)
        XCTAssertEqual(f.dataOffset % 64, 0)
        XCTAssertEqual(f.tensors.map(\.name), ["dense", "q8", "one"])
        XCTAssertEqual(f.tensors.map(\.dimensions), [[32, 3], [64], [1, 1, 1, 1]])
        XCTAssertEqual(f.tensors.map(\.type), [.f32, .q8_0, .f32])
        for t in f.tensors { XCTAssertEqual((t.fileOffset - f.dataOffset) % 64, 0, t.name) }
        XCTAssertEqual(Array(f.bytes(of: f.tensor("dense")!)), dense.withUnsafeBytes { Array($0) })
        XCTAssertEqual(Array(f.bytes(of: f.tensor("q8")!)), q8)
        XCTAssertEqual(f.bytes(of: f.tensor("one")!).load(as: Float.self), 1)
    }

    func testAFailedWriteLeavesNoFileAndKeepsTheOldOne() throws {
        let path = folder.appendingPathComponent("model.gguf").path
        try Data("old".utf8).write(to: URL(fileURLWithPath: path))
        struct Broken: Error {}
        var writer = GGUFWriter()
        writer.add("general.architecture", .string("llama"))
        writer.add(GGUFTensorToWrite(name: "a", dimensions: [4], type: .f32) { [UInt8](repeating: 0, count: 16) })
        writer.add(GGUFTensorToWrite(name: "b", dimensions: [4], type: .f32) { throw Broken() })
        XCTAssertThrowsError(try writer.write(to: path)) { XCTAssertTrue($0 is Broken, "\($0)") }
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "old")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["model.gguf"])

        // A tensor whose bytes do not match its shape is named, and nothing is written either.
        var short = GGUFWriter()
        short.add(GGUFTensorToWrite(name: "blk.0.attn_q.weight", dimensions: [4, 2], type: .f32) { [0] })
        let other = folder.appendingPathComponent("other.gguf").path
        XCTAssertThrowsError(try short.write(to: other)) { error in
            XCTAssertTrue("\(error)".contains(other) && "\(error)".contains("blk.0.attn_q.weight"), "\(error)")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: other))
    }

    func testRefusesWhatTheReaderWouldRefuse() {
        let path = folder.appendingPathComponent("bad.gguf").path
        var duplicate = GGUFWriter()
        duplicate.add("k", .uint8(1)); duplicate.add("k", .uint8(2))
        XCTAssertThrowsError(try duplicate.write(to: path)) { XCTAssertTrue("\($0)".contains("key 'k'"), "\($0)") }
        var mixed = GGUFWriter()
        mixed.add("a", .array(.int32, [.int32(1), .uint8(2)]))
        XCTAssertThrowsError(try mixed.write(to: path)) { XCTAssertTrue("\($0)".contains("key 'a'"), "\($0)") }
        var partial = GGUFWriter()
        partial.add(GGUFTensorToWrite(name: "w", dimensions: [33], type: .q8_0) { [] })
        XCTAssertThrowsError(try partial.write(to: path)) { XCTAssertTrue("\($0)".contains("tensor 'w'"), "\($0)") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }
}
