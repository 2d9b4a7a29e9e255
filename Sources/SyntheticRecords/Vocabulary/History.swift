/// Past medical history: the full term a summary writes, the abbreviation a note may use, the
/// words a patient says in a visit, and the regular medicines that go with it.
struct HistoryItem: Sendable {
    let full: String
    let abbreviation: String?
    let lay: String
    let medicines: [String]
}

enum History {
    static let items: [HistoryItem] = [
        HistoryItem(full: "hypertension", abbreviation: "HTN", lay: "high blood pressure", medicines: ["lisinopril", "amlodipine", "losartan", "perindopril", "indapamide", "hydrochlorothiazide"]),
        HistoryItem(full: "type 2 diabetes mellitus", abbreviation: "T2DM", lay: "type 2 diabetes", medicines: ["metformin", "gliclazide", "sitagliptin", "empagliflozin"]),
        HistoryItem(full: "type 1 diabetes mellitus", abbreviation: "T1DM", lay: "type 1 diabetes", medicines: ["insulin glargine", "insulin aspart"]),
        HistoryItem(full: "hyperlipidemia", abbreviation: "HLD", lay: "high cholesterol", medicines: ["atorvastatin", "simvastatin", "rosuvastatin"]),
        HistoryItem(full: "coronary artery disease", abbreviation: "CAD", lay: "heart disease", medicines: ["aspirin", "atorvastatin", "bisoprolol"]),
        HistoryItem(full: "atrial fibrillation", abbreviation: "AF", lay: "an irregular heartbeat", medicines: ["apixaban", "bisoprolol", "rivaroxaban"]),
        HistoryItem(full: "chronic kidney disease stage 3", abbreviation: "CKD 3", lay: "kidney problems", medicines: []),
        HistoryItem(full: "COPD", abbreviation: nil, lay: "COPD", medicines: ["tiotropium", "fluticasone-salmeterol"]),
        HistoryItem(full: "asthma", abbreviation: nil, lay: "asthma", medicines: ["salbutamol", "budesonide-formoterol"]),
        HistoryItem(full: "obstructive sleep apnea", abbreviation: "OSA", lay: "sleep apnea", medicines: []),
        HistoryItem(full: "gastroesophageal reflux disease", abbreviation: "GERD", lay: "acid reflux", medicines: ["omeprazole", "lansoprazole"]),
        HistoryItem(full: "hypothyroidism", abbreviation: nil, lay: "an underactive thyroid", medicines: ["levothyroxine"]),
        HistoryItem(full: "depression", abbreviation: nil, lay: "depression", medicines: ["sertraline", "citalopram"]),
        HistoryItem(full: "anxiety", abbreviation: nil, lay: "anxiety", medicines: ["sertraline"]),
        HistoryItem(full: "osteoarthritis", abbreviation: "OA", lay: "arthritis", medicines: ["paracetamol"]),
        HistoryItem(full: "previous myocardial infarction", abbreviation: "prior MI", lay: "a heart attack in the past", medicines: ["aspirin", "atorvastatin", "ramipril"]),
        HistoryItem(full: "previous stroke", abbreviation: "CVA", lay: "a stroke before", medicines: ["clopidogrel", "atorvastatin"]),
        HistoryItem(full: "heart failure", abbreviation: "CHF", lay: "heart failure", medicines: ["furosemide", "bisoprolol", "ramipril"]),
        HistoryItem(full: "epilepsy", abbreviation: nil, lay: "epilepsy", medicines: ["levetiracetam", "lamotrigine"]),
        HistoryItem(full: "migraine", abbreviation: nil, lay: "migraines", medicines: ["propranolol"]),
        HistoryItem(full: "gout", abbreviation: nil, lay: "gout", medicines: ["allopurinol"]),
        HistoryItem(full: "rheumatoid arthritis", abbreviation: "RA", lay: "rheumatoid arthritis", medicines: ["methotrexate", "folic acid"]),
        HistoryItem(full: "osteoporosis", abbreviation: nil, lay: "thin bones", medicines: ["alendronate", "cholecalciferol"]),
        HistoryItem(full: "benign prostatic hyperplasia", abbreviation: "BPH", lay: "an enlarged prostate", medicines: ["tamsulosin", "finasteride"]),
        HistoryItem(full: "alcohol excess", abbreviation: "EtOH excess", lay: "drinking too much", medicines: ["thiamine"]),
        HistoryItem(full: "smoker", abbreviation: nil, lay: "smoking", medicines: []),
        HistoryItem(full: "obesity", abbreviation: nil, lay: "weight problems", medicines: []),
        HistoryItem(full: "peripheral vascular disease", abbreviation: "PVD", lay: "poor circulation", medicines: ["aspirin", "atorvastatin"]),
        HistoryItem(full: "previous pulmonary embolism", abbreviation: "prior PE", lay: "a clot in the lung before", medicines: ["apixaban"]),
        HistoryItem(full: "Parkinson's disease", abbreviation: nil, lay: "Parkinson's", medicines: []),
        HistoryItem(full: "dementia", abbreviation: nil, lay: "memory problems", medicines: []),
        HistoryItem(full: "HIV on antiretroviral therapy", abbreviation: "HIV on ART", lay: "HIV", medicines: []),
        HistoryItem(full: "breast cancer in remission", abbreviation: nil, lay: "breast cancer in the past", medicines: []),
        HistoryItem(full: "previous appendectomy", abbreviation: "prior appendectomy", lay: "my appendix out", medicines: []),
        HistoryItem(full: "cholecystectomy", abbreviation: "s/p cholecystectomy", lay: "my gallbladder out", medicines: []),
        HistoryItem(full: "glaucoma", abbreviation: nil, lay: "glaucoma", medicines: ["timolol", "latanoprost"]),
        HistoryItem(full: "psoriasis", abbreviation: nil, lay: "psoriasis", medicines: ["betamethasone"]),
        HistoryItem(full: "eczema", abbreviation: nil, lay: "eczema", medicines: ["hydrocortisone cream"]),
        HistoryItem(full: "chronic hepatitis B", abbreviation: "HBV", lay: "hepatitis B", medicines: []),
        HistoryItem(full: "sickle cell trait", abbreviation: nil, lay: "sickle cell trait", medicines: []),
    ]

    /// Drugs people are allergic to, as both notes and summaries name them.
    static let allergens = ["penicillin", "amoxicillin", "sulfa drugs", "codeine", "morphine", "aspirin", "ibuprofen",
                            "latex", "cephalexin", "clarithromycin", "trimethoprim", "peanuts", "shellfish"]
}
