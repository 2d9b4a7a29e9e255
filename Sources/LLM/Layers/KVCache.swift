/// Keys and values of every layer for the positions seen so far: K, V [L][capacity, nKV·hd], fp32.
/// Allocated once for the session's context; a position's row is written when its token is processed.
package final class KVCache {
    package let layers: Int
    package let capacity: Int
    package let rowWidth: Int  // nKV·hd
    package let keys: UnsafeMutablePointer<Float>
    package let values: UnsafeMutablePointer<Float>

    package init(layers: Int, capacity: Int, rowWidth: Int) {
        self.layers = layers; self.capacity = capacity; self.rowWidth = rowWidth
        keys = .allocate(capacity: layers * capacity * rowWidth)
        values = .allocate(capacity: layers * capacity * rowWidth)
    }

    deinit { keys.deallocate(); values.deallocate() }

    package func keys(layer: Int) -> UnsafeMutablePointer<Float> { keys + layer * capacity * rowWidth }
    package func values(layer: Int) -> UnsafeMutablePointer<Float> { values + layer * capacity * rowWidth }

    package var byteCount: Int { 2 * layers * capacity * rowWidth * 4 }
}
