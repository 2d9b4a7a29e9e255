// libFuzzer entry for the plain-text readers: encoding detection, the note sectioniser, the
// dialogue reader (line labels and WebVTT) and the kind overrides, on any bytes.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzText(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let decoded = try? TextEncodingDetection.decode(bytes, file: "fuzz.txt") else { return 0 }
    for kind in [nil, DocumentKind.dialogue, DocumentKind.clinicalNote] {
        let override = KindOverride(kind: kind, kindSource: kind == nil ? .content : .fileSuffix)
        do {
            let doc = try ClinicalDocumentReader.readText(decoded, fileName: "fuzz.txt", override: override)
            precondition(doc.kind == .dialogue ? !doc.turns.isEmpty : !doc.sections.isEmpty, "an empty document came out")
        } catch {
            precondition(kind == .dialogue || error.problem != .empty)
        }
    }
    return 0
}
