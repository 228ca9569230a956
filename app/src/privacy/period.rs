//! A retention period: an ISO 8601 duration in calendar units (`P10Y`,
//! `P6M`, `P2W`, `P30D`, `P1Y6M`), as the `[retention]` settings write it.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Period {
    text: String,
    months: u32,
    days: u32,
}

impl Period {
    /// Reads `text`; a time part (`T…`), fractions or trailing text are
    /// refused: retention is counted in whole calendar days.
    pub fn parse(text: &str) -> Result<Period, String> {
        let refuse = || {
            format!(
                "{text:?} is not a retention period: an ISO 8601 duration of years, \
                 months, weeks or days such as \"P10Y\" or \"P30D\""
            )
        };
        if text.contains('T') || !text.ends_with(['Y', 'M', 'W', 'D']) {
            return Err(refuse());
        }
        let (rest, parsed) =
            iso8601::parsers::parse_duration(text.as_bytes()).map_err(|_| refuse())?;
        if !rest.is_empty() {
            return Err(refuse());
        }
        let (months, days) = match parsed {
            iso8601::Duration::YMDHMS {
                year,
                month,
                day,
                hour: 0,
                minute: 0,
                second: 0,
                millisecond: 0,
            } => (
                year.checked_mul(12)
                    .and_then(|m| m.checked_add(month))
                    .ok_or_else(refuse)?,
                day,
            ),
            iso8601::Duration::Weeks(w) => (0, w.checked_mul(7).ok_or_else(refuse)?),
            _ => return Err(refuse()),
        };
        // Beyond a thousand years nothing is ever due; chrono's dates stop
        // before that anyway.
        if months > 12_000 || days > 365_000 {
            return Err(refuse());
        }
        Ok(Period {
            text: text.to_string(),
            months,
            days,
        })
    }

    /// Whole years, the months beyond them, and days.
    pub fn parts(&self) -> (u32, u32, u32) {
        (self.months / 12, self.months % 12, self.days)
    }

    /// As configured (`P10Y`).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The day `self` after `from`.
    pub fn after(&self, from: NaiveDate) -> NaiveDate {
        from.checked_add_months(Months::new(self.months))
            .and_then(|d| d.checked_add_days(chrono::Days::new(self.days.into())))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The day `self` before `until`: a record of that day or earlier has
    /// served its period by `until`.
    pub fn before(&self, until: NaiveDate) -> NaiveDate {
        until
            .checked_sub_months(Months::new(self.months))
            .and_then(|d| d.checked_sub_days(chrono::Days::new(self.days.into())))
            .unwrap_or(NaiveDate::MIN)
    }
}

impl TryFrom<String> for Period {
    type Error = String;
    fn try_from(text: String) -> Result<Period, String> {
        Period::parse(&text)
    }
}

impl From<Period> for String {
    fn from(p: Period) -> String {
        p.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn calendar_periods_count_in_calendar_units() {
        let p = Period::parse("P10Y").unwrap();
        assert_eq!(p.before(day(2036, 2, 29)), day(2026, 2, 28));
        assert_eq!(p.after(day(2026, 3, 1)), day(2036, 3, 1));
        assert_eq!(
            Period::parse("P2W").unwrap().after(day(2026, 12, 20)),
            day(2027, 1, 3)
        );
        assert_eq!(
            Period::parse("P1Y6M").unwrap().before(day(2027, 6, 30)),
            day(2025, 12, 30)
        );
        assert_eq!(
            Period::parse("P0D").unwrap().before(day(2026, 1, 1)),
            day(2026, 1, 1)
        );
    }

    #[test]
    fn anything_but_calendar_units_is_refused() {
        for bad in [
            "",
            "10Y",
            "P",
            "PT12H",
            "P1DT1H",
            "P10Yx",
            "P1.5Y",
            "-P1Y",
            "P99999999Y",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad:?} accepted");
        }
    }
}
