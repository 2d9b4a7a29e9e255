/// What HL7 v2 segments mean for a clinical document: PID is the patient, PV1 the encounter,
/// TXA a transcribed document whose OBX lines are its body (MDM), OBR a group of results (ORU)
/// whose OBX and NTE segments become lines of one section, DG1 the diagnoses.
public enum HL7Reader {
    /// Reads every message of a file (several in an FHS/BHS batch), in order. A broken message
    /// yields a failure in its place; the others still come out.
    public static func read(bytes: [UInt8], file: String, limits: DocumentLimits = DocumentLimits()) -> [Result<ClinicalDocument, DocumentError>] {
        do {
            let decoded = try TextEncodingDetection.decode(bytes, file: file)
            return read(text: decoded.text, encoding: decoded.encoding, file: file, limits: limits)
        } catch {
            return [.failure(error)]
        }
    }

    public static func read(text: String, encoding: TextEncoding, file: String,
                            limits: DocumentLimits = DocumentLimits()) -> [Result<ClinicalDocument, DocumentError>] {
        let messages = HL7Parser.split(text, file: file, limits: limits)
        if messages.isEmpty {
            return [.failure(DocumentError(file: file, problem: .hl7(detail: "the file holds no MSH segment, so it holds no message")))]
        }
        let batch = messages.count > 1
        return messages.map { result in
            result.flatMap { message in
                document(from: message, encoding: encoding, file: file, inBatch: batch)
            }
        }
    }

    static func document(from m: HL7Message, encoding: TextEncoding, file: String, inBatch: Bool) -> Result<ClinicalDocument, DocumentError> {
        let msh = m.msh
        func error(_ seg: HL7Segment, _ field: Int?, _ detail: String) -> DocumentError {
            DocumentError(file: file, place: .hl7(message: m.index, segment: seg.id, field: field, line: seg.line), problem: .hl7(detail: detail))
        }
        let type = msh.component(9, 1), trigger = msh.component(9, 2)
        guard !type.isEmpty else {
            return .failure(error(msh, 9, "MSH-9 (message type, e.g. ORU^R01) is empty"))
        }

        var doc = ClinicalDocument(kind: .clinicalNote, task: .dischargeSummary, sourceFormat: .hl7v2,
                                   encoding: encoding, sourceFile: file, messageIndex: inBatch ? m.index : nil)
        doc.title = trigger.isEmpty ? type : "\(type)^\(trigger)"
        var builder = SectionBuilder()

        for seg in m.segments {
            switch seg.id {
            case "PID":
                doc.patient = patient(from: seg, notices: &doc.notices)
            case "PV1":
                readVisit(seg, into: &doc)
            case "TXA":
                let docType = seg.component(2, 1)
                let known = SectionCodes.hl7DocumentTypes[docType.uppercased()]
                let title = known?.title ?? (docType.isEmpty ? "Document" : docType)
                doc.title = title
                builder.open(title: title, code: known?.loinc, isDocumentBody: true)
                for (field, role) in [(9, "originator"), (5, "provider")] {
                    for rep in seg.repetitions(field) {
                        if let name = personName(xcn: rep, seg.delimiters), !doc.authors.contains(where: { $0.name == name }) {
                            doc.authors.append(Author(name: name, role: role))
                        }
                    }
                }
            case "OBR":
                let (title, code) = codedTitle(seg, field: 4)
                builder.open(title: title ?? "Results", code: code, isDocumentBody: false)
            case "OBX":
                let valueType = seg.component(2, 1).uppercased()
                let values = seg.repetitions(5)
                if values.isEmpty || values.allSatisfy({ $0.isEmpty }) { continue }
                guard !valueType.isEmpty else {
                    return .failure(error(seg, 2, "OBX-2 (value type) is empty, so the value in OBX-5 cannot be read; set OBX-2 to TX, NM, CWE…"))
                }
                let (label, _) = codedTitle(seg, field: 3)
                let key = seg.raw(3) + "|" + seg.raw(4)
                switch valueType {
                case "TX", "FT", "ST", "TEXT":
                    builder.addText(seg.text(5), label: label, continuationKey: String(key))
                case "ED", "RP", "AD", "HD", "MO", "CP", "XAD", "XPN", "XON", "XTN", "XCN", "PN", "TN":
                    // Embedded or referenced documents and administrative values are not narrative.
                    doc.notices.append("OBX on line \(seg.line) holds a value of type \(valueType), which Quill does not read as clinical text")
                default:
                    var value = values.map { structuredValue($0, type: valueType, seg.delimiters) }
                        .filter { !$0.isEmpty }.joined(separator: ", ")
                    if value.isEmpty { continue }
                    let units = firstNonEmpty(seg.component(6, 2), seg.component(6, 1))
                    if !units.isEmpty { value += " " + units }
                    let range = seg.component(7, 1)
                    if !range.isEmpty { value += " (reference \(range))" }
                    let flags = seg.repetitions(8).map { HL7Segment.component(of: $0, 1, seg.delimiters) }
                        .filter { !$0.isEmpty && $0.uppercased() != "N" }
                    if !flags.isEmpty { value += " [\(flags.joined(separator: ","))]" }
                    builder.addLine(label.map { "\($0): \(value)" } ?? value)
                }
            case "NTE":
                let comment = seg.text(3).trimmedWhitespace
                if !comment.isEmpty { builder.addLine(comment, defaultTitle: "Notes") }
            case "DG1":
                let code = seg.component(3, 1)
                let text = firstNonEmpty(seg.component(3, 2), seg.component(4, 1), code)
                if text.isEmpty { continue }
                let type = SectionCodes.hl7DiagnosisTypes[seg.component(6, 1).uppercased()]
                var line = text
                if !code.isEmpty && code != text { line += " (\(code))" }
                if let type { line += " [\(type)]" }
                builder.addDiagnosis(line)
            default:
                continue
            }
        }
        doc.sections = builder.finish()
        if doc.sections.isEmpty {
            let where_ = m.msh
            return .failure(DocumentError(file: file, place: .hl7(message: m.index, segment: where_.id, field: 9, line: where_.line),
                                          problem: .noText(detail: "this \(doc.title ?? type) message has no text to summarise (no OBX text or values, no NTE comments, no DG1 diagnoses)")))
        }
        return .success(doc)
    }

