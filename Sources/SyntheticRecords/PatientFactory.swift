/// Invented patients: a name from common names for the sex, a 7-digit MRN, and a birth date that
/// gives the chosen age on the admission or visit date. Name and MRN are sometimes unknown, as when
/// a document arrives without them.
enum PatientFactory {
    static func make(sex: PatientSex, ages: ClosedRange<Int>, on date: CalendarDate, _ rng: inout SplitMix64) -> SyntheticPatient {
        let age = rng.int(ages)
        // A birthday anywhere in the year before the age was reached.
        let latest = CalendarDate(year: date.year - age, month: date.month, day: min(date.day, CalendarDate.daysIn(month: date.month, year: date.year - age)))
        let birth = latest.adding(days: -rng.int(0...364))
        let nameKnown = rng.chance(0.92)
        return SyntheticPatient(
            givenName: nameKnown ? rng.pick(sex == .female ? PersonNames.female : PersonNames.male) : nil,
            familyName: nameKnown ? rng.pick(PersonNames.last) : nil,
            mrn: rng.chance(0.95) ? String(rng.int(1_000_000...9_999_999)) : nil,
            birthDate: birth, sex: sex, age: birth.years(until: date))
    }

    /// A date in 2023–2025.
    static func date(_ rng: inout SplitMix64) -> CalendarDate {
        CalendarDate(year: 2023, month: 1, day: 1).adding(days: rng.int(0...(365 * 3 - 1)))
    }
}
