import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The safetensors weights of a Hugging Face model folder: `model.safetensors`, or the shards named by
/// `model.safetensors.index.json` (names are read from the index, never made up: shard names vary).
package final class WeightStore: @unchecked Sendable {
    package let folder: URL
    private var files: [String: SafetensorsFile] = [:]
    private var location: [String: String] = [:]
    /// The file a missing tensor is reported against: the index when there is one.
    private let describedAs: String

    package init(folder: URL) throws {
        self.folder = folder
        let index = folder.appendingPathComponent("model.safetensors.index.json")
        if FileManager.default.fileExists(atPath: index.path) {
            describedAs = index.path
            guard let data = try? Data(contentsOf: index),
                  let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ModelLoadError.malformedConfig(file: index.path, key: "(file)", reason: "not a JSON object")
            }
            guard let map = json["weight_map"] as? [String: String] else {
                throw ModelLoadError.malformedConfig(file: index.path, key: "weight_map", reason: "missing or not an object of strings")
            }
            for shard in Set(map.values) {
                guard !shard.contains("/"), !shard.hasPrefix(".") else {
                    throw ModelLoadError.malformedConfig(file: index.path, key: "weight_map", reason: "shard name '\(shard)' leaves the model folder")
                }
                files[shard] = try SafetensorsFile(path: folder.appendingPathComponent(shard).path)
            }
            location = map
        } else {
            let single = folder.appendingPathComponent("model.safetensors")
            describedAs = single.path
            guard FileManager.default.fileExists(atPath: single.path) else {
                throw ModelLoadError.unreadable(file: folder.path, reason: "no model.safetensors or model.safetensors.index.json in the folder")
            }
            let file = try SafetensorsFile(path: single.path)
            files["model.safetensors"] = file
            for name in file.tensors.keys { location[name] = "model.safetensors" }
        }
    }

    package func contains(_ name: String) -> Bool { lookup(name) != nil }

    private func lookup(_ name: String) -> (SafetensorsFile, SafetensorInfo)? {
        guard let shard = location[name], let file = files[shard], let info = file.tensors[name] else { return nil }
        return (file, info)
    }

    /// The tensor `name`, checked to have `shape`.
    package func tensor(_ name: String, shape: [Int]) throws -> (SafetensorsFile, SafetensorInfo) {
        guard let (file, info) = lookup(name) else {
            throw ModelLoadError.missingTensor(file: location[name].map { folder.appendingPathComponent($0).path } ?? describedAs, tensor: name)
        }
        guard info.shape == shape else { throw ModelLoadError.wrongShape(file: file.file.path, tensor: name, expected: shape, found: info.shape) }
        guard ["F32", "F16", "BF16"].contains(info.dtype) else {
            throw ModelLoadError.unsupportedDType(file: file.file.path, tensor: name, dtype: info.dtype)
        }
        return (file, info)
    }

    /// A small tensor (norm weights, biases) as floats.
    package func floats(_ name: String, shape: [Int]) throws -> [Float] {
        let (file, info) = try tensor(name, shape: shape)
        var out = [Float](repeating: 0, count: info.elementCount)
        try out.withUnsafeMutableBufferPointer { try file.readFloats(info, into: $0.baseAddress!) }
        return out
    }

    /// A 2-D weight [rows, columns] held in `format`. F32 files used as f32 are not copied; everything else
    /// is converted one row at a time, and the file's pages are released as it goes.
    package func matrix(_ name: String, rows: Int, columns: Int, format: WeightFormat) throws -> WeightMatrix {
        let (file, info) = try tensor(name, shape: [rows, columns])
        if format == .f32, info.dtype == "F32", info.offset % 4 == 0 {
            return WeightMatrix(rows: rows, columns: columns, format: .f32, bytes: file.bytes(of: info), owner: file)
        }
        if columns % format.blockValues != 0 {
            throw ModelLoadError.unsupported(file: file.file.path, reason: "tensor '\(name)' has \(columns) columns, not a multiple of \(format.blockValues), so it cannot be held as \(format.rawValue)")
        }
        let rowBytes = format.rowBytes(columns: columns)
        let storage = Self.allocateWeights(byteCount: max(1, rows * rowBytes))
        let elementSize = info.byteCount / max(1, info.elementCount)
        // Converting is CPU work (widening, scaling, rounding): rows are shared out over the cores, and the
        // file's pages are released behind each share as it goes.
        let shares = max(1, min(ProcessInfo.processInfo.activeProcessorCount, rows / 256))
        var failure: Error?
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: shares) { share in
            let range = ThreadPool.range(of: share, shares: shares, count: rows)
            let row = UnsafeMutablePointer<Float>.allocate(capacity: columns)
            defer { row.deallocate() }
            do {
                for r in range {
                    try file.readFloats(info, start: r * columns, count: columns, into: row)
                    BlockQuantization.quantize(row, count: columns, format: format, into: storage + r * rowBytes)
                    if (r - range.lowerBound) % 256 == 255 {
                        file.file.release(offset: info.offset + (r - 255) * columns * elementSize, count: 256 * columns * elementSize)
                    }
                }
            } catch {
                lock.lock(); failure = error; lock.unlock()
            }
        }
        if let failure { storage.deallocate(); throw failure }
        file.file.release(offset: info.offset, count: info.byteCount)
        return WeightMatrix(rows: rows, columns: columns, format: format, bytes: storage, owner: OwnedBytes(storage))
    }
}

extension WeightStore {
    /// Weight memory: large matrices are aligned to 2 MiB and offered to the kernel as transparent huge pages,
    /// so streaming them for every token does not walk a TLB entry per 4 KiB page.
    static func allocateWeights(byteCount: Int) -> UnsafeMutableRawPointer {
        let huge = 2 << 20
        guard byteCount >= 2 * huge else { return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64) }
        let p = UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: huge)
        #if os(Linux)
        // Whole huge pages only: the tail stays in small pages, so resident memory is the weights' own size.
        madvise(p, byteCount / huge * huge, Int32(MADV_HUGEPAGE))
        #endif
        return p
    }
}

/// Frees bytes that a `WeightMatrix` borrows when the matrix goes away.
final class OwnedBytes {
    let pointer: UnsafeMutableRawPointer
    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
    deinit { pointer.deallocate() }
}
