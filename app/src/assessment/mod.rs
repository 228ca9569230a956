//! Assessment and benchmarking (ocena jakości i efektywności, WKUS; seeds
//! 000, 001, 004): the indicator dictionary, assessment runs that compute
//! every indicator from the platform's records and keep the inputs of each
//! figure, benchmarks across municipalities and providers, recipient
//! surveys, benchmarking groups (GWD) and corrective actions.
//!
//! A domain module like `window` and `plans`: no actix here. Figures are
//! aggregates; every figure computed from fewer than `min_group` people,
//! cases or responses is suppressed.

use chrono::{Datelike, NaiveDate};
use cus_db::{DomainError, DomainResult};
use serde::{Deserialize, Serialize};
use std::fmt;

pub mod agreement;
pub mod benchmarks;
pub mod corrective;
pub mod formulas;
pub mod groups;
pub mod indicators;
pub mod ranking;
pub mod runs;
pub mod surveys;
pub mod todo;

cus_db::text_enum! {
    /// What an indicator measures (WKUS: quality and efficiency).
    pub enum IndicatorKind {
        Quality = "quality",
        Efficiency = "efficiency",
    }
}

cus_db::text_enum! {
    /// Where an indicator's figures come from.
    pub enum Source {
        Computed = "computed",
        Entered = "entered",
        Surveyed = "surveyed",
    }
}

cus_db::text_enum! {
    /// What a figure is about.
    pub enum SubjectType {
        Municipality = "municipality",
        Agreement = "agreement",
        Service = "service",
    }
}

cus_db::text_enum! {
    /// How often an indicator set is computed.
    pub enum Cadence {
        Monthly = "monthly",
        Quarterly = "quarterly",
        HalfYearly = "half_yearly",
        Yearly = "yearly",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Span {
    Year,
    Half(u32),
    Quarter(u32),
    Month(u32),
}

/// A reporting period: `YYYY`, `YYYY-H1`/`H2`, `YYYY-Q1`..`Q4` or `YYYY-MM`,
/// from its first to its last day (both inclusive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    year: i32,
    span: Span,
}

impl Period {
    pub const MIN_YEAR: i32 = 2000;
    pub const MAX_YEAR: i32 = 2100;

    pub fn parse(text: &str) -> Option<Period> {
        let text = text.trim();
        let (year, rest) = match text.split_once('-') {
            Some((y, r)) => (y, Some(r)),
            None => (text, None),
        };
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        if !(Self::MIN_YEAR..=Self::MAX_YEAR).contains(&year) {
            return None;
        }
        let number = |s: &str, max: u32| -> Option<u32> {
            let n: u32 = (s.len() <= 2 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()?;
            (1..=max).contains(&n).then_some(n)
        };
        let span = match rest {
            None => Span::Year,
            Some(r) if r.starts_with('H') => Span::Half(number(&r[1..], 2)?),
            Some(r) if r.starts_with('Q') => Span::Quarter(number(&r[1..], 4)?),
            Some(r) if r.len() == 2 => Span::Month(number(r, 12)?),
            Some(_) => return None,
        };
        Some(Period { year, span })
    }

    /// `parse` for an input field: 422 on `field` when malformed.
    pub fn from_field(text: &str, field: &str) -> DomainResult<Period> {
        Period::parse(text).ok_or_else(|| DomainError::field(field, "error-period"))
    }

    pub fn year(year: i32) -> Period {
        Period {
            year: year.clamp(Self::MIN_YEAR, Self::MAX_YEAR),
            span: Span::Year,
        }
    }

    /// First and last month (1-12) of the period.
    fn months(&self) -> (u32, u32) {
        match self.span {
            Span::Year => (1, 12),
            Span::Half(h) => (6 * h - 5, 6 * h),
            Span::Quarter(q) => (3 * q - 2, 3 * q),
            Span::Month(m) => (m, m),
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.months().0, 1).expect("valid month")
    }

    pub fn last_day(&self) -> NaiveDate {
        let (_, last) = self.months();
        let next = if last == 12 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, last + 1, 1)
        };
        next.expect("valid month").pred_opt().expect("a day before")
    }

    pub fn days(&self) -> i64 {
        (self.last_day() - self.first_day()).num_days() + 1
    }

    pub fn contains(&self, day: NaiveDate) -> bool {
        self.first_day() <= day && day <= self.last_day()
    }

    /// Whether `[from, to]` shares a day with the period.
    pub fn overlaps(&self, from: NaiveDate, to: NaiveDate) -> bool {
        from <= self.last_day() && to >= self.first_day()
    }

    /// Calendar months of the period that `[from, to]` touches.
    pub fn months_touched(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        if !self.overlaps(from, to) {
            return 0;
        }
        let a = from.max(self.first_day());
        let b = to.min(self.last_day());
        (b.year() as i64 * 12 + b.month() as i64) - (a.year() as i64 * 12 + a.month() as i64) + 1
    }

    /// The share of calendar year `year` that the period covers (its days
    /// in that year over the year's days): 1 for the year itself.
    pub fn share_of_year(&self, year: i32) -> f64 {
        if year != self.year {
            return 0.0;
        }
        let days_in_year = Period::year(year).days() as f64;
        self.days() as f64 / days_in_year
    }

    pub fn calendar_year(&self) -> i32 {
        self.year
    }

    /// The period of `cadence` that holds `day`.
    pub fn of_cadence(cadence: &str, day: NaiveDate) -> Period {
        let year = day.year();
        let m = day.month();
        let span = match cadence {
            "monthly" => Span::Month(m),
            "quarterly" => Span::Quarter((m - 1) / 3 + 1),
            "half_yearly" => Span::Half((m - 1) / 6 + 1),
            _ => Span::Year,
        };
        Period { year, span }
    }

    /// The period of `cadence` that ended on the day before `today`, if one
    /// did (the scheduled run on the 1st computes the periods just closed).
    pub fn just_ended(cadence: &str, today: NaiveDate) -> Option<Period> {
        let yesterday = today.pred_opt()?;
        let p = Period::of_cadence(cadence, yesterday);
        (p.last_day() == yesterday).then_some(p)
    }

    /// The newest period of `cadence` that ended before `today`.
    pub fn latest_completed(cadence: &str, today: NaiveDate) -> Period {
        let current = Period::of_cadence(cadence, today);
        let before = current.first_day().pred_opt().expect("a day before");
        Period::of_cadence(cadence, before)
    }

    /// Whether the period begins after `other` ends.
    pub fn starts_after(&self, other: &Period) -> bool {
        self.first_day() > other.last_day()
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.span {
            Span::Year => write!(f, "{}", self.year),
            Span::Half(h) => write!(f, "{}-H{h}", self.year),
            Span::Quarter(q) => write!(f, "{}-Q{q}", self.year),
            Span::Month(m) => write!(f, "{}-{m:02}", self.year),
        }
    }
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Period, D::Error> {
        let text = String::deserialize(d)?;
        Period::parse(&text).ok_or_else(|| serde::de::Error::custom("error-period"))
    }
}

