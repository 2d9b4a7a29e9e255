/// The phrase a section holds when the input gives no facts for it (the model is trained to write it;
/// templates and the fact check recognise it).
public let notDocumented = "Not documented."
