/// A record as a plain-text file: the structured patient data as labelled header lines (the form
/// the text reader takes them from), a blank line, then the note or the dialogue.
public enum TextDocument {
    public static func render(_ r: SyntheticRecord) -> String {
        var header: [String] = []
        if let name = r.patient.name { header.append("Name: \(name)") }
        if let mrn = r.patient.mrn { header.append("MRN: \(mrn)") }
        header.append("DOB: \(r.patient.birthDate.iso)")
        header.append("Sex: \(r.patient.sex.rawValue)")
        if let visit = r.visit { header.append("Date: \(visit.iso)") }
        let body = r.input.hasSuffix("\n") ? r.input : r.input + "\n"
        return header.joined(separator: "\n") + "\n\n" + body
    }
}
