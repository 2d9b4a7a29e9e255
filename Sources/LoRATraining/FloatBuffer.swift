/// Floats the trainer owns: parameters, gradients, optimizer moments and activations. A class, so that layers
/// hand the same storage to BLAS without copies; zeroed when made.
package final class FloatBuffer: @unchecked Sendable {
    package let count: Int
    package let p: UnsafeMutablePointer<Float>

    package init(_ count: Int) {
        self.count = count
        p = .allocate(capacity: max(1, count))
        p.initialize(repeating: 0, count: max(1, count))
    }

    package convenience init(_ values: [Float]) {
        self.init(values.count)
        values.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit { p.deallocate() }

    package var array: [Float] { Array(UnsafeBufferPointer(start: p, count: count)) }
    package func zero() { p.update(repeating: 0, count: count) }
    package func copy(from other: FloatBuffer) {
        precondition(other.count == count, "buffers of \(other.count) and \(count) floats")
        p.update(from: other.p, count: count)
    }
}

/// Scratch that grows to the largest request and is reused: one per kind of activation.
package final class Scratch {
    private var buffer = FloatBuffer(0)
    package init() {}
    /// At least `count` floats; contents undefined.
    package func get(_ count: Int) -> UnsafeMutablePointer<Float> {
        if buffer.count < count { buffer = FloatBuffer(count) }
        return buffer.p
    }
}
