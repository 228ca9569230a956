//! Sane bounds for the dates and numbers people type, checked at the edge
//! (JSON bodies through serde, page forms through [`parse_date`]) so that
//! the services' date and money arithmetic never nears an overflow.
//!
//! Dates: years [`MIN_YEAR`]..=[`MAX_YEAR`]. Every date the platform takes
//! is civil and recent: agreements, competitions and programs of the
//! present and the coming decades, plans, meetings, activities, council
//! resolutions. 1900 leaves room for old records keyed in by hand, 2200 for
//! any horizon a municipality plans for; beyond that a date is a typo or an
//! attack. Within these years a date stays four digits (so SQLite's text
//! dates sort and round-trip, as PostgreSQL's do), and adding days, months or
//! years to it is far from chrono's limits (±262,143 years) and from i32.
//!
//! Money: integer grosze, 0..=[`MAX_GROSZE`] (PLN 10 billion, more than any
//! municipal budget). A sum of a few thousand such amounts, or an amount
//! times a count bounded by [`MAX_COUNT`], stays far inside i64.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Deserializer};

/// Why a value was refused: a translation key.
pub type Reason = &'static str;

pub const MIN_YEAR: i32 = 1900;
pub const MAX_YEAR: i32 = 2200;
/// The largest amount of money, in grosze: PLN 10 billion.
pub const MAX_GROSZE: i64 = 1_000_000_000_000;
/// The largest count (people, hours, places) any single record holds.
pub const MAX_COUNT: i64 = 1_000_000;

/// The largest figure reported as a number (an indicator's value: people,
/// hours, PLN), either sign.
pub const MAX_FIGURE: f64 = 1e12;

/// A date outside [`MIN_YEAR`]..=[`MAX_YEAR`].
pub const DATE_RANGE: Reason = "error-date-range";
/// A number outside what its field can hold.
pub const OUT_OF_RANGE: Reason = "error-out-of-range";
/// Not a date (or number) at all.
pub const WRONG_TYPE: Reason = "error-type";

/// The date, if its year is within the civil range.
pub fn check_date(d: NaiveDate) -> Result<NaiveDate, Reason> {
    if (MIN_YEAR..=MAX_YEAR).contains(&d.year()) {
        Ok(d)
    } else {
        Err(DATE_RANGE)
    }
}

/// The timestamp, if its year is within the civil range.
pub fn check_datetime(t: NaiveDateTime) -> Result<NaiveDateTime, Reason> {
    check_date(t.date()).map(|_| t)
}

/// Whether `text` is shaped like a date with a year of five or more digits
/// (`10000-01-01`, `+262142-01-01`), which chrono does not always parse:
/// that is out of range rather than of the wrong format.
fn far_year(text: &str) -> bool {
    let body = text.strip_prefix(['+', '-']).unwrap_or(text);
    let digits = body.chars().take_while(char::is_ascii_digit).count();
    digits > 4 && body[digits..].starts_with('-')
}

/// A `YYYY-MM-DD` date as typed in a form or sent in JSON: [`WRONG_TYPE`]
/// when it is not a date, [`DATE_RANGE`] when it is one outside the range.
pub fn parse_date(text: &str) -> Result<NaiveDate, Reason> {
    let t = text.trim();
    match t.parse::<NaiveDate>() {
        Ok(d) => check_date(d),
        Err(_) if far_year(t) => Err(DATE_RANGE),
        Err(_) => Err(WRONG_TYPE),
    }
}

