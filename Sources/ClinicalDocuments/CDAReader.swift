import CLibXML2

/// CDA R2 / C-CDA documents: the header (recordTarget, author, componentOf/encompassingEncounter),
/// each section of a structuredBody with its LOINC code, title and flattened narrative, or the text
/// of a nonXMLBody. Bare `<section>` fragments (as in the C-CDA guide examples) are read as a
/// document without a header.
public enum CDAReader {
    static let loincOID = "2.16.840.1.113883.6.1"
    /// Sections nest (section/component/section); deeper than this is not followed.
    static let maxSectionDepth = 12

    public static func read(bytes: [UInt8], file: String, limits: DocumentLimits = DocumentLimits()) throws(DocumentError) -> ClinicalDocument {
        guard bytes.count <= limits.maxFileBytes else {
            throw DocumentError(file: file, problem: .tooLarge(bytes: bytes.count, limit: limits.maxFileBytes))
        }
        let decoded = try TextEncodingDetection.decode(bytes, file: file)
        return try read(text: decoded.text, encoding: decoded.encoding, file: file)
    }

    public static func read(text: String, encoding: TextEncoding, file: String) throws(DocumentError) -> ClinicalDocument {
        let tree = try XMLTree(text: text, file: file)
        guard let root = tree.root else {
            throw DocumentError(file: file, problem: .xmlMalformed(detail: "the document has no root element"))
        }
        var doc = ClinicalDocument(kind: .clinicalNote, task: .dischargeSummary, sourceFormat: .cda,
                                   encoding: encoding, sourceFile: file)
        switch root.localName {
        case "ClinicalDocument":
            readHeader(root, into: &doc)
            if let body = root.path("component", "structuredBody") {
                for component in body.children("component") {
                    if let section = component.child("section") { readSection(section, depth: 0, into: &doc) }
                }
            } else if let body = root.path("component", "nonXMLBody") {
                readNonXMLBody(body, into: &doc, file: file)
            }
        case "section":
            readSection(root, depth: 0, into: &doc)
        default:
            let sections = root.elements.compactMap { $0.localName == "section" ? $0 : $0.child("section") }
            guard !sections.isEmpty else {
                throw DocumentError(file: file, place: .xml(line: root.line, element: root.localName), problem: .notCDA(root: root.localName))
            }
            for s in sections { readSection(s, depth: 0, into: &doc) }
        }
        if doc.sections.isEmpty {
            let why = doc.notices.last ?? "the document has no section with narrative text"
            throw DocumentError(file: file, place: .xml(line: root.line, element: root.localName), problem: .noText(detail: why))
        }
        return doc
    }

    // MARK: - Header

    static func readHeader(_ root: xmlNodePtr, into doc: inout ClinicalDocument) {
        if let t = root.child("title")?.plainText, !t.isEmpty { doc.title = t }
        else if let d = root.child("code")?.attribute("displayName"), !d.isEmpty { doc.title = d }

        if let role = root.path("recordTarget", "patientRole") {
            var p = Patient()
            // The first id with an extension is the record number in practice; roots alone are OIDs.
            for id in role.children("id") {
                if let ext = id.attribute("extension"), !ext.isEmpty { p.id = ext; break }
            }
            if let patient = role.child("patient") {
                let names = patient.children("name")
                let legal = names.first { ($0.attribute("use") ?? "").split(separator: " ").contains("L") } ?? names.first
                p.name = legal.flatMap(personName)
                switch patient.child("administrativeGenderCode")?.attribute("code")?.uppercased() {
                case "F": p.sex = .female
                case "M": p.sex = .male
                case "UN": p.sex = .other
                case "UNK": p.sex = .unknown
                default: break
                }
                if let b = patient.child("birthTime")?.attribute("value"), !b.isEmpty {
                    p.birthDate = ClinicalTimestamp.iso(b, dateOnly: true) ?? b
                }
            }
            doc.patient = p
        }

        for author in root.children("author") {
            guard let assigned = author.child("assignedAuthor") else { continue }
            let name = assigned.path("assignedPerson", "name").flatMap(personName)
                ?? assigned.path("representedOrganization", "name")?.plainText
            guard let name, !name.isEmpty else { continue }
            let time = author.child("time")?.attribute("value").map { ClinicalTimestamp.iso($0) ?? $0 }
            doc.authors.append(Author(name: name, role: "author", time: time))
        }

        if let enc = root.path("componentOf", "encompassingEncounter") {
            var e = Encounter()
            if let id = enc.child("id") { e.id = id.attribute("extension") ?? id.attribute("root") }
            if let time = enc.child("effectiveTime") {
                let low = time.child("low")?.attribute("value") ?? time.attribute("value")
                let high = time.child("high")?.attribute("value")
                e.admission = low.map { ClinicalTimestamp.iso($0) ?? $0 }
                e.discharge = high.map { ClinicalTimestamp.iso($0) ?? $0 }
            }
            if let facility = enc.path("location", "healthCareFacility") {
                let names = [facility.path("location", "name")?.plainText,
                             facility.path("serviceProviderOrganization", "name")?.plainText,
                             facility.child("code")?.attribute("displayName")]
                e.location = names.compactMap { $0 }.first { !$0.isEmpty }
            }
            for participant in enc.children("encounterParticipant") {
                if let name = participant.path("assignedEntity", "assignedPerson", "name").flatMap(personName),
                   !doc.authors.contains(where: { $0.name == name }) {
                    let role = participant.attribute("typeCode") == "ATND" ? "attending" : "encounter participant"
                    doc.authors.append(Author(name: name, role: role))
                }
            }
            doc.encounter = e
        }
    }