    // MARK: - Segments

    static func patient(from pid: HL7Segment, notices: inout [String]) -> Patient {
        var p = Patient()
        let d = pid.delimiters
        if let name = pid.repetitions(5).lazy.compactMap({ personName(xpn: $0, d) }).first { p.name = name }
        // PID-3 is the identifier list; an MR (medical record) identifier wins over the others.
        let ids = pid.repetitions(3)
        let mrn = ids.first { HL7Segment.component(of: $0, 5, d).uppercased() == "MR" }
        p.id = [mrn.map { HL7Segment.component(of: $0, 1, d) }, ids.first.map { HL7Segment.component(of: $0, 1, d) },
                pid.component(2, 1), pid.component(4, 1)].compactMap { $0 }.first { !$0.isEmpty }
        let birth = pid.component(7, 1)
        if !birth.isEmpty {
            if let iso = ClinicalTimestamp.iso(birth, dateOnly: true) { p.birthDate = iso } else {
                p.birthDate = birth
                notices.append("PID-7 (birth date) on line \(pid.line) is not an HL7 date; kept as written")
            }
        }
        switch pid.component(8, 1).uppercased() {
        case "F": p.sex = .female
        case "M": p.sex = .male
        case "O", "A", "N": p.sex = .other
        case "U": p.sex = .unknown
        default: break
        }
        return p
    }

    static func readVisit(_ pv1: HL7Segment, into doc: inout ClinicalDocument) {
        var e = doc.encounter
        let classes = ["I": "inpatient", "O": "outpatient", "E": "emergency", "P": "preadmit", "R": "recurring", "B": "obstetrics"]
        let cls = pv1.component(2, 1)
        if !cls.isEmpty { e.patientClass = classes[cls.uppercased()] ?? cls }
        let loc = [1, 2, 3, 4].map { pv1.component(3, $0) }.filter { !$0.isEmpty }
        if !loc.isEmpty { e.location = loc.joined(separator: ", ") }
        let visit = pv1.component(19, 1)
        if !visit.isEmpty { e.id = visit }
        for (field, keyPath) in [(44, \Encounter.admission), (45, \Encounter.discharge)] {
            let raw = pv1.component(field, 1)
            if raw.isEmpty { continue }
            if let iso = ClinicalTimestamp.iso(raw) { e[keyPath: keyPath] = iso } else {
                e[keyPath: keyPath] = raw
                doc.notices.append("PV1-\(field) on line \(pv1.line) is not an HL7 timestamp; kept as written")
            }
        }
        doc.encounter = e
        for rep in pv1.repetitions(7) {
            if let name = personName(xcn: rep, pv1.delimiters), !doc.authors.contains(where: { $0.name == name }) {
                doc.authors.append(Author(name: name, role: "attending"))
            }
        }
    }

