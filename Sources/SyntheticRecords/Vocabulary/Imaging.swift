/// Imaging and bedside tests: the name a summary uses, and the short forms notes write.
/// Findings are written by each condition group and copied verbatim to the summary.
struct Modality: Sendable {
    let name: String
    let noteForms: [String]
}

enum Imaging {
    static let byKey: [String: Modality] = [
        "cxr": Modality(name: "Chest X-ray", noteForms: ["CXR", "Chest X-ray", "chest x-ray", "CXR"]),
        "ct": Modality(name: "CT scan", noteForms: ["CT scan", "CT"]),
        "cthead": Modality(name: "CT head", noteForms: ["CT head", "CTH", "CT brain"]),
        "ctpa": Modality(name: "CT pulmonary angiogram", noteForms: ["CTPA", "CT pulmonary angiogram"]),
        "ctabd": Modality(name: "CT abdomen and pelvis", noteForms: ["CT abd/pelvis", "CT A/P", "CT abdomen and pelvis"]),
        "ctangio": Modality(name: "CT angiogram", noteForms: ["CTA", "CT angiogram"]),
        "ctchest": Modality(name: "CT chest", noteForms: ["CT chest", "CT thorax"]),
        "mribrain": Modality(name: "MRI brain", noteForms: ["MRI brain", "MRI head"]),
        "mrispine": Modality(name: "MRI spine", noteForms: ["MRI spine", "MRI L-spine", "MRI whole spine"]),
        "mrcp": Modality(name: "MRCP", noteForms: ["MRCP"]),
        "usabd": Modality(name: "Ultrasound abdomen", noteForms: ["US abdomen", "USS abdo", "abdominal US", "Ultrasound abdomen"]),
        "uspelvis": Modality(name: "Pelvic ultrasound", noteForms: ["pelvic US", "TVUS", "Pelvic ultrasound"]),
        "usrenal": Modality(name: "Renal ultrasound", noteForms: ["renal US", "US KUB", "Renal ultrasound"]),
        "usdoppler": Modality(name: "Doppler ultrasound", noteForms: ["Doppler US", "duplex", "Doppler ultrasound"]),
        "usneck": Modality(name: "Ultrasound neck", noteForms: ["US neck", "Ultrasound neck"]),
        "usscrotal": Modality(name: "Scrotal ultrasound", noteForms: ["scrotal US", "Scrotal ultrasound"]),
        "echo": Modality(name: "Echocardiogram", noteForms: ["Echo", "TTE", "Echocardiogram"]),
        "ecg": Modality(name: "ECG", noteForms: ["ECG", "EKG"]),
        "angio": Modality(name: "Coronary angiogram", noteForms: ["Cath", "Angio", "Coronary angiogram"]),
        "xray": Modality(name: "X-ray", noteForms: ["XR", "X-ray", "x-ray"]),
        "axr": Modality(name: "Abdominal X-ray", noteForms: ["AXR", "Abdominal X-ray"]),
        "eeg": Modality(name: "EEG", noteForms: ["EEG"]),
        "lp": Modality(name: "Lumbar puncture", noteForms: ["LP", "Lumbar puncture"]),
        "ogd": Modality(name: "Endoscopy", noteForms: ["OGD", "EGD", "Endoscopy"]),
        "colonoscopy": Modality(name: "Colonoscopy", noteForms: ["Colonoscopy", "Scope"]),
        "spirometry": Modality(name: "Spirometry", noteForms: ["Spirometry", "PFTs"]),
        "dexa": Modality(name: "DEXA scan", noteForms: ["DEXA", "DEXA scan"]),
        "bonemarrow": Modality(name: "Bone marrow biopsy", noteForms: ["BM biopsy", "Bone marrow biopsy"]),
        "ncs": Modality(name: "Nerve conduction studies", noteForms: ["NCS", "Nerve conduction studies"]),
        "holter": Modality(name: "Holter monitor", noteForms: ["Holter", "24h tape", "Holter monitor"]),
    ]

    static func named(_ key: String) -> Modality {
        guard let m = byKey[key] else { preconditionFailure("modality '\(key)' is not in Imaging.byKey") }
        return m
    }
}
