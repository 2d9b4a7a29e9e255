import ClinicalDocuments
/// A record as a CDA R2 document: the patient in `recordTarget`, the stay in
/// `componentOf/encompassingEncounter`, and one `structuredBody` section whose narrative holds the
/// note, one paragraph per line, XML-escaped.
public enum CDADocument {
    public static func render(_ r: SyntheticRecord) -> String {
        let p = r.patient
        let date = (r.discharge ?? r.visit ?? r.admission ?? p.birthDate).compact
        var x = """
        <?xml version="1.0" encoding="UTF-8"?>
        <ClinicalDocument xmlns="urn:hl7-org:v3">
          <realmCode code="US"/>
          <typeId root="2.16.840.1.113883.1.3" extension="POCD_HD000040"/>
          <id root="2.25.4242" extension="\(escape(r.id))"/>
          <code code="11488-4" codeSystem="2.16.840.1.113883.6.1" codeSystemName="LOINC" displayName="Consult note"/>
          <title>Clinical note</title>
          <effectiveTime value="\(date)"/>
          <confidentialityCode code="N" codeSystem="2.16.840.1.113883.5.25"/>
          <languageCode code="en-US"/>
          <recordTarget>
            <patientRole>

        """
        if let mrn = p.mrn { x += "      <id root=\"2.25.4242.1\" extension=\"\(escape(mrn))\"/>\n" }
        else { x += "      <id root=\"2.25.4242.1\" nullFlavor=\"UNK\"/>\n" }
        x += "      <patient>\n"
        if let given = p.givenName, let family = p.familyName {
            x += "        <name use=\"L\"><given>\(escape(given))</given><family>\(escape(family))</family></name>\n"
        }
        x += "        <administrativeGenderCode code=\"\(p.sex == .female ? "F" : "M")\" codeSystem=\"2.16.840.1.113883.5.1\"/>\n"
        x += "        <birthTime value=\"\(p.birthDate.compact)\"/>\n"
        x += "      </patient>\n    </patientRole>\n  </recordTarget>\n"
        if r.admission != nil || r.discharge != nil {
            x += "  <componentOf>\n    <encompassingEncounter>\n      <effectiveTime>\n"
            if let a = r.admission { x += "        <low value=\"\(a.compact)\"/>\n" }
            if let d = r.discharge { x += "        <high value=\"\(d.compact)\"/>\n" }
            x += "      </effectiveTime>\n    </encompassingEncounter>\n  </componentOf>\n"
        }
        x += "  <component>\n    <structuredBody>\n      <component>\n        <section>\n"
        x += "          <title>Clinical note</title>\n          <text>\n"
        for line in r.input.split(whereSeparator: \.isNewline) where !line.trimmingWhitespace.isEmpty {
            x += "            <paragraph>\(escape(String(line)))</paragraph>\n"
        }
        x += "          </text>\n        </section>\n      </component>\n    </structuredBody>\n  </component>\n</ClinicalDocument>\n"
        return x
    }

    /// XML 1.0 character escapes for text and attribute values.
    public static func escape(_ s: String) -> String { XMLText.escape(s) }
}
