//! Polish identifiers as validated newtypes (DOMAIN.md, "Identifiers"). A value
//! of these types has passed its checksum; constructors say why not.

use chrono::NaiveDate;
use serde::Serialize;

/// Why an identifier was refused: a translation key.
pub type Reason = &'static str;

fn digits(s: &str) -> Option<Vec<u32>> {
    s.chars().map(|c| c.to_digit(10)).collect()
}

fn weighted(d: &[u32], weights: &[u32]) -> u32 {
    d.iter().zip(weights).map(|(a, b)| a * b).sum()
}

/// PESEL: 11 digits, a valid birth date and check digit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Pesel(String);

impl Pesel {
    pub fn parse(s: &str) -> Result<Pesel, Reason> {
        let s = s.trim();
        let d = digits(s)
            .filter(|d| d.len() == 11)
            .ok_or("error-pesel-format")?;
        let check = (10 - weighted(&d[..10], &[1, 3, 7, 9, 1, 3, 7, 9, 1, 3]) % 10) % 10;
        if check != d[10] {
            return Err("error-pesel-checksum");
        }
        Self::birth_date_of(&d).ok_or("error-pesel-date")?;
        Ok(Pesel(s.to_string()))
    }

    fn birth_date_of(d: &[u32]) -> Option<NaiveDate> {
        let yy = (d[0] * 10 + d[1]) as i32;
        let mm = d[2] * 10 + d[3];
        let dd = d[4] * 10 + d[5];
        let (century, month) = match mm {
            1..=12 => (1900, mm),
            21..=32 => (2000, mm - 20),
            41..=52 => (2100, mm - 40),
            61..=72 => (2200, mm - 60),
            81..=92 => (1800, mm - 80),
            _ => return None,
        };
        NaiveDate::from_ymd_opt(century + yy, month, dd)
    }

    pub fn birth_date(&self) -> NaiveDate {
        let d = digits(&self.0).expect("checked");
        Self::birth_date_of(&d).expect("checked")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `F` or `M`: the tenth digit is even for women, odd for men.
    pub fn sex(&self) -> &'static str {
        let tenth = self.0.as_bytes()[9] - b'0';
        if tenth % 2 == 0 {
            "F"
        } else {
            "M"
        }
    }

    /// Shown on lists: the last four digits hidden.
    pub fn masked(s: &str) -> String {
        let keep: String = s.chars().take(7).collect();
        format!("{keep}****")
    }
}

/// TERYT code of a gmina: 7 digits WWPPGGR, WW even 02-32, R in 1-5, 8, 9.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Teryt(String);

