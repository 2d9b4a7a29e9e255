import ClinicalDocuments
import CommittedTestData
import Foundation
@testable import QuillPipeline

enum PipelineFixtures {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let templates = repo.appendingPathComponent("templates")

    /// A real model folder's tokenizer files, from the copies committed in Tests/Data/tokenizers.
    static func tokenizerFolder(_ name: String) throws -> URL { try CommittedTestData.url("tokenizers/" + name) }

    /// A discharge note read by the real reader, with structured patient data as an HL7 PID would give it.
    static func dischargeDocument() -> ClinicalDocument {
        var doc = TextNoteReader.read(
            text: "36 y/o female, adm 2025-03-07, c/o headache x 1 week. Dx: appendicitis. PMH: hyperlipidemia. Tx: azithromycin 500 mg x 1 then 250 mg QD x 4 days, albuterol PRN. CT scan: 90% RCA occlusion. Labs: CRP 15 mg/L. D/c 2025-03-07.",
            encoding: .utf8, file: "inbox/note-17.txt")
        doc.patient = Patient(name: "Ana O'Neil & Co|^~", id: "MRN-4821937", birthDate: "1989-01-15", sex: .female, ageYears: 36)
        return doc
    }

    /// Section texts with every character that some output format must escape.
    static func dischargeNote() -> GeneratedNote {
        let texts: [String: String] = [
            "admission": "Admitted on 2025-03-07.",
            "presenting_complaint": "Headache for 1 week.",
            "diagnosis": "Appendicitis <acute> & \"quoted\".",
            "history": "Hyperlipidemia.",
            "treatment": "Azithromycin 500 mg x 1 then 250 mg QD x 4 days; albuterol PRN | ^ ~ \\ done.",
            "investigations": "CT scan: 90% RCA occlusion. CRP 15 mg/L.",
            "discharge": "Discharged on 2025-03-07.",
        ]
        return GeneratedNote(task: .dischargeSummary,
                             sections: DocumentTask.dischargeSummary.sections.map { .init(key: $0.key, heading: $0.heading, text: texts[$0.key] ?? notDocumented) },
                             reasoning: nil, promptTokens: 120, generatedTokens: 80, prefillSeconds: 0.1, generationSeconds: 1)
    }

    static func soapNote() -> GeneratedNote {
        GeneratedNote(task: .soapNote, sections: [
            .init(key: "subjective", heading: "Subjective", text: "Cough for 3 days, no fever."),
            .init(key: "objective", heading: "Objective", text: "BP 120/80, HR 88 bpm, temp 37.2 °C."),
            .init(key: "assessment", heading: "Assessment", text: "Viral bronchitis."),
            .init(key: "plan", heading: "Plan", text: "Rest & fluids; review in 1 week."),
        ], reasoning: nil, promptTokens: 90, generatedTokens: 40, prefillSeconds: 0.1, generationSeconds: 1)
    }

    static func render(_ note: GeneratedNote, document: ClinicalDocument, format: OutputFormat) throws -> String {
        let set = try TemplateSet(folder: templates)
        let context = RenderContext.make(document: document, note: note,
                                         run: RunFacts(modelID: "demo", quantization: "q8", adapterVersion: "v3", inputSHA256: "ab12"),
                                         documentID: "5d0c3f4e-1b2a-4c3d-9e8f-0a1b2c3d4e5f")
        return try set.render(task: note.task, format: format, context: context)
    }

    /// Runs a Python check script with the file as its argument; returns its exit status and output.
    static func python(_ script: String, file: URL) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, file.path]
        let pipe = Pipe()
        p.standardOutput = pipe; p.standardError = pipe
        try p.run(); p.waitUntilExit()
        return (p.terminationStatus, String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    static func temporaryFile(_ name: String, _ text: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("quill-\(UUID().uuidString)-\(name)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
