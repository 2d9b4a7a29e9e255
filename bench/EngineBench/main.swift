// quill-bench: the engine's benchmark, run by bench/run.sh (`make bench`) in a release build.
//
//   quill-bench machine [--threads N]            memory bandwidth (GB/s) and OpenBLAS sgemm (GFLOP/s)
//   quill-bench matvec [--threads N] [--rounds R]  mat-vec GB/s per weight format at the 1.5B shapes
//   quill-bench model DIR --quant q8_0 --threads 2 [--prefill 512] [--decode 128]
//                                                load, prefill and decode speed, peak RSS
// Each prints one JSON object. Each model configuration runs in its own process so its peak RSS is its own.
import CBLAS
import CBandwidthProbe
import CKernels
import Foundation
import LLM
import Tensors

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

func peakRSSBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
}

func emit(_ object: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func option(_ name: String, _ args: [String]) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}

/// Read bandwidth: each thread streams its half of a 1 GiB buffer; best of 5.
func measureBandwidth(threads: Int) -> Double {
    let count = 256 << 20  // floats: 1 GiB
    let buffer = UnsafeMutablePointer<Float>.allocate(capacity: count)
    defer { buffer.deallocate() }
    buffer.initialize(repeating: 1, count: count)
    let pool = ThreadPool(threads: threads)
    var best = 0.0
    for _ in 0..<5 {
        let t0 = now()
        pool.run { share in
            let r = ThreadPool.range(of: share, shares: threads, count: count, alignment: 1024)
            _ = quill_stream_sum(buffer + r.lowerBound, Int64(r.count))
        }
        best = max(best, Double(count * 4) / (now() - t0) / 1e9)
    }
    return best
}

/// OpenBLAS sgemm rate on a prefill-like product: [512, 1536] x [1536, 8960]ᵀ, best of 3.
func measureSGEMM(threads: Int) -> Double {
    openblas_set_num_threads(Int32(threads))
    let m = 512, n = 8960, k = 1536
    let a = [Float](repeating: 0.5, count: m * k), b = [Float](repeating: 0.25, count: n * k)
    var c = [Float](repeating: 0, count: m * n)
    var best = 0.0
    for _ in 0..<3 {
        let t0 = now()
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b, Int32(k), 0, &c, Int32(n))
        best = max(best, 2.0 * Double(m * n * k) / (now() - t0) / 1e9)
    }
    return best
}

struct BenchError: Error, CustomStringConvertible { let description: String }

func runModel(_ folder: String, args: [String]) throws {
    let name = option("--quant", args) ?? WeightFormat.q8_0.rawValue
    guard let format = WeightFormat(rawValue: name) else {
        throw BenchError(description: "--quant \(name): use one of \(WeightFormat.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    let threads = Int(option("--threads", args) ?? "2") ?? 2
    let prefill = Int(option("--prefill", args) ?? "512") ?? 512
    let decode = Int(option("--decode", args) ?? "128") ?? 128
    let t0 = now()
    let model = try LanguageModel.load(folder: URL(fileURLWithPath: folder), format: format)
    let loadSeconds = now() - t0
    let rssAfterLoad = peakRSSBytes()
    let session = InferenceSession(model: model, contextLength: prefill + decode + 1, threads: threads)
    var rng = SeededGenerator(seed: 1)
    let prompt = (0..<prefill).map { _ in Int(rng.next() % UInt64(model.config.vocabulary)) }
    // One token first, so one-time costs (thread start, page faults in the cache) are not timed.
    _ = try session.forward([prompt[0]]); session.reset()
    let result = try Generator.generate(session: session, prompt: prompt, options: GenerationOptions(maxNewTokens: decode + 1))
    emit([
        "quant": format.rawValue, "threads": threads, "prefill_tokens": prefill, "decode_tokens": decode,
        "load_seconds": loadSeconds, "prefill_seconds": result.prefillSeconds,
        "prefill_tokens_per_s": result.prefillTokensPerSecond, "decode_tokens_per_s": result.decodeTokensPerSecond,
        "weight_bytes": model.weightBytes, "weight_bytes_per_token": model.weightBytesPerToken,
        "kv_cache_bytes": session.cache.byteCount, "peak_rss_bytes": peakRSSBytes(), "rss_after_load_bytes": rssAfterLoad,
        "kernel_level": Int(quill_kernel_level()),
    ])
}

/// The int8 GEMM and mat-vec kernels alone on one prefill-sized product, [512, 1536] x [8960, 1536]ᵀ, in
/// giga multiply-adds per second (the sgemm figure above counts 2 flops per multiply-add).
func measureKernels(threads: Int) -> [String: Any] {
    let t = 512
    var (rows, cols) = option("--down", CommandLine.arguments) != nil ? (1536, 8960) : (8960, 1536)
    // --shape ROWSxCOLS (e.g. 1536x1536); --formats q8,q4,q4_K,... picks the weight formats (default: all quantized).
    if let shape = option("--shape", CommandLine.arguments)?.split(separator: "x").compactMap({ Int($0) }), shape.count == 2 {
        (rows, cols) = (shape[0], shape[1])
    }
    let formats = (option("--formats", CommandLine.arguments)?.split(separator: ",").compactMap { WeightFormat(rawValue: String($0)) })
        ?? WeightFormat.allCases.filter { $0 != .f32 && cols % $0.blockValues == 0 }
    var rng = SeededGenerator(seed: 3)
    let w = (0..<(rows * cols)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 }
    let x = (0..<(t * cols)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 }
    var y = [Float](repeating: 0, count: t * rows)
    var out: [String: Any] = ["threads": threads, "rows": rows, "columns": cols]
    let pool = ThreadPool(threads: threads)
    for format in formats {
        let m = w.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: rows, columns: cols, format: format) }
        let act = QuantizedActivations(capacityRows: t, columns: cols)
        x.withUnsafeBufferPointer { act.quantize($0.baseAddress!, rows: t) }
        var best = 0.0, vecRates: [Double] = []
        for _ in 0..<3 {
            let t0 = now()
            x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { m.matmul(x: xp.baseAddress!, xq: act, tokens: t, y: $0.baseAddress!, ldy: rows, pool: pool) } }
            best = max(best, Double(t * rows * cols) / (now() - t0) / 1e9)
        }
        // One-token activations for the mat-vec (the batch above holds only its bf16 form on CPUs with bf16).
        let one = QuantizedActivations(capacityRows: 1, columns: cols)
        x.withUnsafeBufferPointer { one.quantize($0.baseAddress!, rows: 1) }
        for _ in 0..<7 {
            let t1 = now()
            for _ in 0..<20 { x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { m.matvec(x: xp.baseAddress!, xq: one, y: $0.baseAddress!, pool: pool) } } }
            vecRates.append(20.0 * Double(m.byteCount) / (now() - t1) / 1e9)
        }
        out["\(format.rawValue)_gemm_gmac_s"] = best
        out["\(format.rawValue)_matvec_gb_s"] = vecRates.sorted()[vecRates.count / 2]
    }
    return out
}

