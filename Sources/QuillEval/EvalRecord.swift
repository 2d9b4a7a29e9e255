import ClinicalDocuments
import Foundation
import QuillPipeline
import SyntheticRecords

/// One line of `quill synth --format jsonl`: the input document's text, the reference as Quill's plain-text
/// output renders it, the facts the reference must carry, and the structured patient data.
public struct EvalRecord: Sendable, Decodable, Equatable {
    public struct PatientData: Sendable, Decodable, Equatable {
        public var name: String?
        public var id: String?
        public var birthDate: String?
        public var sex: String?
        public var age: Int?
        enum CodingKeys: String, CodingKey { case name, id, sex, age, birthDate = "birth_date" }
    }

    public var id: String
    public var task: DocumentTask
    public var input: String
    public var reference: String
    public var facts: [String]
    public var patient: PatientData?
    /// For a record generated in this process: its document file (text, HL7 v2 or CDA) as the readers gave it.
    public var fileDocument: ClinicalDocument?

    public init(id: String, task: DocumentTask, input: String, reference: String, facts: [String], patient: PatientData? = nil) {
        self.id = id; self.task = task; self.input = input; self.reference = reference; self.facts = facts; self.patient = patient
    }

    /// A generated record, as `quill synth` would write it.
    public init(_ r: SyntheticRecord) {
        let p = r.patient
        self.init(id: r.id, task: r.task, input: r.input, reference: r.reference,
                  facts: r.facts, patient: PatientData(name: p.name, id: p.mrn, birthDate: p.birthDate.iso, sex: p.sex.rawValue, age: p.age))
        fileDocument = try? RecordFiles.readBack(r)
    }

    /// The document the pipeline reads. A record generated here is read from its document file, as training pairs
    /// (`quill synth --prompts`) and the daemon read it. A record loaded from JSONL carries only its text: a note is
    /// read by `TextNoteReader`, a dialogue by `DialogueReader` (the text-file route), and the patient's structured
    /// data fills the patient line, which no score looks at.
    public func document() throws -> ClinicalDocument {
        if let fileDocument { return fileDocument }
        let file = "\(id).txt"
        var document = task == .soapNote
            ? try DialogueReader.read(text: input, encoding: .utf8, file: file)
            : TextNoteReader.read(text: input, encoding: .utf8, file: file)
        if let p = patient {
            document.patient = Patient(name: p.name, id: p.id, birthDate: p.birthDate, sex: p.sex.flatMap(Sex.init(rawValue:)),
                                       ageYears: p.age)
        }
        return document
    }

    /// Reads a JSONL file of records; a line that is not a record is an error naming its line number.
    public static func load(_ url: URL) throws -> [EvalRecord] {
        try JSONLFile.decode(url, as: EvalRecord.self)
    }
}

/// An output generated elsewhere (`tools/demo-model/hf_generate.py`): the section lines for one record.
public struct ExternalOutput: Sendable, Decodable, Equatable {
    public var id: String
    public var task: String
    public var output: String

    /// One JSONL line for a rendered plain-text output: only the section lines the model wrote.
    public static func line(id: String, task: DocumentTask, rendered: String) throws -> String {
        let output = Metrics.modelWrittenPart(of: rendered).trimmingCharacters(in: .newlines)
        let data = try JSONSerialization.data(withJSONObject: ["id": id, "task": task.fileName, "output": output],
                                              options: [.sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    public static func load(_ url: URL) throws -> [String: String] {
        var byID: [String: String] = [:]
        for o in try JSONLFile.decode(url, as: ExternalOutput.self) { byID[o.id] = o.output }
        return byID
    }
}

enum JSONLFile {
    struct BadLine: Error, CustomStringConvertible {
        let file: String, line: Int, reason: String
        var description: String { "\(file):\(line): not a valid record (\(reason))" }
    }

    static func decode<T: Decodable>(_ url: URL, as: T.Type) throws -> [T] {
        let text = try String(contentsOf: url, encoding: .utf8)
        let decoder = JSONDecoder()
        var out: [T] = []
        for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do { out.append(try decoder.decode(T.self, from: Data(line.utf8))) }
            // The decoding error's text can quote the record; name only the field path.
            catch let DecodingError.keyNotFound(key, _) { throw BadLine(file: url.lastPathComponent, line: n + 1, reason: "missing \(key.stringValue)") }
            catch { throw BadLine(file: url.lastPathComponent, line: n + 1, reason: "malformed JSON or wrong field type") }
        }
        return out
    }
}
