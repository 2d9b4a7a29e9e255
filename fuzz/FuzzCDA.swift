// libFuzzer entry for the CDA reader (libxml2 with Quill's hardened settings, then the tree walk).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCDA(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? CDAReader.read(bytes: bytes, file: "fuzz.xml", limits: DocumentLimits(maxFileBytes: 1 << 20))
    return 0
}