    // MARK: - Data types

    /// XPN: family^given^middle^suffix^prefix… as "Given Middle Family".
    static func personName(xpn rep: Substring, _ d: HL7Delimiters) -> String? {
        let parts = [2, 3, 1].map { HL7Segment.component(of: rep, $0, d) }.filter { !$0.isEmpty }
        return parts.isEmpty ? nil : parts.joined(separator: " ")
    }

    /// XCN: id^family^given^middle^suffix^prefix… as "Given Middle Family", or the id alone, or free text.
    static func personName(xcn rep: Substring, _ d: HL7Delimiters) -> String? {
        let parts = [3, 4, 2].map { HL7Segment.component(of: rep, $0, d) }.filter { !$0.isEmpty }
        if !parts.isEmpty { return parts.joined(separator: " ") }
        let id = HL7Segment.component(of: rep, 1, d)
        return id.isEmpty ? nil : id
    }

    /// A CE/CWE field's text (text, then original text, then identifier) and its LOINC code
    /// when the coding system says LN.
    static func codedTitle(_ seg: HL7Segment, field: Int) -> (String?, String?) {
        let id = seg.component(field, 1), text = seg.component(field, 2), system = seg.component(field, 3)
        let original = seg.component(field, 9)
        let title = firstNonEmpty(text, original, id)
        let code = system.uppercased() == "LN" && !id.isEmpty ? id : nil
        return (title.isEmpty ? nil : title, code)
    }

    /// One repetition of a non-text OBX value, in words.
    static func structuredValue(_ rep: Substring, type: String, _ d: HL7Delimiters) -> String {
        func c(_ n: Int) -> String { HL7Segment.component(of: rep, n, d) }
        switch type {
        case "CE", "CWE", "CNE", "CF", "CD":
            return firstNonEmpty(c(9), c(2), c(1))
        case "SN":
            // comparator^num1^separator/suffix^num2, e.g. ">^10" or "^1^:^128"
            return [c(1), c(2), c(3), c(4)].joined()
        case "DT", "TS", "DTM":
            let v = c(1)
            return ClinicalTimestamp.iso(v) ?? v
        default:
            let comps = HL7Split.split(rep, by: d.component).map { HL7Escapes.unescape($0, d).trimmedWhitespace }
            return comps.filter { !$0.isEmpty }.joined(separator: " ")
        }
    }
}

func firstNonEmpty(_ values: String...) -> String { values.first { !$0.isEmpty } ?? "" }

/// Collects lines into sections as segments arrive. A TXA opens a document body (OBX text lines
/// are its prose); an OBR opens a results section (each OBX becomes "label: value").
struct SectionBuilder {
    private var sections: [Section] = []
    private var current: (title: String, code: String?, lines: [String], body: Bool)?
    private var lastKey: String?

    mutating func open(title: String, code: String?, isDocumentBody: Bool) {
        close()
        current = (title, code, [], isDocumentBody)
    }

    mutating func addText(_ text: String, label: String?, continuationKey: String) {
        let text = text.trimmedWhitespace
        guard !text.isEmpty else { return }
        if current == nil { current = ("Observations", nil, [], false) }
        if current?.body == true || lastKey == continuationKey {
            current?.lines.append(text)
        } else {
            current?.lines.append(label.map { "\($0): \(text)" } ?? text)
        }
        lastKey = continuationKey
    }

    /// DG1 diagnoses gather in one section after the others, wherever the segments sit.
    private var diagnoses: [String] = []
    mutating func addDiagnosis(_ line: String) { diagnoses.append(line) }

    mutating func addLine(_ line: String, defaultTitle: String = "Observations") {
        if current == nil {
            open(title: defaultTitle, code: nil, isDocumentBody: false)
        }
        current?.lines.append(line)
        lastKey = nil
    }

    private mutating func close() {
        if let c = current, !c.lines.isEmpty {
            sections.append(Section(title: c.title, code: c.code, text: c.lines.joined(separator: "\n")))
        }
        current = nil
        lastKey = nil
    }

    mutating func finish() -> [Section] {
        close()
        if !diagnoses.isEmpty { sections.append(Section(title: "Diagnoses", code: nil, text: diagnoses.joined(separator: "\n"))) }
        return sections
    }
}
