import Foundation
import Tokenizers

// Times `Tokenizer.encode` with the protocol of bench/tokenizer_reference.py: one warm-up pass (fills the word
// cache), then the best of RUNS timed passes. MODE "file" encodes the whole file in one call; "notes" encodes
// each blank-line-separated document separately. Prints `tokens seconds checksum`.
// Usage: TokenizerBench MODEL_FOLDER TEXT_FILE MODE RUNS

let arguments = CommandLine.arguments
guard arguments.count == 5, ["file", "notes"].contains(arguments[3]), let runs = Int(arguments[4]) else {
    FileHandle.standardError.write("usage: TokenizerBench MODEL_FOLDER TEXT_FILE file|notes RUNS\n".data(using: .utf8)!)
    exit(2)
}
let tokenizer = try Tokenizer(modelFolder: URL(fileURLWithPath: arguments[1]))
let text = try String(contentsOf: URL(fileURLWithPath: arguments[2]), encoding: .utf8)
let inputs = arguments[3] == "file" ? [text] : text.components(separatedBy: "\n\n")

func encodeAll() -> [[Int]] { inputs.map { tokenizer.encode($0) } }

let reference = encodeAll()
let count = reference.reduce(0) { $0 + $1.count }
var checksum = 0
for ids in reference { for id in ids { checksum = (checksum * 31 + id) % 1_000_000_007 } }
var best = Double.infinity
for _ in 0..<runs {
    let start = DispatchTime.now().uptimeNanoseconds
    let result = encodeAll()
    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    precondition(result == reference)
}
print(count, String(format: "%.6f", best), checksum)
