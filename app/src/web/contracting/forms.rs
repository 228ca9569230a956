//! Page-form field types for what the pages ask in their own terms: money
//! in złoty, whole numbers that may be left blank, one item a line, rows of
//! "a | b | c". Each reads with serde, so a page form reads into a page
//! struct (`crate::web::extract::Form`) that converts into the API's input;
//! a value that does not fit is refused naming its field, with its key.

use cus_db::bounds::refuse;
use serde::{Deserialize, Deserializer};

/// Money that is no amount in złoty.
pub const MONEY_FORMAT: &str = "error-money-format";
/// A row that does not have the cells its textarea asks for.
pub const ROWS_FORMAT: &str = "error-rows-format";

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

/// Money typed in złoty ("12 345,67"), in grosze; blank is 0 (the services
/// then say whether an amount was needed).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Zloty(pub i64);

impl<'de> Deserialize<'de> for Zloty {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim().is_empty() {
            return Ok(Zloty(0));
        }
        parse_pln(&text)
            .map(Zloty)
            .ok_or_else(|| refuse(MONEY_FORMAT))
    }
}

/// A whole number (0 when blank), refused as the API refuses one that does
/// not fit (`cus_db::bounds`: out of range, or no number).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Count(pub i32);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim().is_empty() {
            return Ok(Count(0));
        }
        cus_db::bounds::parse_int(&text).map(Count).map_err(refuse)
    }
}

/// A textarea of one item a line, trimmed, blank lines left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lines(pub Vec<String>);

impl<'de> Deserialize<'de> for Lines {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Lines(items(&String::deserialize(d)?, &['\n'])))
    }
}

/// Names separated by commas or line breaks (partners, participants).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct List(pub Vec<String>);

impl<'de> Deserialize<'de> for List {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(List(items(&String::deserialize(d)?, &[',', '\n'])))
    }
}

fn items(text: &str, separators: &[char]) -> Vec<String> {
    text.split(separators)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// What one "a | b | c" row of a textarea holds.
pub trait FromRow: Sized {
    /// The row's trimmed cells; `None` when they do not make one.
    fn from_row(cells: &[&str]) -> Option<Self>;
}

/// A textarea of "a | b | c" rows (blank lines left out), each read into
/// `T`; a row that does not fit is refused (`error-rows-format`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rows<T>(pub Vec<T>);

impl<T> Default for Rows<T> {
    fn default() -> Self {
        Rows(Vec::new())
    }
}

impl<'de, T: FromRow> Deserialize<'de> for Rows<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| {
                let cells: Vec<&str> = l.split('|').map(str::trim).collect();
                T::from_row(&cells).ok_or_else(|| refuse(ROWS_FORMAT))
            })
            .collect::<Result<_, _>>()
            .map(Rows)
    }
}

/// A "year | amount in złoty" row: a tranche, a year's funds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearAmount {
    pub year: i32,
    pub grosze: i64,
}

impl FromRow for YearAmount {
    fn from_row(cells: &[&str]) -> Option<Self> {
        Some(YearAmount {
            year: cells.first()?.parse().ok()?,
            grosze: parse_pln(cells.get(1)?)?,
        })
    }
}

pub type YearAmounts = Rows<YearAmount>;

/// A "yes"/"no" choice (radio buttons): true when "yes" was chosen.
/// `#[serde(default, deserialize_with = "yes")]`.
pub fn yes<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(String::deserialize(d)? == "yes")
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[derive(Deserialize, Debug)]
    struct Page {
        #[serde(default)]
        funds: Zloty,
        #[serde(default)]
        hours: Count,
        #[serde(default)]
        places: Option<Count>,
        #[serde(default)]
        items: Lines,
        #[serde(default)]
        names: List,
        #[serde(default)]
        tranches: YearAmounts,
        #[serde(default, deserialize_with = "yes")]
        passed: bool,
    }

    fn read(body: &str) -> Result<Page, String> {
        serde_html_form::from_str::<Page>(body).map_err(|e| {
            cus_db::bounds::serde_refusal(&e.to_string())
                .unwrap_or("?")
                .to_string()
        })
    }

    #[test]
    fn page_fields_read_in_the_pages_terms() {
        let p = read(
            "funds=1+000%2C50&hours=&places=&items=a%0A%0A+b+&names=A%2C+B%0AC\
             &tranches=2027+%7C+100%0A2028|50,5&passed=yes",
        )
        .unwrap();
        assert_eq!(
            (p.funds, p.hours, p.places),
            (Zloty(100_050), Count(0), None)
        );
        assert_eq!(p.items, Lines(vec!["a".into(), "b".into()]));
        assert_eq!(p.names.0, ["A", "B", "C"]);
        let t: Vec<_> = p.tranches.0.iter().map(|t| (t.year, t.grosze)).collect();
        assert_eq!(t, [(2027, 10_000), (2028, 5_050)]);
        assert!(p.passed);
        let p = read("funds=&places=7").unwrap();
        assert_eq!(
            (p.funds, p.places, p.passed),
            (Zloty(0), Some(Count(7)), false)
        );
    }

    #[test]
    fn page_fields_refuse_with_their_keys() {
        assert_eq!(read("funds=abc").unwrap_err(), MONEY_FORMAT);
        assert_eq!(read("tranches=2027").unwrap_err(), ROWS_FORMAT);
        assert_eq!(read("tranches=rok+%7C+5").unwrap_err(), ROWS_FORMAT);
        assert_eq!(read("hours=12%2C5").unwrap_err(), "error-type");
        assert_eq!(
            read("places=9223372036854775807").unwrap_err(),
            "error-out-of-range"
        );
    }
}
