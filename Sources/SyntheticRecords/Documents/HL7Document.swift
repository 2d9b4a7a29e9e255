import ClinicalDocuments
/// A record as an HL7 v2.5 message: MDM^T02 (TXA + OBX TX lines) or ORU^R01 (OBR + OBX TX lines).
/// PID carries the structured patient (MRN as an MR identifier, name, birth date, sex), PV1 the
/// admission and discharge, and each line of the note one OBX, every field escaped.
public enum HL7Document {
    public enum MessageType: Sendable { case mdmT02, oruR01 }

    public static func render(_ r: SyntheticRecord, as type: MessageType) -> String {
        let stamp = (r.discharge ?? r.visit ?? r.admission ?? r.patient.birthDate).compact + "1200"
        let control = r.id.replacingDashes
        var segments: [String] = []
        let msgType = type == .mdmT02 ? "MDM^T02^MDM_T02" : "ORU^R01^ORU_R01"
        segments.append("MSH|^~\\&|QUILL-SYNTH|SYNTH-HOSPITAL|QUILL|QUILL|\(stamp)||\(msgType)|\(control)|P|2.5")
        if type == .mdmT02 { segments.append("EVN|T02|\(stamp)") }
        let p = r.patient
        let pid3 = p.mrn.map { "\(escape($0))^^^SYNTH^MR" } ?? ""
        let pid5 = p.name == nil ? "" : "\(escape(p.familyName!))^\(escape(p.givenName!))"
        segments.append("PID|1||\(pid3)||\(pid5)||\(p.birthDate.compact)|\(p.sex == .female ? "F" : "M")")
        var pv1 = Array(repeating: "", count: 46)
        pv1[0] = "PV1"; pv1[1] = "1"; pv1[2] = r.task == .soapNote ? "O" : "I"
        pv1[44] = r.admission?.compact ?? ""
        pv1[45] = r.discharge?.compact ?? ""
        segments.append(pv1.joined(separator: "|").trimmingTrailingPipes)
        switch type {
        case .mdmT02:
            segments.append("TXA|1|\(r.task == .soapNote ? "PN" : "DS")|TX|\(stamp)|||||||\(control)||||||AU")
        case .oruR01:
            segments.append("OBR|1|\(control)||11488-4^Clinical note^LN|||\(stamp)")
        }
        let lines = r.input.split(whereSeparator: \.isNewline).map(String.init).filter { !$0.trimmingWhitespace.isEmpty }
        for (i, line) in lines.enumerated() {
            segments.append("OBX|\(i + 1)|TX|11488-4^Clinical note^LN|1|\(escape(line))||||||F")
        }
        return segments.joined(separator: "\r") + "\r"
    }

    /// HL7 v2 escapes (2.5, section 2.7): the escape character first, then the delimiters.
    public static func escape(_ s: String) -> String { HL7Text.escape(s) }
}

extension String {
    var replacingDashes: String { String(map { $0 == "-" ? "_" : $0 }) }
    var trimmingTrailingPipes: String {
        var s = Substring(self)
        while s.hasSuffix("|") { s = s.dropLast() }
        return String(s)
    }
}
