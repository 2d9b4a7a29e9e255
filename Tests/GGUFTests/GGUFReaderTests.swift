import Foundation
import GGUF
import Tensors
import XCTest

/// The files of tools/fixtures/make_gguf_fixtures.py: good ones written by the `gguf` package, broken ones crafted.
final class GGUFReaderTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    func path(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    func testReadsEveryMetadataTypeAndTensorOfAVersion3File() throws {
        try checkGood(GGUFFile(path: path("good-v3.gguf")), version: 3)
    }

    func testReadsVersion2() throws {
        try checkGood(GGUFFile(path: path("good-v2.gguf")), version: 2)
    }

    func checkGood(_ f: GGUFFile, version: UInt32) throws {
        XCTAssertEqual(f.version, version)
        XCTAssertEqual(try f.string("general.architecture"), "llama")
        XCTAssertEqual(f.value("test.u8"), .uint8(200))
        XCTAssertEqual(f.value("test.i8"), .int8(-100))
        XCTAssertEqual(f.value("test.u16"), .uint16(60000))
        XCTAssertEqual(f.value("test.i16"), .int16(-30000))
        XCTAssertEqual(f.value("test.u32"), .uint32(4_000_000_000))
        XCTAssertEqual(f.value("test.i32"), .int32(-2_000_000_000))
        XCTAssertEqual(f.value("test.f32"), .float32(0.5))
        XCTAssertEqual(f.value("test.bool"), .bool(true))
        XCTAssertEqual(try f.string("test.string"), "héllo ▁world")
        XCTAssertEqual(f.value("test.u64"), .uint64(1 << 40))
        XCTAssertEqual(try f.integer("test.i64"), -(1 << 40))
        XCTAssertEqual(f.value("test.f64"), .float64(1e-6))
        XCTAssertEqual(try f.strings("test.strings"), ["a", "", "ü b"])
        XCTAssertEqual(try f.integers("test.ints"), [1, 2, 3])
        XCTAssertEqual(try f.numbers("test.floats"), [0.25, -1.5])
        XCTAssertEqual(f.alignment, 32)
        XCTAssertEqual(f.dataOffset % 32, 0)
        XCTAssertThrowsError(try f.integer("test.string")) { error in
            XCTAssertTrue("\(error)".contains("key 'test.string'"), "\(error)")
        }

        XCTAssertEqual(f.tensors.map(\.name), ["dense", "q8", "half"])
        let dense = try XCTUnwrap(f.tensor("dense"))
        XCTAssertEqual(dense.dimensions, [4, 3]); XCTAssertEqual(dense.type, .f32)
        XCTAssertEqual(dense.rows, 3); XCTAssertEqual(dense.columns, 4)
        let values = f.bytes(of: dense).withMemoryRebound(to: Float.self) { Array($0) }
        XCTAssertEqual(values, (0..<12).map { Float($0 - 6) })

        let q8 = try XCTUnwrap(f.tensor("q8"))
        XCTAssertEqual(q8.dimensions, [64, 2]); XCTAssertEqual(q8.type, .q8_0); XCTAssertEqual(q8.byteCount, 2 * 2 * 34)
        // Zero copy: the bytes are the map itself, at the offset the file gives.
        let raw = try Data(contentsOf: URL(fileURLWithPath: f.path))
        XCTAssertEqual(Data(f.bytes(of: q8)), raw[q8.fileOffset..<(q8.fileOffset + q8.byteCount)])
        let expected = try String(contentsOfFile: path("good-v3.gguf.q8.txt"), encoding: .utf8)
            .split(separator: " ").map { Float(String($0).trimmingCharacters(in: .whitespacesAndNewlines))! }
        var out = [Float](repeating: 0, count: 128)
        let bytes = f.bytes(of: q8).baseAddress!
        out.withUnsafeMutableBufferPointer { o in
            for r in 0..<2 { BlockQuantization.dequantize(bytes + r * 68, count: 64, format: .q8_0, into: o.baseAddress! + r * 64) }
        }
        XCTAssertEqual(out, expected)

        let half = try XCTUnwrap(f.tensor("half"))
        XCTAssertEqual(half.type, .f16); XCTAssertEqual(half.dimensions, [3]); XCTAssertEqual(half.byteCount, 6)
    }

    /// Each broken file is refused with an error naming the file and what is wrong where.
    func testRefusesBrokenFilesNamingThePlace() {
        let cases: [(String, [String])] = [
            ("truncated.gguf", ["tensor 'half'", "past the end"]),
            ("truncated-header.gguf", ["byte ", "truncated"]),
            ("bad-magic.gguf", ["byte 0", "magic"]),
            ("version-1.gguf", ["byte 4", "version 1"]),
            ("huge-tensor-count.gguf", ["byte 8", "tensor count is 1152921504606846976"]),
            ("huge-array-count.gguf", ["element count of key 'a'", "2305843009213693952"]),
            ("huge-string-length.gguf", ["length of the value of key 'a'"]),
            ("huge-dimensions.gguf", ["tensor 't'", "dimension"]),
            ("misaligned.gguf", ["tensor 't'", "not a multiple of the alignment 32"]),
            ("overlapping.gguf", ["tensor 'b'", "overlaps tensor 'a'"]),
            ("past-the-end.gguf", ["tensor 't'", "past the end"]),
            ("partial-block.gguf", ["tensor 't'", "33 values per row"]),
            ("unknown-type.gguf", ["tensor 't'", "type code 99"]),
            ("duplicate-key.gguf", ["key 'k'", "twice"]),
            ("bad-alignment.gguf", ["key 'general.alignment'", "power of two"]),
            ("duplicate-tensor.gguf", ["tensor 't'", "second tensor"]),
        ]
        for (name, fragments) in cases {
            XCTAssertThrowsError(try GGUFFile(path: path(name)), name) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix(path(name) + ": "), "\(name): \(text)")
                for fragment in fragments { XCTAssertTrue(text.contains(fragment), "\(name): '\(fragment)' not in: \(text)") }
            }
        }
    }

    /// Every prefix of a good file is refused cleanly (no trap, no read past the end).
    func testEveryTruncationIsRefused() throws {
        let raw = try Data(contentsOf: URL(fileURLWithPath: path("good-v3.gguf")))
        // Past the last tensor's bytes only alignment padding follows, which a file may lack.
        let end = try GGUFFile(path: path("good-v3.gguf")).tensors.map { $0.fileOffset + $0.byteCount }.max()!
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gguf-prefix-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("prefix.gguf")
        for length in Array(stride(from: 1, to: end, by: 7)) + [end - 1] {
            try raw.prefix(length).write(to: file)
            XCTAssertThrowsError(try GGUFFile(path: file.path), "prefix of \(length) bytes")
        }
    }
}
