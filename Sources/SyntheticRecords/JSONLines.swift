import Foundation

/// One record as one line of JSON: `id`, `task`, `input`, `reference`, `facts`, `patient`
/// (`name`, `id`, `birth_date`, `sex`, `age`), `sections` (ordered `heading`/`text` pairs) and
/// `encounter` (`admission`, `discharge`, `visit`, ISO dates or null). Keys are sorted, so the same
/// record always gives the same bytes.
public enum JSONLines {
    struct Line: Encodable {
        let id: String
        let task: String
        let input: String
        let reference: String
        let facts: [String]
        let patient: PatientJSON
        let sections: [ReferenceSection]
        let encounter: EncounterJSON
    }

    struct PatientJSON: Encodable {
        let name: String?, id: String?, birthDate: String, sex: String, age: Int
        enum CodingKeys: String, CodingKey { case name, id, sex, age, birthDate = "birth_date" }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name); try c.encode(id, forKey: .id)
            try c.encode(birthDate, forKey: .birthDate); try c.encode(sex, forKey: .sex); try c.encode(age, forKey: .age)
        }
    }

    struct EncounterJSON: Encodable {
        let admission: String?, discharge: String?, visit: String?
        enum CodingKeys: String, CodingKey { case admission, discharge, visit }
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(admission, forKey: .admission); try c.encode(discharge, forKey: .discharge); try c.encode(visit, forKey: .visit)
        }
    }

    public static func line(_ r: SyntheticRecord) throws -> String {
        let p = r.patient
        let value = Line(id: r.id, task: r.task.fileName, input: r.input, reference: r.reference, facts: r.facts,
                         patient: PatientJSON(name: p.name, id: p.mrn, birthDate: p.birthDate.iso, sex: p.sex.rawValue, age: p.age),
                         sections: r.sections,
                         encounter: EncounterJSON(admission: r.admission?.iso, discharge: r.discharge?.iso, visit: r.visit?.iso))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
