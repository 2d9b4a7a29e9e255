/// Laboratory tests with the units hospitals report them in and plausible values. Where countries
/// differ (creatinine µmol/L or mg/dL, glucose mmol/L or mg/dL, Hb g/dL or g/L) each unit has its own
/// range, so a value always fits its unit.
struct LabTest: Sendable {
    /// The name as written in the note and the summary ("CRP", "Hb", "WBC").
    let names: [String]
    /// (unit, normal range, abnormal range, decimals); the unit may be empty ("INR 2.1", "pH 7.21").
    let units: [(unit: String, normal: ClosedRange<Double>, abnormal: ClosedRange<Double>, decimals: Int)]
}

enum LabTests {
    static let byKey: [String: LabTest] = [
        "crp": LabTest(names: ["CRP"], units: [("mg/L", 1...8, 20...320, 0)]),
        "esr": LabTest(names: ["ESR"], units: [("mm/h", 2...15, 30...110, 0)]),
        "hb": LabTest(names: ["Hb", "Hgb"], units: [("g/dL", 12...15.5, 6.2...10.8, 1), ("g/L", 120...155, 62...108, 0)]),
        "wbc": LabTest(names: ["WBC"], units: [("x10^9/L", 4...10.5, 11.5...28, 1)]),
        "neut": LabTest(names: ["neutrophils"], units: [("x10^9/L", 2...7, 0.1...0.9, 1)]),
        "plt": LabTest(names: ["platelets", "Plt"], units: [("x10^9/L", 160...380, 8...95, 0)]),
        "mcv": LabTest(names: ["MCV"], units: [("fL", 82...96, 62...76, 0)]),
        "mcvhigh": LabTest(names: ["MCV"], units: [("fL", 82...96, 104...122, 0)]),
        "trop": LabTest(names: ["troponin", "hs-TnT", "troponin I"], units: [("ng/L", 2...12, 45...2400, 0)]),
        "bnp": LabTest(names: ["BNP"], units: [("pg/mL", 20...90, 450...3800, 0)]),
        "ntprobnp": LabTest(names: ["NT-proBNP"], units: [("pg/mL", 50...120, 900...12000, 0)]),
        "ddimer": LabTest(names: ["D-dimer"], units: [("ng/mL", 100...400, 900...6500, 0)]),
        "creat": LabTest(names: ["creatinine", "Cr"], units: [("µmol/L", 55...100, 160...640, 0), ("mg/dL", 0.6...1.1, 1.9...7.2, 1)]),
        "urea": LabTest(names: ["urea"], units: [("mmol/L", 3...7, 12...38, 1)]),
        "bun": LabTest(names: ["BUN"], units: [("mg/dL", 8...20, 35...110, 0)]),
        "egfr": LabTest(names: ["eGFR"], units: [("mL/min/1.73m2", 75...110, 9...42, 0)]),
        "na": LabTest(names: ["Na", "sodium"], units: [("mmol/L", 136...144, 112...129, 0)]),
        "k": LabTest(names: ["K", "potassium"], units: [("mmol/L", 3.6...4.9, 6.0...7.4, 1)]),
        "klow": LabTest(names: ["K", "potassium"], units: [("mmol/L", 3.6...4.9, 2.1...3.1, 1)]),
        "ca": LabTest(names: ["calcium", "corrected Ca"], units: [("mmol/L", 2.2...2.55, 2.9...3.8, 2)]),
        "mg": LabTest(names: ["Mg", "magnesium"], units: [("mmol/L", 0.75...1.0, 0.35...0.6, 2)]),
        "glucose": LabTest(names: ["glucose", "BM"], units: [("mmol/L", 4.2...7.0, 18...42, 1), ("mg/dL", 75...125, 320...760, 0)]),
        "glucoselow": LabTest(names: ["glucose", "BM"], units: [("mmol/L", 4.2...7.0, 1.4...3.2, 1), ("mg/dL", 75...125, 25...55, 0)]),
        "hba1c": LabTest(names: ["HbA1c"], units: [("%", 4.8...5.9, 8.1...14.2, 1), ("mmol/mol", 29...41, 65...132, 0)]),
        "ketones": LabTest(names: ["ketones", "blood ketones"], units: [("mmol/L", 0.1...0.5, 3.2...7.5, 1)]),
        "ph": LabTest(names: ["pH"], units: [("", 7.36...7.44, 6.95...7.28, 2)]),
        "bicarb": LabTest(names: ["HCO3", "bicarbonate"], units: [("mmol/L", 22...28, 5...16, 0)]),
        "lactate": LabTest(names: ["lactate"], units: [("mmol/L", 0.6...1.8, 2.4...9.8, 1)]),
        "pco2": LabTest(names: ["pCO2"], units: [("kPa", 4.7...6.0, 6.8...10.5, 1)]),
        "po2": LabTest(names: ["pO2"], units: [("kPa", 10.5...13.5, 6.1...8.4, 1)]),
        "inr": LabTest(names: ["INR"], units: [("", 0.9...1.2, 1.8...6.4, 1)]),
        "aptt": LabTest(names: ["APTT"], units: [("s", 26...36, 48...95, 0)]),
        "fibrinogen": LabTest(names: ["fibrinogen"], units: [("g/L", 2...4, 0.6...1.4, 1)]),
        "alt": LabTest(names: ["ALT"], units: [("U/L", 10...40, 120...2600, 0)]),
        "ast": LabTest(names: ["AST"], units: [("U/L", 10...40, 110...1900, 0)]),
        "alp": LabTest(names: ["ALP"], units: [("U/L", 40...130, 240...880, 0)]),
        "ggt": LabTest(names: ["GGT"], units: [("U/L", 10...55, 180...1200, 0)]),
        "bili": LabTest(names: ["bilirubin", "bili"], units: [("µmol/L", 5...20, 42...380, 0), ("mg/dL", 0.3...1.1, 2.5...22, 1)]),
        "albumin": LabTest(names: ["albumin"], units: [("g/L", 36...48, 18...29, 0), ("g/dL", 3.6...4.8, 1.8...2.9, 1)]),
        "lipase": LabTest(names: ["lipase"], units: [("U/L", 15...60, 480...4200, 0)]),
        "amylase": LabTest(names: ["amylase"], units: [("U/L", 30...110, 420...3100, 0)]),
        "ammonia": LabTest(names: ["ammonia"], units: [("µmol/L", 15...45, 80...240, 0)]),
        "ck": LabTest(names: ["CK"], units: [("U/L", 40...200, 2500...68000, 0)]),
        "tsh": LabTest(names: ["TSH"], units: [("mIU/L", 0.5...4.0, 0.01...0.08, 2)]),
        "tshhigh": LabTest(names: ["TSH"], units: [("mIU/L", 0.5...4.0, 18...140, 1)]),
        "ft4": LabTest(names: ["free T4", "fT4"], units: [("pmol/L", 10...22, 38...95, 0)]),
        "ft4low": LabTest(names: ["free T4", "fT4"], units: [("pmol/L", 10...22, 1.5...6.5, 1)]),
        "cortisol": LabTest(names: ["cortisol", "9am cortisol"], units: [("nmol/L", 180...550, 25...95, 0)]),
        "ferritin": LabTest(names: ["ferritin"], units: [("ng/mL", 30...300, 2...12, 0)]),
        "b12": LabTest(names: ["B12", "vitamin B12"], units: [("pg/mL", 250...900, 60...160, 0), ("ng/L", 250...900, 60...160, 0)]),
        "folate": LabTest(names: ["folate"], units: [("ng/mL", 4...20, 0.8...2.6, 1)]),
        "ldh": LabTest(names: ["LDH"], units: [("U/L", 120...250, 480...2400, 0)]),
        "retic": LabTest(names: ["reticulocytes"], units: [("%", 0.5...2.0, 6...18, 1)]),
        "uricacid": LabTest(names: ["urate", "uric acid"], units: [("mg/dL", 3.5...7.0, 8.6...13.5, 1), ("µmol/L", 200...420, 510...800, 0)]),
        "pct": LabTest(names: ["procalcitonin", "PCT"], units: [("ng/mL", 0.02...0.09, 0.6...48, 1)]),
        "lithium": LabTest(names: ["lithium level"], units: [("mmol/L", 0.4...1.0, 1.6...4.2, 1)]),
        "digoxin": LabTest(names: ["digoxin level"], units: [("ng/mL", 0.5...0.9, 2.3...6.1, 1)]),
        "paracetamol": LabTest(names: ["paracetamol level"], units: [("mg/L", 0...5, 60...320, 0)]),
        "ethanol": LabTest(names: ["ethanol", "blood alcohol"], units: [("mg/dL", 0...10, 150...420, 0)]),
        "cohb": LabTest(names: ["COHb", "carboxyhemoglobin"], units: [("%", 0.5...2.5, 14...42, 0)]),
        "hcg": LabTest(names: ["beta-hCG", "serum hCG"], units: [("IU/L", 0...4, 850...24000, 0)]),
        "csfwcc": LabTest(names: ["CSF WCC"], units: [("cells/µL", 0...4, 180...3200, 0)]),
        "csfprotein": LabTest(names: ["CSF protein"], units: [("g/L", 0.15...0.45, 0.9...3.6, 1)]),
        "urineosm": LabTest(names: ["urine osmolality"], units: [("mOsm/kg", 50...100, 380...820, 0)]),
        "serumosm": LabTest(names: ["serum osmolality"], units: [("mOsm/kg", 280...295, 320...380, 0)]),
        "platelets4t": LabTest(names: ["anti-PF4 antibody"], units: [("OD", 0.1...0.3, 1.2...2.8, 1)]),
        "psa": LabTest(names: ["PSA"], units: [("ng/mL", 0.5...3.5, 6.5...48, 1)]),
        "calprotectin": LabTest(names: ["faecal calprotectin"], units: [("µg/g", 10...45, 280...2400, 0)]),
    ]

    static func named(_ key: String) -> LabTest {
        guard let t = byKey[key] else { preconditionFailure("lab '\(key)' is not in LabTests.byKey") }
        return t
    }
}
