/// The row order llama.cpp's converter stores Llama's W_q and W_k in (convert_hf_to_gguf.py `LlamaModel.permute`,
/// for K with n_head_kv heads), and its inverse.
///
/// Hugging Face rotates halves of each head (element i pairs with i + d/2); llama.cpp's "normal" rope rotates
/// adjacent pairs (2i with 2i + 1). Within each head of d rows, `permute` reshapes the rows to [2, d/2] and
/// transposes them to [d/2, 2]: GGUF row h·d + 2i + s holds Hugging Face row h·d + s·d/2 + i (s = 0, 1). The same
/// applies to a bias (one value per row) and to a LoRA pair's B (ΔW = B·A: its rows are B's rows; A acts on the
/// input, whose order is unchanged), so one permutation serves conversion, export and adapters.
package enum LlamaRowPermutation {
    /// Hugging Face rows → GGUF rows. `values` holds `rows` rows of `columns` values.
    package static func permute(_ values: [Float], rows: Int, columns: Int, heads: Int) -> [Float] {
        reorder(values, rows: rows, columns: columns, heads: heads, toGGUF: true)
    }

    /// GGUF rows → Hugging Face rows.
    package static func unpermute(_ values: [Float], rows: Int, columns: Int, heads: Int) -> [Float] {
        reorder(values, rows: rows, columns: columns, heads: heads, toGGUF: false)
    }

    private static func reorder(_ values: [Float], rows: Int, columns: Int, heads: Int, toGGUF: Bool) -> [Float] {
        precondition(rows % (2 * heads) == 0 && values.count == rows * columns, "rows \(rows) do not split into \(heads) heads of pairs")
        let d = rows / heads, half = d / 2
        var out = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { dst in
            for h in 0..<heads {
                for s in 0..<2 {
                    for i in 0..<half {
                        let hf = h * d + s * half + i, gguf = h * d + 2 * i + s
                        let (from, to) = toGGUF ? (hf, gguf) : (gguf, hf)
                        for c in 0..<columns { dst[to * columns + c] = src[from * columns + c] }
                    }
                }
            }
        } }
        return out
    }
}