/// A stored figure in hundredths: 47.5 is 4750. Rounded half away from zero.
pub fn to_centi(value: f64) -> i64 {
    (value * 100.0).round() as i64
}

pub fn from_centi(centi: i64) -> f64 {
    centi as f64 / 100.0
}

/// A value rounded to two decimals, as every figure is answered.
pub fn round2(value: f64) -> f64 {
    from_centi(to_centi(value))
}

/// Counts of people below `min_group` (but not zero) are withheld.
pub fn suppress_count(count: i64, min_group: i64) -> bool {
    count > 0 && count < min_group
}

/// Mean of the values; `None` when there are none.
pub fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// Median of the values; `None` when there are none.
pub fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

/// For `Option<Option<f64>>` fields: a field that is present (`null`
/// included) is `Some`, so `null` can clear a value and absence leaves it.
pub fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<f64>>, D::Error> {
    Option::<f64>::deserialize(d).map(Some)
}

/// JSON list stored in a text column.
pub(crate) fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

pub(crate) fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("serializable")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn periods_parse_print_and_bound() {
        for (text, first, last) in [
            ("2026", "2026-01-01", "2026-12-31"),
            ("2026-H2", "2026-07-01", "2026-12-31"),
            ("2024-Q1", "2024-01-01", "2024-03-31"),
            ("2024-02", "2024-02-01", "2024-02-29"),
            ("2026-12", "2026-12-01", "2026-12-31"),
        ] {
            let p = Period::parse(text).unwrap();
            assert_eq!(p.to_string(), text);
            assert_eq!((p.first_day(), p.last_day()), (d(first), d(last)));
        }
        for bad in [
            "2026-Q5",
            "2026-13",
            "2026-00",
            "26",
            "2026-H3",
            "1999",
            "2026-1",
            "2026-Q",
            "x",
            "2026-",
            "+202",
            "2026-Q01x",
        ] {
            assert!(Period::parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn months_touched_share_and_cadences() {
        let q = Period::parse("2026-Q2").unwrap();
        assert_eq!(q.months_touched(d("2026-01-15"), d("2026-05-02")), 2);
        assert_eq!(q.months_touched(d("2026-07-01"), d("2026-08-02")), 0);
        assert_eq!(q.months_touched(d("2025-01-01"), d("2027-01-01")), 3);
        assert!((Period::parse("2026").unwrap().share_of_year(2026) - 1.0).abs() < 1e-9);
        assert!((q.share_of_year(2026) - 91.0 / 365.0).abs() < 1e-9);
        assert_eq!(
            Period::just_ended("quarterly", d("2026-07-01")).map(|p| p.to_string()),
            Some("2026-Q2".into())
        );
        assert_eq!(Period::just_ended("quarterly", d("2026-08-01")), None);
        assert_eq!(
            Period::latest_completed("quarterly", d("2026-08-01")).to_string(),
            "2026-Q2"
        );
        assert_eq!(
            Period::latest_completed("yearly", d("2026-01-01")).to_string(),
            "2025"
        );
        assert_eq!(
            Period::just_ended("yearly", d("2027-01-01")).map(|p| p.to_string()),
            Some("2026".into())
        );
        assert_eq!(
            Period::just_ended("monthly", d("2026-03-01")).map(|p| p.to_string()),
            Some("2026-02".into())
        );
    }

    #[test]
    fn mean_median_rounding() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(mean(&[]), None);
        assert_eq!(round2(47.5), 47.5);
        assert_eq!(round2(2.0 / 3.0 * 100.0), 66.67);
        assert_eq!(to_centi(0.125), 13);
    }
}
