//! Reading contracting forms: money in złoty, dates, years, lines.

use chrono::NaiveDate;
use cus_db::error::Check;
use std::collections::HashMap;

use crate::platform::error::{AppError, AppResult};
use crate::web::view::{field as f, opt};

/// "12 345,67" (złoty, comma or dot decimals) → grosze.
pub fn parse_pln(text: &str) -> Option<i64> {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}')
        .collect();
    let t = t.trim_end_matches("zł").replace(',', ".");
    let (zl, gr) = match t.split_once('.') {
        Some((z, g)) if g.len() <= 2 && !g.is_empty() => (z.to_string(), format!("{g:0<2}")),
        Some(_) => return None,
        None => (t.clone(), "00".to_string()),
    };
    if zl.is_empty()
        || !zl.chars().all(|c| c.is_ascii_digit())
        || !gr.chars().all(|c| c.is_ascii_digit())
        || zl.len() > 12
    {
        return None;
    }
    Some(zl.parse::<i64>().ok()? * 100 + gr.parse::<i64>().ok()?)
}

/// Lines of "a | b | c" in a textarea.
pub fn rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| l.split('|').map(|p| p.trim().to_string()).collect())
        .collect()
}

pub fn money_field(check: &mut Check, form: &HashMap<String, String>, name: &str) -> i64 {
    match opt(form, name) {
        None => 0,
        Some(t) => parse_pln(&t).unwrap_or_else(|| {
            check.fail(name, "error-money-format");
            0
        }),
    }
}

/// A date, checked as the API checks it (`cus_db::bounds`); a refused one
/// is a field error and today's date stands in until `finish`.
pub fn date_field(check: &mut Check, form: &HashMap<String, String>, name: &str) -> NaiveDate {
    cus_db::bounds::parse_date(f(form, name)).unwrap_or_else(|why| {
        check.fail(name, why);
        cus_db::today()
    })
}

/// A whole number (0 when blank); a refused one is a field error.
pub fn int_field(check: &mut Check, form: &HashMap<String, String>, name: &str) -> i32 {
    match opt(form, name) {
        None => 0,
        Some(t) => cus_db::bounds::parse_int(&t).unwrap_or_else(|why| {
            check.fail(name, why);
            0
        }),
    }
}

pub fn lines_field(form: &HashMap<String, String>, name: &str) -> Vec<String> {
    f(form, name)
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Year | amount rows (tranches, yearly funds).
pub fn year_amounts(
    check: &mut Check,
    form: &HashMap<String, String>,
    name: &str,
) -> Vec<(i32, i64)> {
    rows(f(form, name))
        .into_iter()
        .filter_map(|r| {
            match (
                r.first().and_then(|y| y.parse().ok()),
                r.get(1).and_then(|a| parse_pln(a)),
            ) {
                (Some(y), Some(a)) => Some((y, a)),
                _ => {
                    check.fail(name, "error-rows-format");
                    None
                }
            }
        })
        .collect()
}

pub fn finish(check: Check) -> AppResult<()> {
    check.finish().map_err(AppError::from)
}

#[cfg(test)]
mod tests {
    #[test]
    fn polish_amounts_parse_to_grosze() {
        assert_eq!(super::parse_pln("12 345,67"), Some(1_234_567));
        assert_eq!(super::parse_pln("100"), Some(10_000));
        assert_eq!(super::parse_pln("0.5"), Some(50));
        assert_eq!(super::parse_pln("1,234"), None);
        assert_eq!(super::parse_pln("-5"), None);
        assert_eq!(super::parse_pln("abc"), None);
        assert_eq!(super::parse_pln("9999999999999"), None);
    }
}