/// Mat-vec alone at the 1.5B shapes (attention 1536x1536, up 8960x1536, down 1536x8960) for every weight
/// format, in GB/s of weight bytes read. Formats alternate within each round (the machine is shared and
/// noisy, so a slow spell hits all of them alike); each figure is the median over the rounds.
func measureMatvec(threads: Int, rounds: Int) -> [String: Any] {
    let formats: [WeightFormat] = [.q8_0, .q4_0, .q4_1, .q5_0, .q5_1, .f16, .bf16]
    let pool = ThreadPool(threads: threads)
    var out: [String: Any] = ["threads": threads, "rounds": rounds]
    for (rows, cols) in [(1536, 1536), (8960, 1536), (1536, 8960)] {
        var rng = SeededGenerator(seed: 5)
        let w = (0..<(rows * cols)).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 }
        let x = (0..<cols).map { _ in Float(Int(rng.next() % 2001) - 1000) / 1000 }
        let act = QuantizedActivations(capacityRows: 1, columns: cols)
        x.withUnsafeBufferPointer { act.quantize($0.baseAddress!, rows: 1) }
        let matrices = formats.map { f in w.withUnsafeBufferPointer { WeightMatrix(quantizing: $0.baseAddress!, rows: rows, columns: cols, format: f) } }
        var y = [Float](repeating: 0, count: rows)
        var rates = [[Double]](repeating: [], count: formats.count)
        // Repeats per timing: enough weight bytes (about 200 MB) that the matrix cannot stay in cache between them.
        for _ in 0..<rounds {
            for (i, m) in matrices.enumerated() {
                let repeats = max(4, 200_000_000 / m.byteCount)
                let t0 = now()
                for _ in 0..<repeats { x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { m.matvec(x: xp.baseAddress!, xq: act, y: $0.baseAddress!, pool: pool) } } }
                rates[i].append(Double(repeats * m.byteCount) / (now() - t0) / 1e9)
            }
        }
        for (i, f) in formats.enumerated() {
            out["\(f.rawValue)_\(rows)x\(cols)_matvec_gb_s"] = rates[i].sorted()[rates[i].count / 2]
        }
    }
    return out
}

let args = Array(CommandLine.arguments.dropFirst())
switch args.first {
case "machine":
    let threads = Int(option("--threads", args) ?? "2") ?? 2
    emit(["threads": threads, "bandwidth_gb_s": measureBandwidth(threads: threads), "sgemm_gflop_s": measureSGEMM(threads: threads)])
case "kernels":
    emit(measureKernels(threads: Int(option("--threads", args) ?? "2") ?? 2))
case "matvec":
    emit(measureMatvec(threads: Int(option("--threads", args) ?? "2") ?? 2, rounds: Int(option("--rounds", args) ?? "5") ?? 5))
case "model" where args.count >= 2:
    do { try runModel(args[1], args: args) } catch { FileHandle.standardError.write(Data("quill-bench: \(error)\n".utf8)); exit(1) }
default:
    FileHandle.standardError.write(Data("usage: quill-bench machine [--threads N] | model DIR [--quant \(WeightFormat.allCases.map(\.rawValue).joined(separator: "|"))] [--threads N] [--prefill N] [--decode N]\n".utf8))
    exit(2)
}
