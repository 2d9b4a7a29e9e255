import ClinicalDocuments
/// The patient as the hospital's systems know it (PID, recordTarget). Name and MRN may be unknown;
/// age is the age in whole years on the admission or visit date, consistent with the birth date.
public struct SyntheticPatient: Sendable, Equatable {
    public var givenName: String?
    public var familyName: String?
    public var mrn: String?
    public var birthDate: CalendarDate
    public var sex: PatientSex
    public var age: Int

    /// "Given Family", as the document readers report a name.
    public var name: String? {
        guard let givenName, let familyName else { return nil }
        return "\(givenName) \(familyName)"
    }

    public var referenceLine: PlainTextReference.PatientLine {
        PlainTextReference.PatientLine(name: name, sex: sex.rawValue, ageYears: age, mrn: mrn)
    }
}

public enum PatientSex: String, Sendable, Codable { case female, male }

/// One synthetic record: the input document's text, the reference output and the facts it must carry.
public struct SyntheticRecord: Sendable, Equatable {
    public var id: String
    /// Position in its run; decides which file format `RecordFiles` writes it as.
    public var index: Int
    public var task: DocumentTask
    /// The note or dialogue as a clinician or transcriber wrote it (no structured header).
    public var input: String
    public var patient: SyntheticPatient
    public var admission: CalendarDate?
    public var discharge: CalendarDate?
    /// The date of a visit (SOAP records).
    public var visit: CalendarDate?
    public var sections: [ReferenceSection]
    /// Strings the reference must carry verbatim (letter case aside), each supported by the input.
    public var facts: [String]

    public var reference: String {
        PlainTextReference.render(task: task, patient: patient.referenceLine, sections: sections)
    }
}
