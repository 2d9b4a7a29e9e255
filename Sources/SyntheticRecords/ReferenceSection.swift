/// One section of a reference: a heading of its task (`DocumentTask.sections`) and a one-line body.
public struct ReferenceSection: Sendable, Codable, Equatable {
    public var heading: String
    public var text: String

    public init(heading: String, text: String) { self.heading = heading; self.text = text }
}
