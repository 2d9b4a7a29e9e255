/// What Quill read from one clinical document, whatever format it came in.
///
/// Everything the later stages need travels here: who the patient is, which encounter,
/// who wrote it, the narrative by section, the dialogue turns, and how the file was read
/// (format, encoding, why this kind and task), so an integration engineer can see why a
/// file was read the way it was. Fields are optional where a format may not carry them.
public struct ClinicalDocument: Sendable, Codable, Equatable {
    public var kind: DocumentKind
    public var task: DocumentTask
    /// Where `kind` and `task` came from: content detection, a file-name suffix or a folder.
    public var kindSource: ChoiceSource
    public var taskSource: ChoiceSource
    /// The document's own title where it has one (CDA `<title>`, HL7 TXA document type).
    public var title: String?
    public var patient: Patient
    public var encounter: Encounter
    public var authors: [Author]
    /// The narrative, in document order. A dialogue may carry a header section too.
    public var sections: [Section]
    /// Speaker turns, in order; empty unless `kind == .dialogue`.
    public var turns: [DialogueTurn]
    public var sourceFormat: SourceFormat
    public var encoding: TextEncoding
    /// The file's name (not its path: paths can carry patient names in some hospitals' folder schemes).
    public var sourceFile: String
    /// For a batch (HL7 FHS/BHS) the 1-based message number inside the file.
    public var messageIndex: Int?
    /// Things a reader skipped or could not use, in words for an integration engineer
    /// (an embedded PDF, an external reference, a date that is not a date). Never logged.
    public var notices: [String]

    public init(kind: DocumentKind, task: DocumentTask, kindSource: ChoiceSource = .content,
                taskSource: ChoiceSource = .content, title: String? = nil,
                patient: Patient = Patient(), encounter: Encounter = Encounter(),
                authors: [Author] = [], sections: [Section] = [], turns: [DialogueTurn] = [],
                sourceFormat: SourceFormat, encoding: TextEncoding, sourceFile: String,
                messageIndex: Int? = nil, notices: [String] = []) {
        self.kind = kind; self.task = task; self.kindSource = kindSource; self.taskSource = taskSource
        self.title = title; self.patient = patient; self.encounter = encounter; self.authors = authors
        self.sections = sections; self.turns = turns; self.sourceFormat = sourceFormat
        self.encoding = encoding; self.sourceFile = sourceFile; self.messageIndex = messageIndex
        self.notices = notices
    }

    enum CodingKeys: String, CodingKey {
        case kind, task, title, patient, encounter, authors, sections, turns, encoding, notices
        case kindSource = "kind_source", taskSource = "task_source"
        case sourceFormat = "source_format", sourceFile = "source_file", messageIndex = "message_index"
    }

    /// Optional fields are written as null rather than left out, so every documented key is present.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind); try c.encode(task, forKey: .task)
        try c.encode(kindSource, forKey: .kindSource); try c.encode(taskSource, forKey: .taskSource)
        try c.encode(title, forKey: .title); try c.encode(patient, forKey: .patient)
        try c.encode(encounter, forKey: .encounter); try c.encode(authors, forKey: .authors)
        try c.encode(sections, forKey: .sections); try c.encode(turns, forKey: .turns)
        try c.encode(sourceFormat, forKey: .sourceFormat); try c.encode(encoding, forKey: .encoding)
        try c.encode(sourceFile, forKey: .sourceFile); try c.encode(messageIndex, forKey: .messageIndex)
        try c.encode(notices, forKey: .notices)
    }

    /// All narrative text the model will see: section texts and turn texts. Used for the length limit.
    public var textLength: Int {
        sections.reduce(0) { $0 + $1.text.count } + turns.reduce(0) { $0 + $1.text.count }
    }
}

/// What the document is: a written note, or a recorded conversation.
public enum DocumentKind: String, Sendable, Codable, CaseIterable {
    case clinicalNote = "clinical_note"
    case dialogue
}

/// Why a kind or task was chosen.
public enum ChoiceSource: String, Sendable, Codable {
    case content          // detected from the document itself
    case fileSuffix = "file_suffix"
    case folder
}

public enum SourceFormat: String, Sendable, Codable {
    case plainText = "plain_text"
    case webVTT = "webvtt"
    case hl7v2
    case cda
}

public enum Sex: String, Sendable, Codable {
    case female, male, other, unknown
}

public struct Patient: Sendable, Codable, Equatable {
    /// Display name, given names first ("Isabella Jones").
    public var name: String?
    /// The first identifier the source gives (MRN where the source marks one).
    public var id: String?
    /// ISO 8601 date ("2005-05-01") when the source gives one unambiguously, else as written.
    public var birthDate: String?
    public var sex: Sex?
    /// Age in years where a note states it ("36 y/o female") and no birth date is given.
    public var ageYears: Int?

    public init(name: String? = nil, id: String? = nil, birthDate: String? = nil, sex: Sex? = nil, ageYears: Int? = nil) {
        self.name = name; self.id = id; self.birthDate = birthDate; self.sex = sex; self.ageYears = ageYears
    }

    enum CodingKeys: String, CodingKey {
        case name, id, sex
        case birthDate = "birth_date", ageYears = "age_years"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name); try c.encode(id, forKey: .id)
        try c.encode(birthDate, forKey: .birthDate); try c.encode(sex, forKey: .sex)
        try c.encode(ageYears, forKey: .ageYears)
    }
}

public struct Encounter: Sendable, Codable, Equatable {
    public var id: String?
    /// ISO 8601 date or date-time (with offset when the source has one), else as written.
    public var admission: String?
    public var discharge: String?
    public var location: String?
    /// Inpatient, outpatient, emergency… as the source names it.
    public var patientClass: String?

    public init(id: String? = nil, admission: String? = nil, discharge: String? = nil,
                location: String? = nil, patientClass: String? = nil) {
        self.id = id; self.admission = admission; self.discharge = discharge
        self.location = location; self.patientClass = patientClass
    }

    enum CodingKeys: String, CodingKey {
        case id, admission, discharge, location
        case patientClass = "patient_class"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(admission, forKey: .admission)
        try c.encode(discharge, forKey: .discharge); try c.encode(location, forKey: .location)
        try c.encode(patientClass, forKey: .patientClass)
    }

    public var isEmpty: Bool { self == Encounter() }
}

/// A person who wrote or is responsible for the document.
public struct Author: Sendable, Codable, Equatable {
    public var name: String
    /// "author", "attending", "originator"… as the source names the role.
    public var role: String?
    public var time: String?

    public init(name: String, role: String? = nil, time: String? = nil) {
        self.name = name; self.role = role; self.time = time
    }
}

public struct Section: Sendable, Codable, Equatable {
    public var title: String
    /// LOINC code where the source gives one or the heading is a known one.
    public var code: String?
    public var text: String

    public init(title: String, code: String? = nil, text: String) {
        self.title = title; self.code = code; self.text = text
    }

    enum CodingKeys: String, CodingKey { case title, code, text }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(title, forKey: .title); try c.encode(code, forKey: .code); try c.encode(text, forKey: .text)
    }
}

public enum SpeakerRole: String, Sendable, Codable {
    case doctor, patient, other
}

public struct DialogueTurn: Sendable, Codable, Equatable {
    public var role: SpeakerRole
    /// The label as written ("Doctor", "[patient_guest]" → "patient_guest", "Dr. Smith").
    public var speaker: String
    public var text: String

    public init(role: SpeakerRole, speaker: String, text: String) {
        self.role = role; self.speaker = speaker; self.text = text
    }
}
