import ClinicalDocuments
import Tokenizers

/// The prompt Quill sends for a document, built through the model's own chat template. The same code
/// renders training pairs (`trainingPair`), so the demo model and later adapters are trained on exactly
/// the text the daemon sends.
public enum ClinicalPrompt {
    /// The instruction for a task. All instructions go in the user turn (DeepSeek-R1's advice: no system prompt).
    public static func instruction(_ task: DocumentTask) -> String {
        let headings = task.sections.map(\.heading).joined(separator: ", ")
        switch task {
        case .dischargeSummary:
            return "Write a discharge summary of the clinical note below. Use only facts stated in the note. "
                + "Write one line per section, in this order: \(headings). "
                + "Write \"\(notDocumented)\" for a section the note does not cover."
        case .soapNote:
            return "Write a SOAP note of the doctor-patient dialogue below. Use only facts stated in the dialogue. "
                + "Write one line per section, in this order: \(headings). "
                + "Write \"\(notDocumented)\" for a section the dialogue does not cover."
        }
    }

    /// The document's text as the model reads it: dialogue turns as "Role: text" lines; note sections as
    /// "Title: text" paragraphs (untitled narrative as it is).
    public static func documentText(_ document: ClinicalDocument) -> String {
        if !document.turns.isEmpty {
            return document.turns.map { "\($0.role == .doctor ? "Doctor" : $0.role == .patient ? "Patient" : $0.speaker): \($0.text)" }
                .joined(separator: "\n")
        }
        return document.sections.map { s in
            s.title.isEmpty || s.title == "Narrative" || s.title == "Note" ? s.text : "\(s.title): \(s.text)"
        }.joined(separator: "\n")
    }

    /// The user turn's content for a task and the document's text.
    public static func userMessage(task: DocumentTask, documentText: String) -> String {
        let label = task == .soapNote ? "Dialogue" : "Clinical note"
        return "\(instruction(task))\n\n\(label):\n\(documentText)"
    }

    /// The rendered prompt text (chat template with the generation prompt).
    public static func render(task: DocumentTask, documentText: String, template: ChatTemplate) throws -> String {
        try template.render([ChatMessage(role: "user", content: userMessage(task: task, documentText: documentText))],
                            addGenerationPrompt: true)
    }

    /// The prompt as token ids for serving. The document's text is untrusted: a note that spells out
    /// "<｜User｜>" or "</s>" stays plain text and cannot open a turn (`Tokenizer.encodeChat`).
    public static func encode(task: DocumentTask, documentText: String, tokenizer: Tokenizer,
                              template: ChatTemplate) throws -> (ids: [Int], opensThinking: Bool) {
        let messages = [ChatMessage(role: "user", content: userMessage(task: task, documentText: documentText))]
        let ids = try tokenizer.encodeChat(messages, template: template, addGenerationPrompt: true)
        let rendered = try template.render(messages, addGenerationPrompt: true)
        return (ids, ReasoningText.opensThinking(rendered))
    }

    /// What the model is trained to write after the prompt: one "Heading: text" line per section.
    public static func completion(task: DocumentTask, sections: [String: String]) -> String {
        task.sections.map { "\($0.heading): \(sections[$0.key] ?? notDocumented)" }.joined(separator: "\n")
    }

    /// A (prompt, completion) pair for training, exactly as the daemon would prompt for this document. When the
    /// template opens a thought (DeepSeek-R1's "<think>\n"), the completion closes it at once: the answer follows
    /// "</think>\n\n" as in R1's training format, and section-structured generation forces the same "\n\n".
    public static func trainingPair(task: DocumentTask, documentText: String, sections: [String: String],
                                    template: ChatTemplate) throws -> (prompt: String, completion: String) {
        let prompt = try render(task: task, documentText: documentText, template: template)
        let answer = completion(task: task, sections: sections)
        return (prompt, ReasoningText.opensThinking(prompt) ? "\(ReasoningText.close)\n\n\(answer)" : answer)
    }
}
