import Foundation
import Tensors

/// Writes one safetensors file: an 8-byte header length, the JSON header (tensors by name, `__metadata__`
/// {"format": "pt"} as transformers writes it) padded with spaces so the data starts 8-byte aligned, then the
/// tensors' bytes in the header's order.
package struct SafetensorsWriter {
    package enum DType: String { case f32 = "F32", bf16 = "BF16" }

    package struct Entry {
        let name: String
        let shape: [Int]
        let values: () -> [Float]
    }

    package var entries: [Entry] = []

    package init() {}

    package mutating func add(_ name: String, shape: [Int], _ values: @escaping () -> [Float]) {
        entries.append(Entry(name: name, shape: shape, values: values))
    }

    package func write(to url: URL, dtype: DType) throws {
        let size = dtype == .f32 ? 4 : 2
        var header: [String: Any] = ["__metadata__": ["format": "pt"]]
        var offset = 0
        let ordered = entries.sorted { $0.name < $1.name }
        for e in ordered {
            let bytes = e.shape.reduce(1, *) * size
            header[e.name] = ["dtype": dtype.rawValue, "shape": e.shape, "data_offsets": [offset, offset + bytes]] as [String: Any]
            offset += bytes
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        while (8 + json.count) % 8 != 0 { json.append(0x20) }
        guard FileManager.default.createFile(atPath: url.path, contents: nil), let out = FileHandle(forWritingAtPath: url.path) else {
            throw ModelLoadError.unreadable(file: url.path, reason: "cannot be created")
        }
        defer { try? out.close() }
        var length = UInt64(json.count).littleEndian
        try out.write(contentsOf: Data(bytes: &length, count: 8))
        try out.write(contentsOf: json)
        for e in ordered {
            let values = e.values()
            precondition(values.count == e.shape.reduce(1, *), "tensor '\(e.name)' has \(values.count) values for shape \(e.shape)")
            switch dtype {
            case .f32:
                try out.write(contentsOf: values.withUnsafeBytes { Data($0) })
            case .bf16:
                try out.write(contentsOf: Data(DenseRows.encode(values, rows: 1, columns: values.count, format: .bf16)))
            }
        }
        try out.synchronize()
    }
}
