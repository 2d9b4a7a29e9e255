/// What a model costs in memory in a given format, from its config alone (the loader holds exactly this).
public struct MemoryEstimate: Sendable {
    public let parameters: Int
    public var weightBytes: Int
    public let kvCacheBytes: Int
    public let contextLength: Int

    public init(config c: ModelConfig, format: WeightFormat, qkvBias: Bool, contextLength: Int) {
        let C = c.hidden, I = c.intermediate, V = c.vocabulary
        let qDim = c.heads * c.headDim, kvDim = c.kvHeads * c.headDim
        let headFormat: WeightFormat = format == .q4_0 ? .q8_0 : format
        let projections = [(qDim, C), (kvDim, C), (kvDim, C), (C, qDim), (I, C), (I, C), (C, I)]
        let vectors = 2 * C + (qkvBias ? qDim + 2 * kvDim : 0)
        let perLayerParameters = projections.reduce(0) { $0 + $1.0 * $1.1 } + vectors
        let perLayerBytes = projections.reduce(0) { $0 + $1.0 * format.rowBytes(columns: $1.1) } + 4 * vectors
        let heads = c.tieWordEmbeddings ? 1 : 2
        parameters = c.layers * perLayerParameters + heads * V * C + C
        weightBytes = c.layers * perLayerBytes + heads * V * headFormat.rowBytes(columns: C) + 4 * C
        self.contextLength = contextLength
        kvCacheBytes = 2 * c.layers * contextLength * kvDim * 4
    }
}
