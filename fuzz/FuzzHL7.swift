// libFuzzer entry for the HL7 v2 reader: any bytes in, results or DocumentErrors out, never a crash,
// hang or unbounded allocation. Built by fuzz/run.sh together with the ClinicalDocuments sources.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHL7(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = DocumentLimits(maxFileBytes: 1 << 20, maxTextCharacters: 1 << 20, maxMessagesPerFile: 200)
    for result in HL7Reader.read(bytes: bytes, file: "fuzz.hl7", limits: limits) {
        switch result {
        case .success(let doc): precondition(!doc.sections.isEmpty, "a document without sections came out")
        case .failure(let error): precondition(!error.reason.isEmpty)
        }
    }
    // The escape decoder on its own, with the default delimiters.
    if let text = String(validating: bytes, as: UTF8.self) {
        let d = HL7Delimiters(field: "|", component: "^", repetition: "~", escape: "\\", subcomponent: "&", truncation: nil)
        _ = HL7Escapes.unescape(Substring(text), d)
        _ = ClinicalTimestamp.iso(text)
    }
    return 0
}