/// A timestamp as the API and the forms take it: RFC 3339 (any offset,
/// kept in UTC) or a local `YYYY-MM-DDTHH:MM[:SS]`, refused like
/// [`parse_date`].
pub fn parse_datetime(text: &str) -> Result<NaiveDateTime, Reason> {
    let t = text.trim();
    let parsed = chrono::DateTime::parse_from_rfc3339(t)
        .map(|d| d.naive_utc())
        .ok()
        .or_else(|| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M").ok())
        .or_else(|| NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S").ok());
    match parsed {
        Some(d) => check_datetime(d),
        None if far_year(t) => Err(DATE_RANGE),
        None => Err(WRONG_TYPE),
    }
}

/// A whole number typed in a form: [`OUT_OF_RANGE`] when it does not fit
/// its field, [`WRONG_TYPE`] when it is no number. (The services then check
/// the field's own bounds.)
pub fn parse_int<T>(text: &str) -> Result<T, Reason>
where
    T: std::str::FromStr<Err = std::num::ParseIntError>,
{
    use std::num::IntErrorKind;
    text.trim().parse::<T>().map_err(|e| match e.kind() {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => OUT_OF_RANGE,
        _ => WRONG_TYPE,
    })
}

/// Prefix of the serde error messages of this module, so the JSON extractor
/// can tell them from serde's own and answer with the key.
const REFUSED: &str = "cus-refused:";

/// A serde error carrying the translation key `key` (no spaces), which
/// [`serde_refusal`] gives back: this module's refusals, and those of the
/// pages' own field types (money in złoty, rows).
pub fn refuse<E: serde::de::Error>(key: &str) -> E {
    E::custom(format!("{REFUSED}{key}"))
}

/// The translation key behind a serde data error's message, when it is one
/// of [`refuse`]'s or serde's "integer too large for the field" (e.g.
/// 9223372036854775808 for an i64, 3000000000 for an i32).
pub fn serde_refusal(message: &str) -> Option<&str> {
    if let Some(rest) = message.strip_prefix(REFUSED) {
        // serde_json appends the position: " at line 1 column 9".
        return rest.split_whitespace().next();
    }
    // A form's number (parsed from text) that its type cannot hold.
    if message.contains("number too large to fit") || message.contains("number too small to fit") {
        return Some(OUT_OF_RANGE);
    }
    let integer = message.starts_with("invalid value: integer `");
    let expected_int = message
        .split("expected ")
        .nth(1)
        .is_some_and(|e| e.starts_with(['i', 'u']));
    (integer && expected_int).then_some(OUT_OF_RANGE)
}

/// `#[serde(deserialize_with = "cus_db::bounds::date")]` on a `NaiveDate`.
pub fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(d)?;
    parse_date(&text).map_err(refuse)
}

/// `#[serde(default, deserialize_with = "cus_db::bounds::opt_date")]` on an
/// `Option<NaiveDate>`: null or absent is `None`.
pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<String>::deserialize(d)? {
        Some(text) => parse_date(&text).map(Some).map_err(refuse),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_within_the_civil_range() {
        assert!(parse_date("2026-05-31").is_ok());
        assert!(parse_date(" 1900-01-01 ").is_ok());
        assert!(parse_date("2200-12-31").is_ok());
        assert_eq!(parse_date("1899-12-31"), Err(DATE_RANGE));
        assert_eq!(parse_date("2201-01-01"), Err(DATE_RANGE));
        assert_eq!(parse_date("9999-12-31"), Err(DATE_RANGE));
        assert_eq!(parse_date("10000-01-01"), Err(DATE_RANGE));
        assert_eq!(parse_date("+10000-01-01"), Err(DATE_RANGE));
        assert_eq!(parse_date("+262142-12-31"), Err(DATE_RANGE));
        assert_eq!(parse_date("+999999999-01-01"), Err(DATE_RANGE));
        assert_eq!(parse_date("-0001-01-01"), Err(DATE_RANGE));
        assert_eq!(parse_date("2026-02-30"), Err(WRONG_TYPE));
        assert_eq!(parse_date("jutro"), Err(WRONG_TYPE));
        assert_eq!(parse_date(""), Err(WRONG_TYPE));
        assert_eq!(parse_date("12345"), Err(WRONG_TYPE));
    }

    #[test]
    fn form_numbers() {
        assert_eq!(parse_int::<i32>(" 120 "), Ok(120));
        assert_eq!(parse_int::<i32>("9223372036854775807"), Err(OUT_OF_RANGE));
        assert_eq!(parse_int::<i64>("-99999999999999999999"), Err(OUT_OF_RANGE));
        assert_eq!(parse_int::<i32>("12,5"), Err(WRONG_TYPE));
    }

    #[test]
    fn timestamps_within_the_civil_range() {
        assert!(parse_datetime("2026-05-31T17:00").is_ok());
        assert!(parse_datetime("2026-05-31T17:00:30").is_ok());
        let utc = parse_datetime("2026-05-31T17:00:00+02:00").unwrap();
        assert_eq!(utc.to_string(), "2026-05-31 15:00:00");
        assert_eq!(parse_datetime("+262142-12-31T23:00"), Err(DATE_RANGE));
        assert_eq!(parse_datetime("10000-01-01T10:00"), Err(DATE_RANGE));
        assert_eq!(parse_datetime("9999-12-31T23:59:59Z"), Err(DATE_RANGE));
        assert_eq!(parse_datetime("2200-12-31T23:00:00-05:00"), Err(DATE_RANGE));
        assert_eq!(parse_datetime("wtorek"), Err(WRONG_TYPE));
    }

    #[test]
    fn serde_refusals_carry_their_key() {
        #[derive(Deserialize, Debug)]
        struct T {
            #[serde(deserialize_with = "date")]
            day: NaiveDate,
            #[serde(default, deserialize_with = "opt_date")]
            until: Option<NaiveDate>,
            #[serde(default)]
            n: i32,
        }
        let ok: T = serde_json::from_str(r#"{"day":"2026-01-01","until":null}"#).unwrap();
        assert_eq!((ok.until, ok.n), (None, 0));
        let ok: T = serde_json::from_str(r#"{"day":"2026-01-01","until":"2026-02-01"}"#).unwrap();
        assert!(ok.until.is_some() && ok.day.year() == 2026);
        let key = |json: &str| {
            let e = serde_json::from_str::<T>(json).unwrap_err();
            serde_refusal(&e.to_string()).map(str::to_string)
        };
        assert_eq!(key(r#"{"day":"+262142-01-01"}"#), Some(DATE_RANGE.into()));
        assert_eq!(
            key(r#"{"day":"2026-01-01","until":"10000-01-01"}"#),
            Some(DATE_RANGE.into())
        );
        assert_eq!(key(r#"{"day":"2026-13-01"}"#), Some(WRONG_TYPE.into()));
        assert_eq!(
            key(r#"{"day":"2026-01-01","n":9223372036854775807}"#),
            Some(OUT_OF_RANGE.into())
        );
        assert_eq!(
            key(r#"{"day":"2026-01-01","n":-3000000000}"#),
            Some(OUT_OF_RANGE.into())
        );
        assert_eq!(key(r#"{"day":5}"#), None);
        assert_eq!(key(r#"{"day":"2026-01-01","n":"x"}"#), None);
        // Any key `refuse` carries comes back (the pages' own field types).
        let e: serde_json::Error = refuse("error-money-format");
        assert_eq!(serde_refusal(&e.to_string()), Some("error-money-format"));
    }
}

/// Rows a page of a list holds unless `?per_page=` says otherwise.
pub const PER_PAGE: i64 = 20;

/// `?page=N&per_page=M` of a list: pages from 1 (20 a page by default, at
/// most 100), bounded so that the offset, (page - 1) * per_page, cannot
/// overflow.
pub fn paging(page: Option<i64>, per_page: Option<i64>) -> Result<(i64, i64), crate::DomainError> {
    let page = page.unwrap_or(1);
    let per_page = per_page.unwrap_or(PER_PAGE);
    if page < 1 {
        return Err(crate::DomainError::field("page", "error-page"));
    }
    if page > 10_000_000 {
        return Err(crate::DomainError::field("page", OUT_OF_RANGE));
    }
    if !(1..=100).contains(&per_page) {
        return Err(crate::DomainError::field("per_page", "error-per-page"));
    }
    Ok((page, per_page))
}

/// A list's `?page=N&per_page=M`, as every paged list takes it (API.md):
/// a handler reads it beside the list's own filter and hands it to the
/// domain's list function, which checks it with [`Paging::window`].
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Paging {
    /// The page, from 1.
    #[param(minimum = 1, maximum = 10_000_000)]
    pub page: Option<i64>,
    /// Rows a page (20 unless given).
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

impl Paging {
    /// A page of `per_page` rows: the first one.
    pub fn first(per_page: i64) -> Paging {
        Paging {
            page: None,
            per_page: Some(per_page),
        }
    }

    /// The rows this page holds, or 422 naming `page` or `per_page`.
    pub fn window(&self) -> Result<Window, crate::DomainError> {
        let (page, per_page) = paging(self.page, self.per_page)?;
        Ok(Window { page, per_page })
    }
}

/// A checked page of a list: which rows of the sorted query it holds.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub page: i64,
    pub per_page: i64,
}

impl Window {
    /// The rows before this page.
    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.per_page)
    }

    /// The (boxed, sorted) query cut to this page: `OFFSET` and `LIMIT`.
    pub fn of<Q>(&self, query: Q) -> Q
    where
        Q: diesel::query_dsl::methods::OffsetDsl<Output = Q>
            + diesel::query_dsl::methods::LimitDsl<Output = Q>,
    {
        let query = diesel::query_dsl::methods::OffsetDsl::offset(query, self.offset());
        diesel::query_dsl::methods::LimitDsl::limit(query, self.per_page)
    }
}
