import CLibXML2

/// A parsed XML document from libxml2, read through Quill's hardened settings (see `quill_xml_read_utf8`
/// in the CLibXML2 shim), with small helpers to walk it without allocating through libxml2.
final class XMLTree {
    let doc: xmlDocPtr

    private static let initialized: Void = { quill_xml_init() }()

    /// Parses `text` (already decoded, see `TextEncodingDetection`) or says which rule the file broke.
    init(text: String, file: String) throws(DocumentError) {
        _ = XMLTree.initialized
        var report = QuillXMLReport()
        let utf8 = Array(text.utf8)
        guard utf8.count < Int(Int32.max) else {
            throw DocumentError(file: file, problem: .tooLarge(bytes: utf8.count, limit: Int(Int32.max)))
        }
        let parsed = utf8.withUnsafeBufferPointer { buf in
            buf.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buf.count) { quill_xml_read_utf8($0, Int32(buf.count), &report) }
            }
        }
        if report.entityDeclared != 0 {
            if let parsed { xmlFreeDoc(parsed) }
            throw DocumentError(file: file, place: .xml(line: Int(report.entityLine), element: nil),
                                problem: .xmlEntityDeclaration(name: Self.string(&report.entityName)))
        }
        guard let parsed else {
            let message = Self.string(&report.firstErrorMessage).trimmedWhitespace
            let element = Self.string(&report.firstErrorElement)
            throw DocumentError(file: file, place: .xml(line: Int(report.firstErrorLine), element: element.isEmpty ? nil : element),
                                problem: .xmlMalformed(detail: message.isEmpty ? "unknown parser error" : message))
        }
        doc = parsed
    }

    deinit { xmlFreeDoc(doc) }

    var root: xmlNodePtr? { xmlDocGetRootElement(doc) }

    private static func string<T>(_ tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}

/// Read-only views of libxml2 nodes. Names compare by local name: CDA documents use the
/// urn:hl7-org:v3 namespace, fragments often none, and the prefix does not change meaning here.
extension UnsafeMutablePointer where Pointee == xmlNode {
    var isElement: Bool { pointee.type == XML_ELEMENT_NODE }

    var localName: String {
        guard let n = pointee.name else { return "" }
        return String(cString: n)
    }

    var line: Int { Int(xmlGetLineNo(self)) }

    /// Child elements, in order.
    var elements: [xmlNodePtr] {
        var out: [xmlNodePtr] = []
        var c = pointee.children
        while let n = c {
            if n.isElement { out.append(n) }
            c = n.pointee.next
        }
        return out
    }

    func child(_ name: String) -> xmlNodePtr? {
        var c = pointee.children
        while let n = c {
            if n.isElement && n.localName == name { return n }
            c = n.pointee.next
        }
        return nil
    }

    func children(_ name: String) -> [xmlNodePtr] { elements.filter { $0.localName == name } }

    /// Follows a path of child names ("patientRole", "patient", "name"), first match at each step.
    func path(_ names: String...) -> xmlNodePtr? {
        var node: xmlNodePtr? = self
        for n in names { node = node?.child(n) }
        return node
    }

    /// An attribute's value, read from the attribute's text children (no libxml2 allocation to free).
    func attribute(_ name: String) -> String? {
        var a = pointee.properties
        while let attr = a {
            if let n = attr.pointee.name, String(cString: n) == name {
                var text = ""
                var c = attr.pointee.children
                while let t = c {
                    if let content = t.pointee.content { text += String(cString: content) }
                    c = t.pointee.next
                }
                return text
            }
            a = attr.pointee.next
        }
        return nil
    }

    /// All text below this node with blank space collapsed, to a bounded depth.
    var plainText: String {
        var parts: [String] = []
        func walk(_ node: xmlNodePtr, _ depth: Int) {
            guard depth < CDANarrative.maxDepth else { return }
            var c = node.pointee.children
            while let n = c {
                switch n.pointee.type {
                case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                    if let content = n.pointee.content { parts.append(String(cString: content)) }
                case XML_ELEMENT_NODE:
                    walk(n, depth + 1)
                default: break
                }
                c = n.pointee.next
            }
        }
        walk(self, 0)
        return CDANarrative.collapse(parts.joined(separator: " "))
    }
}
