import Foundation

/// Drugs with regimens as clinicians write them (dose and unit, route, frequency, duration).
/// A regimen is copied verbatim from note to summary, so every dose here is a fact to carry.
/// Dialogues speak the same regimen through `Regimen.spoken`.
struct Drug: Sendable {
    let name: String
    let regimens: [String]
}

enum Drugs {
    /// One entry per line: `name|regimen|regimen…`. Parsed once; the order is the file's.
    static let all: [Drug] = table.split(separator: "\n").map { line in
        let parts = line.split(separator: "|").map { String($0).trimmingCharacters(in: .whitespaces) }
        return Drug(name: parts[0], regimens: Array(parts.dropFirst()))
    }

    static let byName: [String: Drug] = Dictionary(uniqueKeysWithValues: all.map { ($0.name, $0) })

    static func named(_ name: String) -> Drug {
        guard let d = byName[name] else { preconditionFailure("drug '\(name)' is not in Drugs.table") }
        return d
    }

    private static let table = """
    amoxicillin|500 mg PO TID x 7 days|1 g PO TID x 5 days|500 mg TID x 5 days
    co-amoxiclav|625 mg PO TID x 7 days|1.2 g IV TID|875 mg PO BID x 7 days
    azithromycin|500 mg x 1 then 250 mg QD x 4 days|500 mg PO QD x 3 days|500 mg IV QD
    clarithromycin|500 mg PO BID x 7 days|500 mg IV BID
    doxycycline|100 mg PO BID x 7 days|200 mg x 1 then 100 mg QD x 6 days
    ceftriaxone|1 g IV QD|2 g IV QD x 5 days|2 g IV BID
    cefuroxime|500 mg PO BID x 7 days|1.5 g IV TID
    cephalexin|500 mg PO QID x 7 days|500 mg PO q6h x 10 days
    cefazolin|2 g IV q8h|1 g IV q8h
    piperacillin-tazobactam|4.5 g IV q8h|4.5 g IV q6h
    meropenem|1 g IV q8h|2 g IV q8h
    vancomycin|1 g IV q12h|15 mg/kg IV q12h|125 mg PO QID x 10 days
    metronidazole|500 mg PO TID x 7 days|500 mg IV q8h|400 mg PO BID x 5 days
    ciprofloxacin|500 mg PO BID x 7 days|400 mg IV q12h|500 mg PO BID x 3 days
    levofloxacin|750 mg PO QD x 5 days|500 mg IV QD
    nitrofurantoin|100 mg PO BID x 5 days|50 mg PO QID x 7 days
    trimethoprim|200 mg PO BID x 3 days|200 mg PO BID x 7 days
    trimethoprim-sulfamethoxazole|960 mg PO BID x 7 days|160/800 mg PO BID x 14 days
    flucloxacillin|500 mg PO QID x 7 days|1 g IV q6h|2 g IV q6h
    clindamycin|300 mg PO QID x 7 days|600 mg IV q8h|450 mg PO TID x 10 days
    gentamicin|5 mg/kg IV QD|80 mg IV q8h
    benzylpenicillin|1.2 g IV q4h|2.4 g IV q4h
    penicillin V|500 mg PO QID x 10 days|250 mg PO QID x 10 days
    linezolid|600 mg PO BID x 10 days|600 mg IV q12h
    fidaxomicin|200 mg PO BID x 10 days
    oseltamivir|75 mg PO BID x 5 days
    acyclovir|800 mg PO 5 times daily x 7 days|10 mg/kg IV q8h
    valacyclovir|1 g PO TID x 7 days
    fluconazole|150 mg PO x 1|200 mg PO QD x 14 days
    nystatin|100,000 units PO QID x 7 days
    artemether-lumefantrine|4 tablets PO BID x 3 days
    ivermectin|200 mcg/kg PO x 1
    rifampicin|600 mg PO QD
    aspirin|300 mg x 1 then 75 mg QD|81 mg PO QD|75 mg PO QD
    clopidogrel|300 mg x 1 then 75 mg QD|600 mg x 1 then 75 mg QD|75 mg PO QD x 12 months
    ticagrelor|180 mg x 1 then 90 mg BID|90 mg PO BID x 12 months
    prasugrel|60 mg x 1 then 10 mg QD
    atorvastatin|80 mg PO QHS|40 mg PO QD|20 mg PO QD
    rosuvastatin|20 mg PO QD|10 mg PO QD
    simvastatin|40 mg PO QHS|20 mg PO QHS
    ezetimibe|10 mg PO QD
    metoprolol|25 mg PO BID|50 mg PO BID|5 mg IV x 3 doses
    bisoprolol|2.5 mg PO QD|5 mg PO QD|1.25 mg PO QD
    carvedilol|3.125 mg PO BID|6.25 mg PO BID
    atenolol|25 mg PO QD|50 mg PO QD
    propranolol|40 mg PO BID|10 mg PO TID|80 mg PO QD
    ramipril|2.5 mg PO QD|5 mg PO QD|10 mg PO QD
    lisinopril|10 mg PO QD|5 mg PO QD|20 mg PO QD
    enalapril|5 mg PO BID|10 mg PO BID
    perindopril|4 mg PO QD|2 mg PO QD
    losartan|50 mg PO QD|25 mg PO QD
    valsartan|80 mg PO BID|40 mg PO BID
    candesartan|8 mg PO QD|4 mg PO QD
    sacubitril-valsartan|24/26 mg PO BID|49/51 mg PO BID
    amlodipine|5 mg PO QD|10 mg PO QD
    nifedipine|30 mg PO QD|10 mg PO BID
    diltiazem|60 mg PO TID|120 mg PO QD|0.25 mg/kg IV x 1
    verapamil|80 mg PO TID|5 mg IV x 1
    hydralazine|25 mg PO TID|10 mg IV x 1
    labetalol|200 mg PO BID|20 mg IV x 1|100 mg PO BID
    doxazosin|4 mg PO QD|2 mg PO QHS
    furosemide|40 mg IV BID|40 mg PO QD|80 mg IV BID|20 mg PO QD
    bumetanide|1 mg PO QD|2 mg IV BID
    spironolactone|25 mg PO QD|100 mg PO QD
    eplerenone|25 mg PO QD
    hydrochlorothiazide|25 mg PO QD|12.5 mg PO QD
    indapamide|2.5 mg PO QD
    digoxin|250 mcg PO QD|62.5 mcg PO QD|500 mcg IV x 1
    amiodarone|200 mg PO TID x 7 days|300 mg IV x 1|200 mg PO QD
    adenosine|6 mg IV x 1|12 mg IV x 1
    flecainide|100 mg PO BID|50 mg PO BID
    ivabradine|5 mg PO BID
    dapagliflozin|10 mg PO QD
    empagliflozin|10 mg PO QD|25 mg PO QD
    glyceryl trinitrate|400 mcg SL PRN|0.5 mg SL PRN
    isosorbide mononitrate|30 mg PO QD|60 mg PO QD
    ranolazine|500 mg PO BID
    colchicine|0.5 mg PO BID x 3 months|0.6 mg PO BID|500 mcg PO BID x 5 days
    heparin|5000 units SC BID|5000 units SC TID|80 units/kg IV bolus then 18 units/kg/h
    enoxaparin|40 mg SC QD|1 mg/kg SC BID|1.5 mg/kg SC QD
    dalteparin|5000 units SC QD|200 units/kg SC QD
    fondaparinux|2.5 mg SC QD|7.5 mg SC QD
    apixaban|10 mg BID x 7 days then 5 mg BID|5 mg PO BID|2.5 mg PO BID
    rivaroxaban|15 mg BID x 21 days then 20 mg QD|20 mg PO QD|15 mg PO QD
    dabigatran|150 mg PO BID|110 mg PO BID
    edoxaban|60 mg PO QD|30 mg PO QD
    warfarin|5 mg PO QD|3 mg PO QD|2 mg PO QHS
    alteplase|0.9 mg/kg IV x 1|50 mg IV x 1
    tranexamic acid|1 g IV TID|1 g IV x 1|1 g PO TID x 5 days
    vitamin K|10 mg IV x 1|5 mg PO x 1
    insulin glargine|20 units SC QHS|10 units SC QD|0.2 units/kg SC QD
    insulin aspart|6 units SC TID with meals|4 units SC TID with meals
    insulin lispro|8 units SC TID with meals|per sliding scale
    regular insulin|0.1 units/kg/h IV infusion|6 units/h IV infusion
    metformin|500 mg PO BID|1 g PO BID|850 mg PO BID
    gliclazide|80 mg PO BID|40 mg PO QD
    glipizide|5 mg PO QD|10 mg PO BID
    sitagliptin|100 mg PO QD|50 mg PO QD
    semaglutide|0.25 mg SC weekly|0.5 mg SC weekly
    pioglitazone|15 mg PO QD|30 mg PO QD
    dextrose 10%|100 mL IV x 1|150 mL IV over 10 minutes
    glucagon|1 mg IM x 1
    levothyroxine|50 mcg PO QD|100 mcg PO QD|25 mcg PO QD
    carbimazole|20 mg PO QD|40 mg PO QD
    methimazole|10 mg PO TID|20 mg PO QD
    propylthiouracil|100 mg PO TID
    hydrocortisone|100 mg IV q6h|20 mg PO BID|100 mg IV x 1
    fludrocortisone|100 mcg PO QD|50 mcg PO QD
    prednisolone|40 mg PO QD x 5 days|30 mg PO QD x 7 days|60 mg PO QD tapering
    prednisone|40 mg PO QD x 5 days|60 mg PO QD x 7 days then taper|15 mg PO QD
    methylprednisolone|1 g IV QD x 3 days|125 mg IV x 1|40 mg IV BID
    dexamethasone|6 mg PO QD x 10 days|8 mg IV BID|10 mg IV x 1 then 4 mg q6h
    budesonide|9 mg PO QD x 8 weeks|400 mcg inh BID
    desmopressin|10 mcg IN BID|0.1 mg PO TID
    tolvaptan|15 mg PO QD
    calcitonin|4 units/kg SC q12h
    zoledronic acid|4 mg IV x 1|5 mg IV x 1
    alendronate|70 mg PO weekly
    calcium carbonate|1.25 g PO BID
    cholecalciferol|800 units PO QD|20,000 units PO weekly
    ferrous sulfate|200 mg PO TID|325 mg PO QD|200 mg PO QD
    iron sucrose|200 mg IV x 3 doses|200 mg IV weekly
    ferric carboxymaltose|1000 mg IV x 1|500 mg IV x 1
    folic acid|5 mg PO QD|1 mg PO QD
    hydroxocobalamin|1 mg IM alternate days x 2 weeks|1 mg IM every 3 months
    cyanocobalamin|1000 mcg IM weekly x 4 weeks|1000 mcg PO QD
    hydroxyurea|500 mg PO QD|1000 mg PO QD
    filgrastim|5 mcg/kg SC QD|300 mcg SC QD
    allopurinol|100 mg PO QD|300 mg PO QD
    rasburicase|0.2 mg/kg IV QD x 5 days
    febuxostat|80 mg PO QD
    salbutamol|2.5 mg neb q4h|5 mg neb QID|100 mcg 2 puffs PRN
    albuterol|PRN|2 puffs q4h PRN|2.5 mg neb q6h
    ipratropium|500 mcg neb QID|500 mcg neb q6h
    tiotropium|18 mcg inh QD|2.5 mcg 2 puffs QD
    fluticasone-salmeterol|250/50 mcg 1 puff BID|500/50 mcg 1 puff BID
    budesonide-formoterol|200/6 mcg 2 puffs BID|400/12 mcg 1 puff BID
    montelukast|10 mg PO QHS
    magnesium sulfate|2 g IV over 20 minutes|2 g IV x 1
    aminophylline|5 mg/kg IV over 20 minutes
    acetylcysteine|150 mg/kg IV over 1 hour|600 mg PO TID
    pirfenidone|267 mg PO TID
    omeprazole|20 mg PO QD|40 mg PO BID|40 mg IV BID
    pantoprazole|40 mg IV BID|40 mg PO QD|80 mg IV x 1 then 8 mg/h
    esomeprazole|40 mg PO QD|20 mg PO BID
    lansoprazole|30 mg PO QD|15 mg PO QD
    famotidine|20 mg PO BID|40 mg PO QHS
    sucralfate|1 g PO QID
    ondansetron|4 mg IV q8h PRN|8 mg PO BID x 3 days|4 mg PO TID PRN
    metoclopramide|10 mg IV TID PRN|10 mg PO TID x 5 days
    prochlorperazine|12.5 mg IM x 1|5 mg PO TID PRN
    cyclizine|50 mg IV TID PRN|50 mg PO TID
    domperidone|10 mg PO TID x 7 days
    lactulose|20 mL PO TID|30 mL PO BID|15 mL PO BID
    rifaximin|550 mg PO BID
    loperamide|4 mg x 1 then 2 mg PRN|2 mg PO PRN
    senna|15 mg PO QHS|7.5 mg PO BID
    polyethylene glycol|17 g PO QD|1 sachet PO BID
    bisacodyl|10 mg PR QD|5 mg PO QHS
    octreotide|50 mcg IV bolus then 50 mcg/h|100 mcg SC TID
    terlipressin|2 mg IV q6h|1 mg IV q6h
    mesalamine|2.4 g PO QD|4 g PO QD
    infliximab|5 mg/kg IV x 1
    ursodeoxycholic acid|300 mg PO BID
    albumin 20%|100 mL IV x 2|1.5 g/kg IV x 1
    thiamine|100 mg PO TID|500 mg IV TID x 3 days|200 mg IV QD
    chlordiazepoxide|20 mg PO QID tapering|30 mg PO QID x 2 days then taper
    lorazepam|2 mg IV x 1|1 mg PO BID PRN|4 mg IV x 1
    diazepam|10 mg PO QID tapering|10 mg IV x 1|5 mg PO TID PRN
    midazolam|10 mg buccal x 1|5 mg IM x 1
    levetiracetam|500 mg PO BID|1 g IV x 1 then 500 mg BID|60 mg/kg IV x 1
    phenytoin|20 mg/kg IV x 1|100 mg PO TID
    sodium valproate|500 mg PO BID|40 mg/kg IV x 1
    lamotrigine|25 mg PO QD|50 mg PO BID
    carbamazepine|200 mg PO BID|100 mg PO BID
    sumatriptan|50 mg PO PRN|6 mg SC x 1|100 mg PO PRN
    nimodipine|60 mg PO q4h x 21 days
    mannitol|1 g/kg IV x 1|0.5 g/kg IV x 1
    pyridostigmine|60 mg PO QID
    immunoglobulin|0.4 g/kg IV QD x 5 days|2 g/kg IV over 5 days
    betahistine|16 mg PO TID|8 mg PO TID
    paracetamol|1 g PO QID PRN|1 g IV q6h|500 mg PO q6h PRN|1 g PO q6h
    acetaminophen|650 mg PO q6h PRN|1 g PO q8h|500 mg PO q6h PRN
    ibuprofen|400 mg PO TID x 5 days|400 mg PO TID PRN|600 mg PO TID with food
    naproxen|500 mg PO BID x 7 days|250 mg PO TID
    diclofenac|50 mg PO TID x 5 days|75 mg IM x 1|100 mg PR x 1
    ketorolac|30 mg IV x 1|10 mg PO q6h PRN x 5 days
    celecoxib|200 mg PO QD|100 mg PO BID
    codeine|30 mg PO QID PRN|30 mg PO q6h PRN
    tramadol|50 mg PO q6h PRN|100 mg PO BID
    morphine|2 mg IV q4h PRN|10 mg PO q4h PRN|5 mg SC PRN
    oxycodone|5 mg PO q4h PRN|10 mg PO BID
    hydromorphone|0.5 mg IV q3h PRN|2 mg PO q4h PRN
    fentanyl|25 mcg IV PRN|12 mcg/h patch every 72 hours
    buprenorphine|8 mg SL QD|5 mcg/h patch weekly
    methadone|30 mg PO QD|40 mg PO QD
    naloxone|0.4 mg IV x 1|0.4 mg IV repeated x 3|2 mg IM x 1
    lidocaine|5% patch 12 hours on 12 hours off|1% 5 mL local infiltration
    gabapentin|300 mg PO TID|300 mg PO QHS
    pregabalin|75 mg PO BID|150 mg PO BID
    amitriptyline|10 mg PO QHS|25 mg PO QHS
    duloxetine|30 mg PO QD|60 mg PO QD
    baclofen|10 mg PO TID|5 mg PO TID
    methocarbamol|750 mg PO QID x 5 days
    sertraline|50 mg PO QD|100 mg PO QD
    citalopram|20 mg PO QD|10 mg PO QD
    escitalopram|10 mg PO QD|5 mg PO QD
    fluoxetine|20 mg PO QD|40 mg PO QD
    mirtazapine|15 mg PO QHS|30 mg PO QHS
    venlafaxine|75 mg PO QD|150 mg PO QD
    quetiapine|25 mg PO QHS|50 mg PO BID
    olanzapine|5 mg PO QHS|10 mg IM x 1|10 mg PO QD
    haloperidol|0.5 mg PO BID PRN|2.5 mg IM x 1|1 mg PO QHS
    risperidone|1 mg PO BID|2 mg PO QD
    aripiprazole|10 mg PO QD|15 mg PO QD
    lithium carbonate|400 mg PO QHS|800 mg PO QHS
    zopiclone|7.5 mg PO QHS PRN|3.75 mg PO QHS
    melatonin|2 mg PO QHS|3 mg PO QHS
    nicotine|21 mg/24 h patch QD|14 mg/24 h patch QD
    varenicline|0.5 mg PO QD x 3 days then 0.5 mg BID
    cyproheptadine|12 mg PO x 1 then 2 mg q2h
    activated charcoal|50 g PO x 1|25 g PO x 1
    digoxin immune fab|160 mg IV x 1|240 mg IV x 1
    sodium bicarbonate|1 mmol/kg IV x 1|500 mg PO TID
    potassium chloride|40 mmol IV over 4 hours|20 mmol PO BID|40 mmol PO QD x 3 days
    sodium chloride 0.9%|1 L IV over 8 hours|500 mL IV bolus|1 L IV over 4 hours
    Hartmann's solution|1 L IV over 6 hours|1 L IV bolus
    calcium gluconate|10 mL 10% IV over 10 minutes|30 mL 10% IV x 1
    magnesium oxide|400 mg PO BID
    sodium zirconium cyclosilicate|10 g PO TID x 2 days
    patiromer|8.4 g PO QD
    calcium resonium|15 g PO TID
    tamsulosin|400 mcg PO QD|0.4 mg PO QHS
    finasteride|5 mg PO QD
    oxybutynin|5 mg PO BID|2.5 mg PO TID
    mirabegron|50 mg PO QD
    sevelamer|800 mg PO TID with meals
    epoetin alfa|4000 units SC weekly|10,000 units SC weekly
    methotrexate|15 mg PO weekly|50 mg/m2 IM x 1
    hydroxychloroquine|200 mg PO BID|200 mg PO QD
    sulfasalazine|500 mg PO BID|1 g PO BID
    adalimumab|40 mg SC every 2 weeks
    tocilizumab|8 mg/kg IV x 1
    rituximab|375 mg/m2 IV weekly x 4|1 g IV x 1
    cyclophosphamide|500 mg/m2 IV x 1|750 mg/m2 IV monthly
    mycophenolate mofetil|1 g PO BID|500 mg PO BID
    tacrolimus|2 mg PO BID|0.1 mg/kg PO BID
    azathioprine|50 mg PO QD|100 mg PO QD
    cetirizine|10 mg PO QD|10 mg PO QD x 5 days
    loratadine|10 mg PO QD
    fexofenadine|180 mg PO QD
    chlorphenamine|10 mg IV x 1|4 mg PO q6h PRN
    diphenhydramine|25 mg PO q6h PRN|50 mg IV x 1
    epinephrine|0.5 mg IM x 1|0.5 mg IM repeated x 2|0.3 mg auto-injector PRN
    hydroxyzine|25 mg PO TID PRN|25 mg PO QHS
    permethrin|5% cream apply x 1 repeat in 7 days
    mupirocin|2% ointment TID x 5 days
    hydrocortisone cream|1% apply BID x 7 days
    betamethasone|0.1% cream apply BID x 2 weeks
    clobetasol|0.05% ointment BID x 2 weeks
    silver sulfadiazine|1% cream apply QD
    chloramphenicol|0.5% eye drops QID x 5 days|1% ointment QHS
    timolol|0.5% eye drops BID
    latanoprost|0.005% 1 drop QHS
    acetazolamide|500 mg IV x 1|250 mg PO QID
    pilocarpine|2% 1 drop q15min x 2
    ciprofloxacin ear drops|0.3% 4 drops BID x 7 days
    xylometazoline|0.1% 2 sprays BID x 5 days
    mometasone nasal spray|50 mcg 2 sprays QD
    benzydamine|15 mL gargle q3h PRN
    misoprostol|800 mcg PV x 1|400 mcg PO x 1
    mifepristone|200 mg PO x 1
    oxytocin|10 units IM x 1|40 units IV over 4 hours
    carboprost|250 mcg IM x 1
    methylergometrine|0.2 mg IM x 1
    methotrexate injection|50 mg/m2 IM x 1
    labetalol infusion|20 mg/h IV titrated
    nifedipine modified release|20 mg PO BID
    Rh immunoglobulin|1500 units IM x 1
    doxylamine-pyridoxine|10/10 mg PO QHS|20/20 mg PO QHS
    clotrimazole|500 mg PV x 1|1% cream BID x 14 days
    norethisterone|5 mg PO TID x 10 days
    medroxyprogesterone|10 mg PO QD x 10 days
    oral rehydration salts|200 mL after each loose stool|1 sachet after each loose stool
    """
}
