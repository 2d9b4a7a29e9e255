/// Numbers with units as clinical text writes them: doses ("500 mg", "24/26 mg", "100,000 units"),
/// lab values ("14.2 x10^9/L", "15 mg/L"), percentages ("90%"), durations ("4 days") and blood
/// pressures ("150/95"). Used for facts, for the unsupported-fact check and for planting.
public enum Quantities {
    /// Longest first, so "mg/dL" wins over "mg". Case matters: "Mg" is magnesium, not milligrams.
    static let units: [String] = [
        "units/kg/h", "units/kg", "units/h", "units", "unit", "mcg/kg", "mcg/h", "mcg", "mg/kg", "mg/m2", "mg/h", "mg/L", "mg/dL",
        "mg", "g/kg", "g/dL", "g/L", "g", "mL/min/1.73m2", "mL", "L", "mmol/kg", "mmol/L", "mmol/mol", "mmol", "µmol/L",
        "umol/L", "nmol/L", "pmol/L", "ng/L", "ng/mL", "pg/mL", "µg/g", "mIU/L", "IU/L", "U/L", "x10^9/L", "mm/h", "mmHg",
        "cmH2O", "kPa", "fL", "mOsm/kg", "cells/µL", "%", "cm2", "cm", "mm", "bpm", "ms", "puffs", "puff", "tablets",
        "tablet", "sachets", "sachet", "drops", "drop", "sprays", "hours", "hour", "days", "day", "weeks", "week",
        "months", "month", "minutes", "degrees",
    ].sorted { $0.count > $1.count }

    /// Every quantity in `text`, as written ("500 mg", "90%", "150/95"), in order.
    public static func find(in text: String) -> [String] {
        let c = Array(text)
        var out: [String] = []
        var i = 0
        while i < c.count {
            guard c[i].isASCIIDigit, i == 0 || !(c[i - 1].isLetter || c[i - 1].isNumber || c[i - 1] == "." || c[i - 1] == "/"
                                                 || c[i - 1] == "^" || c[i - 1] == "-" || c[i - 1] == ",") else { i += 1; continue }
            // The number: digits, thousands commas ("100,000"), one decimal point, and "/"-joined parts ("24/26", "150/95").
            var j = i
            var sawSlash = false
            while j < c.count {
                if c[j].isASCIIDigit { j += 1; continue }
                if c[j] == ".", j + 1 < c.count, c[j + 1].isASCIIDigit { j += 1; continue }
                if c[j] == ",", j + 3 < c.count, c[j + 1].isASCIIDigit, c[j + 2].isASCIIDigit, c[j + 3].isASCIIDigit,
                   j + 4 == c.count || !c[j + 4].isASCIIDigit { j += 1; continue }
                if c[j] == "/", j + 1 < c.count, c[j + 1].isASCIIDigit { sawSlash = true; j += 1; continue }
                break
            }
            let number = String(c[i..<j])
            // A following letter or digit glued to the number ("2025-03", "L4") is not a quantity.
            var k = j
            if k < c.count, c[k] == " " { k += 1 }
            if let unit = unit(at: k, in: c) {
                out.append(k == j ? number + unit : number + " " + unit)
                i = k + unit.count
                continue
            }
            if sawSlash, j == c.count || !(c[j].isLetter || c[j].isNumber || c[j] == "-") {
                out.append(number)
            }
            i = j
        }
        return out
    }

    static func unit(at k: Int, in c: [Character]) -> String? {
        for u in units {
            let uc = Array(u)
            guard k + uc.count <= c.count, Array(c[k..<(k + uc.count)]) == uc else { continue }
            let end = k + uc.count
            if end < c.count, c[end].isLetter || c[end].isNumber { continue }
            return u
        }
        return nil
    }

    /// A form for comparing quantities: no blank space, lower case, µ and u alike ("500mg" = "500 mg").
    public static func canonical(_ q: String) -> String {
        String(q.lowercased().filter { !$0.isWhitespace }.map { $0 == "µ" ? "u" : $0 })
    }
}

extension Character {
    var isASCIIDigit: Bool { asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }
}
