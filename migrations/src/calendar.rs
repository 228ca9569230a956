//! Working days in Poland: weekends and the public holidays of the act of
//! 18 January 1951 (dni wolne od pracy), Christmas Eve included from 2025
//! (act of 6 December 2024). Written here because no maintained crate
//! carries the 2025 amendment; the movable feasts follow Easter.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Easter Sunday of the Gregorian calendar (the anonymous Gregorian
/// algorithm, Meeus/Jones/Butcher).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or(NaiveDate::MIN)
}

/// A statutory public holiday in Poland (Sundays are days off anyway).
pub fn is_public_holiday(day: NaiveDate) -> bool {
    let fixed = matches!(
        (day.month(), day.day()),
        (1, 1) | (1, 6) | (5, 1) | (5, 3) | (8, 15) | (11, 1) | (11, 11) | (12, 25) | (12, 26)
    ) || (day.month() == 12 && day.day() == 24 && day.year() >= 2025);
    if fixed {
        return true;
    }
    let easter = easter_sunday(day.year());
    // Easter Sunday and Monday, Pentecost Sunday, Corpus Christi.
    [0, 1, 49, 60]
        .iter()
        .any(|offset| day == easter + Duration::days(*offset))
}

/// Neither a weekend nor a public holiday.
pub fn is_working_day(day: NaiveDate) -> bool {
    !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !is_public_holiday(day)
}

/// The day `n` working days after `day` (a day filed on a Friday, plus two
/// working days, is the Tuesday after).
pub fn add_working_days(day: NaiveDate, n: u32) -> NaiveDate {
    let mut at = day;
    let mut left = n;
    while left > 0 {
        at += Duration::days(1);
        if is_working_day(at) {
            left -= 1;
        }
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn easter_matches_the_tables() {
        assert_eq!(easter_sunday(2024), d(2024, 3, 31));
        assert_eq!(easter_sunday(2025), d(2025, 4, 20));
        assert_eq!(easter_sunday(2026), d(2026, 4, 5));
        assert_eq!(easter_sunday(2027), d(2027, 3, 28));
        assert_eq!(easter_sunday(2038), d(2038, 4, 25));
    }

    #[test]
    fn holidays_and_the_christmas_eve_amendment() {
        assert!(is_public_holiday(d(2026, 6, 4)), "Corpus Christi 2026");
        assert!(is_public_holiday(d(2026, 4, 6)), "Easter Monday 2026");
        assert!(is_public_holiday(d(2026, 12, 24)));
        assert!(!is_public_holiday(d(2024, 12, 24)), "before the amendment");
        assert!(!is_public_holiday(d(2026, 12, 23)));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        // Friday 2026-12-18 + 2 → Tuesday 22nd; Wednesday 23rd + 1 → Monday 28th.
        assert_eq!(add_working_days(d(2026, 12, 18), 2), d(2026, 12, 22));
        assert_eq!(add_working_days(d(2026, 12, 23), 1), d(2026, 12, 28));
        assert_eq!(add_working_days(d(2026, 4, 30), 1), d(2026, 5, 4));
        assert_eq!(add_working_days(d(2026, 12, 7), 0), d(2026, 12, 7));
    }
}