    /// PN: prefix? given* family suffix?, as "Given Given Family"; free text when the name has no parts.
    static func personName(_ name: xmlNodePtr) -> String? {
        let given = name.children("given").map(\.plainText).filter { !$0.isEmpty }
        let family = name.children("family").map(\.plainText).filter { !$0.isEmpty }
        let parts = given + family
        if !parts.isEmpty { return parts.joined(separator: " ") }
        let text = name.plainText
        return text.isEmpty ? nil : text
    }

    // MARK: - Body

    static func readSection(_ section: xmlNodePtr, depth: Int, into doc: inout ClinicalDocument) {
        guard depth < maxSectionDepth else {
            doc.notices.append("sections nested deeper than \(maxSectionDepth) levels at line \(section.line) were not read")
            return
        }
        let codeNode = section.child("code")
        let system = codeNode?.attribute("codeSystem")
        let code = (system == loincOID || codeNode?.attribute("codeSystemName")?.uppercased() == "LOINC")
            ? codeNode?.attribute("code")?.trimmedWhitespace : nil
        let title = section.child("title")?.plainText
        let heading = [title, codeNode?.attribute("displayName")].compactMap { $0 }.first { !$0.isEmpty } ?? "Section"
        if let textNode = section.child("text") {
            let (text, truncated) = CDANarrative.text(of: textNode)
            if truncated { doc.notices.append("narrative of section '\(heading)' nests deeper than \(CDANarrative.maxDepth) levels; the deepest parts were skipped") }
            if !text.isEmpty { doc.sections.append(Section(title: heading, code: code, text: text)) }
        }
        for component in section.children("component") {
            if let sub = component.child("section") { readSection(sub, depth: depth + 1, into: &doc) }
        }
    }

    static func readNonXMLBody(_ body: xmlNodePtr, into doc: inout ClinicalDocument, file: String) {
        guard let text = body.child("text") else {
            doc.notices.append("the nonXMLBody has no <text> element")
            return
        }
        if let reference = text.child("reference")?.attribute("value") {
            doc.notices.append("the body refers to an external file ('\(reference)'); Quill never fetches referenced files")
            return
        }
        let mediaType = (text.attribute("mediaType") ?? "text/plain").lowercased()
        guard mediaType == "text/plain" else {
            doc.notices.append("the body is of media type \(mediaType); Quill reads only text/plain bodies")
            return
        }
        var content = ""
        var c = text.pointee.children
        while let n = c {
            if n.pointee.type == XML_TEXT_NODE || n.pointee.type == XML_CDATA_SECTION_NODE, let s = n.pointee.content {
                content += String(cString: s)
            }
            c = n.pointee.next
        }
        if text.attribute("representation")?.uppercased() == "B64" {
            guard let bytes = Base64.decode(content) else {
                doc.notices.append("the body says it is base64 (representation=\"B64\") but is not valid base64")
                return
            }
            do {
                content = try TextEncodingDetection.decode(bytes, file: file).text
            } catch {
                doc.notices.append("the base64 body does not decode to text: \(error.reason)")
                return
            }
        }
        let normalized = TextLines.normalizeLineEnds(content).trimmedWhitespace
        guard !normalized.isEmpty else { return }
        doc.sections = TextNoteReader.sections(of: normalized)
    }
}

/// Standard base64 (RFC 4648 §4), blank space ignored, as CDA embeds it.
enum Base64 {
    static func decode(_ s: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count * 3 / 4)
        var acc: UInt32 = 0, bits = 0, padding = 0
        for c in s.utf8 {
            let v: UInt32
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): v = UInt32(c - UInt8(ascii: "A"))
            case UInt8(ascii: "a")...UInt8(ascii: "z"): v = UInt32(c - UInt8(ascii: "a") + 26)
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = UInt32(c - UInt8(ascii: "0") + 52)
            case UInt8(ascii: "+"): v = 62
            case UInt8(ascii: "/"): v = 63
            case UInt8(ascii: "="): padding += 1; continue
            case 0x20, 0x09, 0x0A, 0x0D: continue
            default: return nil
            }
            if padding > 0 { return nil }   // data after padding
            acc = acc << 6 | v
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((acc >> UInt32(bits)) & 0xFF))
            }
        }
        return padding <= 2 ? out : nil
    }
}
