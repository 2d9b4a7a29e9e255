/// The row order llama.cpp's converters give W_q and W_k of a llama model, and so lora_B of q and k: per head,
/// HF's two halves of the head (rotated as x_i with x_{i+d/2}) become adjacent pairs (x_2j with x_2j+1), which
/// is what `RopeParameters.adjacentPairs` rotates. convert_hf_to_gguf.py `LlamaModel.permute`:
/// `w.reshape(n_head, 2, d/2, *rest).swapaxes(1, 2).reshape(w.shape)`, n_head = n_kv_head for k.
/// Only B is permuted: ΔW = B·A, and its rows are B's rows (A acts on the input, whose order is unchanged).
enum LoRARowPermutation {
    /// HF row order → llama.cpp's: row h·d + 2j + t of the result is row h·d + t·d/2 + j of `rows`.
    /// `rows` is [heads·d, width] row-major.
    static func toAdjacentPairs(_ rows: [Float], heads: Int, width: Int) -> [Float] {
        reorder(rows, heads: heads, width: width, adjacentFromHalves: true)
    }

    /// The inverse: llama.cpp's row order → HF's.
    static func toHalves(_ rows: [Float], heads: Int, width: Int) -> [Float] {
        reorder(rows, heads: heads, width: width, adjacentFromHalves: false)
    }

    private static func reorder(_ rows: [Float], heads: Int, width: Int, adjacentFromHalves: Bool) -> [Float] {
        let d = rows.count / width / heads
        precondition(heads * d * width == rows.count && d % 2 == 0, "rows of whole heads of even size")
        var out = [Float](repeating: 0, count: rows.count)
        for h in 0..<heads {
            for j in 0..<(d / 2) {
                for t in 0..<2 {
                    let adjacent = h * d + 2 * j + t, halves = h * d + t * (d / 2) + j
                    let (to, from) = adjacentFromHalves ? (adjacent, halves) : (halves, adjacent)
                    for c in 0..<width { out[to * width + c] = rows[from * width + c] }
                }
            }
        }
        return out
    }
}
