import Foundation

/// One tensor's entry in a safetensors header.
package struct SafetensorInfo: Sendable {
    package let name: String
    package let dtype: String
    package let shape: [Int]
    /// Byte range inside the file (header already accounted for).
    package let offset: Int
    package let byteCount: Int

    package var elementCount: Int { shape.reduce(1, *) }
}

/// A memory-mapped `.safetensors` file: u64 little-endian header length, a JSON header, then the data.
/// Every offset and size is checked against the file before anything is read.
package final class SafetensorsFile: @unchecked Sendable {
    package let file: MappedFile
    package let tensors: [String: SafetensorInfo]
    /// The header's `__metadata__` (PEFT and transformers write `{"format": "pt"}`).
    package let metadata: [String: String]

    /// The largest header accepted: real headers are kilobytes to a few megabytes.
    static let maximumHeaderBytes = 100 << 20
    static let dtypeSizes: [String: Int] = ["F32": 4, "F16": 2, "BF16": 2, "F64": 8, "I64": 8, "I32": 4, "I16": 2,
                                            "I8": 1, "U8": 1, "BOOL": 1, "U16": 2, "U32": 4, "U64": 8,
                                            "F8_E4M3": 1, "F8_E5M2": 1]

    package convenience init(path: String) throws {
        try self.init(file: MappedFile(path: path))
    }

    package init(file: MappedFile) throws {
        self.file = file
        let path = file.path
        func bad(_ reason: String) -> ModelLoadError { .malformedSafetensors(file: path, reason: reason) }
        guard file.size >= 8 else { throw bad("shorter than its 8-byte header length") }
        // Compared as the file's own u64 before becoming an Int: a length above Int.max must not wrap.
        let declaredLength = UInt64(littleEndian: file.base.loadUnaligned(as: UInt64.self))
        guard declaredLength >= 2, declaredLength <= UInt64(Self.maximumHeaderBytes) else {
            throw bad("header length \(declaredLength) is outside 2...\(Self.maximumHeaderBytes) bytes")
        }
        let headerLength = Int(declaredLength)
        guard headerLength <= file.size - 8 else {
            throw bad("header of \(headerLength) bytes runs past the end of the \(file.size)-byte file")
        }
        let headerData = Data(bytes: file.base + 8, count: headerLength)
        guard let json = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw bad("the header is not a JSON object")
        }
        let dataStart = 8 + headerLength
        var tensors: [String: SafetensorInfo] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in json {
            if name == "__metadata__" {
                metadata = (value as? [String: String]) ?? [:]
                continue
            }
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int],
                  offsets.count == 2 else { throw bad("tensor '\(name)' has no dtype, shape or data_offsets") }
            guard let size = Self.dtypeSizes[dtype] else { throw ModelLoadError.unsupportedDType(file: path, tensor: name, dtype: dtype) }
            guard shape.allSatisfy({ $0 >= 0 }), offsets[0] >= 0, offsets[1] >= offsets[0] else {
                throw bad("tensor '\(name)' has a negative shape or offsets")
            }
            // Every product and sum below is checked: release builds of this module do not trap on overflow,
            // so a wrapped byte count or end offset would otherwise pass and be read past the end of the map.
            let (count, countOverflow) = shape.reduce((1, false)) { acc, d in
                let (m, o) = acc.0.multipliedReportingOverflow(by: d); return (m, acc.1 || o)
            }
            let (bytes, bytesOverflow) = count.multipliedReportingOverflow(by: size)
            guard !countOverflow, !bytesOverflow, bytes == offsets[1] - offsets[0] else {
                throw bad("tensor '\(name)': shape \(shape) of \(dtype) does not fill bytes \(offsets[0])..<\(offsets[1])")
            }
            guard offsets[1] <= file.size - dataStart else {
                throw bad("tensor '\(name)' ends at data byte \(offsets[1]), past the end of the \(file.size)-byte file (truncated?)")
            }
            tensors[name] = SafetensorInfo(name: name, dtype: dtype, shape: shape, offset: dataStart + offsets[0],
                                           byteCount: offsets[1] - offsets[0])
        }
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensor's bytes.
    package func bytes(of info: SafetensorInfo) -> UnsafeRawPointer { file.base + info.offset }

    /// Copies `count` elements starting at element `start` of a F32, F16 or BF16 tensor into floats.
    package func readFloats(_ info: SafetensorInfo, start: Int = 0, count: Int? = nil,
                           into out: UnsafeMutablePointer<Float>) throws {
        let n = count ?? info.elementCount
        // A thrown error, not a precondition: release builds of this module compile preconditions away.
        guard start >= 0, n >= 0, start <= info.elementCount - n else {
            throw ModelLoadError.malformedSafetensors(
                file: file.path, reason: "tensor '\(info.name)': elements \(start) + \(n) lie outside its \(info.elementCount)")
        }
        let p = bytes(of: info)
        switch info.dtype {
        case "F32":
            for i in 0..<n { out[i] = p.loadUnaligned(fromByteOffset: (start + i) * 4, as: Float.self) }
        case "F16":
            for i in 0..<n { out[i] = f16ToF32(p.loadUnaligned(fromByteOffset: (start + i) * 2, as: UInt16.self)) }
        case "BF16":
            for i in 0..<n { out[i] = bf16ToF32(p.loadUnaligned(fromByteOffset: (start + i) * 2, as: UInt16.self)) }
        default:
            throw ModelLoadError.unsupportedDType(file: file.path, tensor: info.name, dtype: info.dtype)
        }
    }
}
