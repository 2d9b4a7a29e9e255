/// Keys and values of every layer for the positions seen so far: K, V [L][capacity, nKV·hd], fp32.
/// Allocated once for the session's context; a position's row is written when its token is processed.
public final class KVCache {
    public let layers: Int
    public let capacity: Int
    public let rowWidth: Int  // nKV·hd
    public let keys: UnsafeMutablePointer<Float>
    public let values: UnsafeMutablePointer<Float>

    public init(layers: Int, capacity: Int, rowWidth: Int) {
        self.layers = layers; self.capacity = capacity; self.rowWidth = rowWidth
        keys = .allocate(capacity: layers * capacity * rowWidth)
        values = .allocate(capacity: layers * capacity * rowWidth)
    }

    deinit { keys.deallocate(); values.deallocate() }

    public func keys(layer: Int) -> UnsafeMutablePointer<Float> { keys + layer * capacity * rowWidth }
    public func values(layer: Int) -> UnsafeMutablePointer<Float> { values + layer * capacity * rowWidth }

    public var byteCount: Int { 2 * layers * capacity * rowWidth * 4 }
}
