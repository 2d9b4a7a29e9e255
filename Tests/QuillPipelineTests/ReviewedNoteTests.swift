import ClinicalDocuments
import Foundation
import XCTest
@testable import QuillPipeline

/// A reviewer's saved output reads back into the sections that were rendered, and what cannot be read back
/// is refused with the file and the line.
final class ReviewedNoteTests: XCTestCase {
    let doc = PipelineFixtures.dischargeDocument()

    private func sections(_ note: GeneratedNote) -> [String: String] {
        Dictionary(uniqueKeysWithValues: note.sections.map { ($0.key, $0.text) })
    }

    func testTheTextAndMarkdownOutputsReadBackIntoTheirSections() throws {
        for note in [PipelineFixtures.dischargeNote(), PipelineFixtures.soapNote()] {
            for (format, ext) in [(OutputFormat.text, "txt"), (.markdown, "md")] {
                let rendered = try PipelineFixtures.render(note, document: doc, format: format)
                let back = try ReviewedNote(text: rendered, outputName: "ward-3.\(note.task.fileName).\(ext)")
                XCTAssertEqual(back.task, note.task)
                XCTAssertEqual(back.sections, sections(note), "\(note.task) \(ext)")
            }
        }
    }

    func testAnEditedSectionSpanningLinesIsKeptWithItsLineBreaks() throws {
        var text = try PipelineFixtures.render(PipelineFixtures.soapNote(), document: doc, format: .text)
        text = text.replacingOccurrences(of: "Plan: Rest & fluids; review in 1 week.", with: "Plan: Rest and fluids.\nFollow-up: GP in 1 week.\r")
        let back = try ReviewedNote(text: text, outputName: "a.soap-note.txt")
        XCTAssertEqual(back.sections["plan"], "Rest and fluids.\nFollow-up: GP in 1 week.")
        XCTAssertEqual(back.sections["objective"], "BP 120/80, HR 88 bpm, temp 37.2 °C.", "a colon inside a section's text is text")
    }

    func testAnEmptiedSectionBecomesNotDocumented() throws {
        let md = try PipelineFixtures.render(PipelineFixtures.soapNote(), document: doc, format: .markdown)
            .replacingOccurrences(of: "Viral bronchitis.", with: "")
        XCTAssertEqual(try ReviewedNote(text: md, outputName: "a.soap-note.md").sections["assessment"], notDocumented)
    }

    func testWhatCannotBeReadBackIsNamedWithTheFileAndLine() throws {
        let md = try PipelineFixtures.render(PipelineFixtures.soapNote(), document: doc, format: .markdown)
        func error(_ text: String, _ name: String = "a.soap-note.md") -> ReviewedNoteError? {
            do { _ = try ReviewedNote(text: text, outputName: name); return nil } catch { return error as? ReviewedNoteError }
        }
        let renamed = error(md.replacingOccurrences(of: "## Assessment", with: "## Impression"))
        XCTAssertEqual(renamed?.file, "a.soap-note.md")
        XCTAssertEqual(renamed?.line, md.components(separatedBy: "\n").firstIndex(of: "## Assessment").map { $0 + 1 })
        XCTAssertTrue(renamed?.description.contains("\"Impression\"") ?? false, renamed?.description ?? "")
        let twice = error(md.replacingOccurrences(of: "## Assessment", with: "## Plan"))
        XCTAssertTrue(twice?.problem.contains("twice") ?? false, twice?.description ?? "")
        let dropped = error(md.replacingOccurrences(of: "## Objective\n", with: "")
            .replacingOccurrences(of: "BP 120/80, HR 88 bpm, temp 37.2 °C.\n", with: ""))
        XCTAssertTrue(dropped?.problem.contains("no \"Objective\" section") ?? false, dropped?.description ?? "")
        XCTAssertTrue(error(md, "a.soap-note.cda.xml")?.problem.contains(".txt or .md") ?? false)
        XCTAssertTrue(error(md, "notes.md")?.problem.contains("not named like an output") ?? false)
        XCTAssertEqual(error("Subjective: x\nObjective: y\nAssessment: z\nPlan: w\n", "a.soap-note.txt"), nil, "the title line is optional text")
    }
}
