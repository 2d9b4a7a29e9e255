/// The generator's words that the fact check's lexicons (`templates/lexicon/`) must not know, so that the fact
/// check can be measured on vocabulary it was never tuned on: one in five of the generator's drugs and conditions,
/// chosen by a hash of the name (stable whatever the order or length of the vocabulary tables), and brand names
/// that real notes use and the generator never writes. A test checks that no lexicon entry is one of them.
public enum HeldOutVocabulary {
    /// One name in five, by the FNV-1a hash of its lower-case UTF-8 bytes.
    public static func isHeldOut(_ name: String) -> Bool {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.lowercased().utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return h % 5 == 0
    }

    /// The generator's drug names held out of the medication lexicon.
    public static let drugs: [String] = Drugs.all.map(\.name).filter(isHeldOut)

    /// The generator's conditions held out of the synonyms lexicon: diagnoses and past-history terms, each with the
    /// abbreviation notes write for it (the abbreviation goes with its condition, whatever its own hash).
    public static let conditions: [String] = {
        var names: [String] = []
        for group in Conditions.groups {
            for d in group.parsedDiagnoses where isHeldOut(d.name) { names.append(d.name); if let a = d.abbreviation { names.append(a) } }
        }
        for item in History.items where isHeldOut(item.full) {
            names.append(item.full)
            if let a = item.abbreviation { names.append(a) }
        }
        return names
    }()

    /// Brand names as real notes write them, with regimens: none is in the generator's tables or the lexicons.
    static let brands: [Drug] = """
    Eliquis|5 mg PO BID|2.5 mg PO BID
    Lasix|40 mg IV BID|20 mg PO QD
    Keppra|500 mg PO BID|750 mg PO BID
    Zosyn|4.5 g IV q6h|3.375 g IV q8h
    Coumadin|5 mg PO QD|2 mg PO QD
    Plavix|75 mg PO QD
    Lipitor|40 mg PO QHS|80 mg PO QHS
    Norvasc|5 mg PO QD|10 mg PO QD
    Xarelto|20 mg PO QD|15 mg PO BID
    Lovenox|40 mg SC QD|1 mg/kg SC BID
    Protonix|40 mg PO QD|40 mg IV BID
    Zofran|4 mg IV q8h PRN|8 mg PO BID
    Toradol|30 mg IV x 1|15 mg IV q6h
    Dilaudid|0.5 mg IV q4h PRN|2 mg PO q4h PRN
    Synthroid|75 mcg PO QD|50 mcg PO QD
    Flomax|0.4 mg PO QHS
    Augmentin|875 mg PO BID x 7 days
    Rocephin|1 g IV QD|2 g IV QD
    Tylenol|650 mg PO q6h PRN|1 g PO q6h PRN
    Lantus|20 units SC QHS|14 units SC QHS
    Januvia|100 mg PO QD
    Zithromax|500 mg PO QD x 3 days
    Solu-Medrol|125 mg IV x 1|40 mg IV q12h
    Ativan|1 mg IV x 1|0.5 mg PO BID PRN
    Lopressor|25 mg PO BID|12.5 mg PO BID
    Entresto|49/51 mg PO BID|24/26 mg PO BID
    Jardiance|10 mg PO QD
    Ozempic|0.5 mg SC weekly
    """.split(separator: "\n").map { line in
        let parts = line.split(separator: "|").map { String($0).trimmingCharacters(in: .whitespaces) }
        return Drug(name: parts[0], regimens: Array(parts.dropFirst()))
    }

    public static var brandNames: [String] { brands.map(\.name) }

    /// What `FactPlanting` adds as an unsupported drug when measuring on held-out vocabulary.
    static var plantableDrugs: [Drug] { Drugs.all.filter { isHeldOut($0.name) } + brands }

    /// Every drug name the generator writes, and the brand names: what an evaluation recognises as a drug.
    public static var allDrugNames: [String] { Drugs.all.map(\.name) + brandNames }

    /// Every held-out name, lower case: what no lexicon entry may be.
    public static var allNames: Set<String> { Set((drugs + conditions + brandNames).map { $0.lowercased() }) }

    /// Whether a text uses a held-out drug or condition (whole words, any case).
    public static func isUsed(in text: String) -> Bool {
        (drugs + conditions).contains { FactMatching.contains(text, $0) }
    }
}