impl Teryt {
    pub fn parse(s: &str) -> Result<Teryt, Reason> {
        let s = s.trim();
        let d = digits(s)
            .filter(|d| d.len() == 7)
            .ok_or("error-teryt-format")?;
        let ww = d[0] * 10 + d[1];
        if !(2..=32).contains(&ww) || ww % 2 != 0 {
            return Err("error-teryt-voivodeship");
        }
        if !matches!(d[6], 1..=5 | 8 | 9) {
            return Err("error-teryt-kind");
        }
        Ok(Teryt(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// NIP: 10 digits (dashes and a PL prefix stripped), mod-11 check digit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Nip(String);

impl Nip {
    pub fn parse(s: &str) -> Result<Nip, Reason> {
        let cleaned: String = s
            .trim()
            .trim_start_matches("PL")
            .chars()
            .filter(|c| !matches!(c, '-' | ' '))
            .collect();
        let d = digits(&cleaned)
            .filter(|d| d.len() == 10)
            .ok_or("error-nip-format")?;
        let sum = weighted(&d[..9], &[6, 5, 7, 2, 3, 4, 5, 6, 7]) % 11;
        if sum == 10 || sum != d[9] {
            return Err("error-nip-checksum");
        }
        Ok(Nip(cleaned))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// REGON: 9 or 14 digits with mod-11 check digits (10 counts as 0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Regon(String);

impl Regon {
    pub fn parse(s: &str) -> Result<Regon, Reason> {
        let s = s.trim();
        let d = digits(s).ok_or("error-regon-format")?;
        let ok9 = |d: &[u32]| weighted(&d[..8], &[8, 9, 2, 3, 4, 5, 6, 7]) % 11 % 10 == d[8];
        let valid = match d.len() {
            9 => ok9(&d),
            14 => {
                ok9(&d[..9])
                    && weighted(&d[..13], &[2, 4, 8, 5, 0, 9, 7, 3, 6, 1, 2, 4, 8]) % 11 % 10
                        == d[13]
            }
            _ => return Err("error-regon-format"),
        };
        if valid {
            Ok(Regon(s.to_string()))
        } else {
            Err("error-regon-checksum")
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// KRS: up to 10 digits, stored zero-padded; no checksum.
pub fn krs(s: &str) -> Result<String, Reason> {
    let s = s.trim();
    match digits(s) {
        Some(d) if !d.is_empty() && d.len() <= 10 => Ok(format!("{s:0>10}")),
        _ => Err("error-krs-format"),
    }
}

/// Polish IBAN: PL + 26 digits, mod 97 = 1. Spaces are ignored.
pub fn iban(s: &str) -> Result<String, Reason> {
    let s: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_uppercase();
    let s = if s.len() == 26 { format!("PL{s}") } else { s };
    let rest = s.strip_prefix("PL").ok_or("error-iban-format")?;
    if rest.len() != 26 || digits(rest).is_none() {
        return Err("error-iban-format");
    }
    // Move the country code and check digits to the end; P=25, L=21.
    let rearranged = format!("{}2521{}", &rest[2..], &rest[..2]);
    let rem = rearranged
        .bytes()
        .fold(0u32, |acc, b| (acc * 10 + (b - b'0') as u32) % 97);
    if rem == 1 {
        Ok(s)
    } else {
        Err("error-iban-checksum")
    }
}

/// Polish postal code NN-NNN.
pub fn postal_code(s: &str) -> Result<String, Reason> {
    let s = s.trim();
    let b = s.as_bytes();
    let ok = b.len() == 6
        && b[2] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 2 || c.is_ascii_digit());
    if ok {
        Ok(s.to_string())
    } else {
        Err("error-postal-format")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pesel() {
        assert!(Pesel::parse("44051401458").is_ok());
        assert_eq!(Pesel::parse("44051401459"), Err("error-pesel-checksum"));
        assert_eq!(Pesel::parse("4405140145"), Err("error-pesel-format"));
        assert_eq!(Pesel::parse("4405140145a"), Err("error-pesel-format"));
        // 2000s: month + 20.
        let p = Pesel::parse("02270803624").unwrap();
        assert_eq!(p.birth_date(), NaiveDate::from_ymd_opt(2002, 7, 8).unwrap());
        // 30 February does not exist, even with a right check digit.
        assert_eq!(Pesel::parse("90023012340"), Err("error-pesel-date"));
    }

    #[test]
    fn teryt() {
        assert!(Teryt::parse("1428011").is_ok());
        assert!(Teryt::parse("1021011").is_ok());
        assert!(Teryt::parse("0102011").is_err());
        assert!(Teryt::parse("1428016").is_err());
        assert!(Teryt::parse("14280").is_err());
    }

    #[test]
    fn nip_regon_krs_iban_postal() {
        assert!(Nip::parse("PL 526-000-12-46").is_ok());
        assert!(Nip::parse("5260001247").is_err());
        assert!(Regon::parse("123456785").is_ok());
        assert!(Regon::parse("123456786").is_err());
        assert!(Regon::parse("12345678512347").is_ok());
        assert_eq!(krs("12345").unwrap(), "0000012345");
        assert!(iban("PL61 1090 1014 0000 0712 1981 2874").is_ok());
        assert!(iban("PL61 1090 1014 0000 0712 1981 2875").is_err());
        assert!(postal_code("96-500").is_ok());
        assert!(postal_code("96500").is_err());
    }
}
