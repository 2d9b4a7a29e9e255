// libFuzzer entry for the fact checker: the bytes are a source note and a model output (split at the first
// NUL byte, or in half), both untrusted. The checker must never trap, a quantity or date it reports must be
// text of the section it names, and a section checked against itself must be fully supported.
import Foundation
import QuillPipeline

/// The shipped lexicon and synonyms (run from the repository root, as fuzz/run.sh does), or a small one.
let checker: FactChecker = {
    let lexicon = URL(fileURLWithPath: ProcessInfo.processInfo.environment["QUILL_FUZZ_LEXICON"] ?? "templates/lexicon/medications.txt")
    return (try? FactChecker(lexicon: lexicon))
        ?? FactChecker(medications: ["warfarin", "insulin glargine", "amoxicillin"], synonyms: ["hypertension": ["HTN"]])
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFactCheck(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let cut = bytes.firstIndex(of: 0) ?? size / 2
    let input = String(decoding: bytes[..<cut], as: UTF8.self)
    let output = String(decoding: bytes[min(cut + 1, size)...], as: UTF8.self)
    // One section per line, "Heading: text" as the model writes them.
    let sections = output.split(separator: "\n").map { line -> (heading: String, text: String) in
        guard let colon = line.firstIndex(of: ":") else { return ("Section", String(line)) }
        return (String(line[..<colon]), String(line[line.index(after: colon)...]))
    }
    for f in checker.check(sections: sections, input: input) where f.kind == .quantity || f.kind == .date {
        precondition(sections.contains { $0.heading == f.section && $0.text.contains(f.text) },
                     "a \(f.kind) finding is not text of its section")
    }
    for s in sections {
        let own = checker.check(sections: [s], input: s.text)
        precondition(own.isEmpty, "a section is not supported by its own text: \(own.map(\.kind))")
    }
    return 0
}
