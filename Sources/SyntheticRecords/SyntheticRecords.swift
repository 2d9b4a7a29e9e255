import ClinicalDocuments
/// The generator's front door: `count` records of a task for a seed. Record n depends only on the
/// seed and n, so a longer run starts with the records of a shorter one.
public enum SyntheticRecords {
    public static func generate(task: DocumentTask, count: Int, seed: UInt64, startingAt first: Int = 0) -> [SyntheticRecord] {
        (first..<(first + count)).map { record(task: task, seed: seed, index: $0) }
    }

    public static func record(task: DocumentTask, seed: UInt64, index: Int) -> SyntheticRecord {
        switch task {
        case .dischargeSummary: return DischargeGenerator.record(seed: seed, index: index)
        case .soapNote: return SOAPGenerator.record(seed: seed, index: index)
        }
    }
}
