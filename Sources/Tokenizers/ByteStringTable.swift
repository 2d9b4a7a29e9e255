/// A hash table from byte strings to a 32-bit value, looked up by pointer and length so that the hot path of
/// encoding (is this word in the vocabulary? in the cache?) allocates nothing. Keys live back to back in one
/// byte arena; open addressing with linear probing over a power-of-two slot array.
struct ByteStringTable {
    private var keyBytes: [UInt8] = []
    /// Per entry: where its key starts in `keyBytes`, its length, and its value.
    private var keyStart: [Int32] = []
    private var keyLength: [Int32] = []
    private var values: [Int32] = []
    /// Slot → entry index + 1 (0 = empty).
    private var slots: [Int32]
    private var mask: Int

    private(set) var count = 0

    init(capacity: Int = 1024) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
    }

    /// FNV-1a over the bytes, then a multiplicative mix so linear probing spreads well.
    @inline(__always)
    static func hash(_ p: UnsafeRawBufferPointer) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in p { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        h ^= h >> 29
        h = h &* 0xbf58_476d_1ce4_e5b9
        return Int(truncatingIfNeeded: h ^ (h >> 32))
    }

    func value(for key: UnsafeRawBufferPointer) -> Int32? {
        var slot = Self.hash(key) & mask
        return keyBytes.withUnsafeBytes { arena -> Int32? in
            while true {
                let entry = Int(slots[slot])
                if entry == 0 { return nil }
                let e = entry - 1
                let length = Int(keyLength[e])
                if length == key.count {
                    let start = Int(keyStart[e])
                    if length == 0 || memcmpEqual(arena.baseAddress! + start, key.baseAddress!, length) {
                        return values[e]
                    }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    func value(for key: [UInt8]) -> Int32? {
        key.withUnsafeBytes { value(for: $0) }
    }

    /// Inserts or overwrites.
    mutating func set(_ value: Int32, for key: UnsafeRawBufferPointer) {
        if (count + 1) * 2 > slots.count { grow() }
        var slot = Self.hash(key) & mask
        while true {
            let entry = Int(slots[slot])
            if entry == 0 { break }
            let e = entry - 1
            if Int(keyLength[e]) == key.count,
               keyBytes.withUnsafeBytes({ key.count == 0 || memcmpEqual($0.baseAddress! + Int(keyStart[e]), key.baseAddress!, key.count) }) {
                values[e] = value
                return
            }
            slot = (slot + 1) & mask
        }
        keyStart.append(Int32(keyBytes.count))
        keyLength.append(Int32(key.count))
        keyBytes.append(contentsOf: key)
        values.append(value)
        count += 1
        slots[slot] = Int32(count)
    }

    mutating func set(_ value: Int32, for key: [UInt8]) {
        key.withUnsafeBytes { set(value, for: $0) }
    }

    mutating func removeAll() {
        keyBytes.removeAll(keepingCapacity: true)
        keyStart.removeAll(keepingCapacity: true)
        keyLength.removeAll(keepingCapacity: true)
        values.removeAll(keepingCapacity: true)
        for i in slots.indices { slots[i] = 0 }
        count = 0
    }

    private mutating func grow() {
        let size = slots.count * 2
        slots = [Int32](repeating: 0, count: size)
        mask = size - 1
        keyBytes.withUnsafeBytes { arena in
            for e in 0..<count {
                let key = UnsafeRawBufferPointer(rebasing: arena[Int(keyStart[e])..<Int(keyStart[e] + keyLength[e])])
                var slot = Self.hash(key) & mask
                while slots[slot] != 0 { slot = (slot + 1) & mask }
                slots[slot] = Int32(e + 1)
            }
        }
    }
}

@inline(__always)
private func memcmpEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    var i = 0
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}

/// Merge ranks keyed by the pair of token ids being merged: (left, right) → (rank, merged id). Open addressing
/// over 64-bit keys; the BPE inner loop calls this for every adjacent pair, so it must be cheap.
struct MergeTable {
    private var keys: [UInt64]
    /// rank << 32 | merged id
    private var payload: [UInt64]
    private var mask: Int
    private static let empty = UInt64.max

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: size)
        payload = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private static func slot(_ key: UInt64, _ mask: Int) -> Int {
        var h = key &* 0x9E37_79B9_7F4A_7C15
        h ^= h >> 31
        return Int(truncatingIfNeeded: h) & mask
    }

    mutating func insert(left: Int32, right: Int32, rank: Int32, merged: Int32) {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var s = Self.slot(key, mask)
        while keys[s] != Self.empty && keys[s] != key { s = (s + 1) & mask }
        // A pair listed twice keeps its last rank: tokenizers collects the merges into a map in list order.
        keys[s] = key
        payload[s] = UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: merged))
    }

    /// (rank, merged id) of the pair, or nil when the pair never merges.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> (rank: Int32, merged: Int32)? {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var s = Self.slot(key, mask)
        while true {
            let k = keys[s]
            if k == key {
                let p = payload[s]
                return (Int32(truncatingIfNeeded: p >> 32), Int32(truncatingIfNeeded: p & 0xFFFF_FFFF))
            }
            if k == Self.empty { return nil }
            s = (s + 1) & mask
        }
    }
}
