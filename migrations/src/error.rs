//! How a service refuses. Messages are translation keys: the web layer turns
//! them into the user's language.

use std::collections::BTreeMap;

/// Field name → translation keys of what is wrong with it.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("unauthorized")]
    Unauthorized,
    /// A state conflict (409); the key explains it.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Invalid fields (422).
    #[error("invalid fields: {0:?}")]
    Invalid(FieldErrors),
    /// A write refused for a reason with its own code (409 `held`,
    /// `open_case`, `restricted`; the message is `error-CODE`).
    #[error("blocked: {0}")]
    Blocked(&'static str),
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
}

pub type DomainResult<T> = Result<T, DomainError>;

impl DomainError {
    /// One invalid field.
    pub fn field(name: &str, key: &str) -> DomainError {
        let mut f = FieldErrors::new();
        f.insert(name.to_string(), vec![key.to_string()]);
        DomainError::Invalid(f)
    }

    pub fn conflict(key: &str) -> DomainError {
        DomainError::Conflict(key.to_string())
    }
}

/// Text allowed at most this many characters is a single line (a name, a
/// title, an address): no line breaks or tabs in it.
pub const LINE_MAX: usize = 300;

/// The refusal of a control character in text.
pub const CONTROL_CHARACTER: &str = "error-control-character";

/// [`CONTROL_CHARACTER`] when `text` holds a control character it may not:
/// in a line, any (NUL, CR, LF, tab, escape, DEL, C1...); in long text, any
/// but a tab and a line break (LF, or CR LF). Such characters break
/// PostgreSQL (NUL), the iCalendar and mail formats (a bare CR) and what the
/// reader sees (terminal escapes), and nobody types them.
pub fn control_refusal(text: &str, multiline: bool) -> Option<&'static str> {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let allowed = multiline
            && match c {
                '\t' | '\n' => true,
                '\r' => chars.peek() == Some(&'\n'),
                _ => false,
            };
        if c.is_control() && !allowed {
            return Some(CONTROL_CHARACTER);
        }
    }
    None
}

/// Collects field errors while checking a whole input, so the user sees them
/// all at once.
#[derive(Debug, Default)]
pub struct Check(FieldErrors);

impl Check {
    pub fn new() -> Check {
        Check::default()
    }

    pub fn fail(&mut self, field: &str, key: &str) {
        self.0
            .entry(field.to_string())
            .or_default()
            .push(key.to_string());
    }

    pub fn require(&mut self, ok: bool, field: &str, key: &str) {
        if !ok {
            self.fail(field, key);
        }
    }

    /// The value of a closed set that `text` names, or `None` with `key`
    /// recorded on `field` (so that every refusal of a form is reported at once).
    pub fn one_of<T: crate::lifecycle::TextEnum>(
        &mut self,
        text: &str,
        field: &str,
        key: &str,
    ) -> Option<T> {
        let value = T::parse(text);
        self.require(value.is_some(), field, key);
        value
    }

    /// Text between `min` and `max` characters (trimmed); `min` 0 for
    /// optional. Text of at most [`LINE_MAX`] characters is a line and holds
    /// no control character; longer text may hold line breaks and tabs, no
    /// other control character (see [`control_refusal`]).
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) {
        if let Some(key) = control_refusal(value, max > LINE_MAX) {
            self.fail(field, key);
            return;
        }
        let n = value.trim().chars().count();
        if n < min {
            self.fail(field, "error-required");
        } else if n > max {
            self.fail(field, "error-too-long");
        }
    }

    pub fn merge(&mut self, other: FieldErrors) {
        for (k, v) in other {
            self.0.entry(k).or_default().extend(v);
        }
    }

    pub fn finish(self) -> DomainResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self.0))
        }
    }
}

/// Maps "no row" to 404, everything else to a database error.
pub trait OptionalFound<T> {
    fn found(self) -> DomainResult<T>;
}

impl<T> OptionalFound<T> for Result<T, diesel::result::Error> {
    fn found(self) -> DomainResult<T> {
        match self {
            Ok(v) => Ok(v),
            Err(diesel::result::Error::NotFound) => Err(DomainError::NotFound),
            Err(e) => Err(DomainError::Database(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{control_refusal, Check, CONTROL_CHARACTER};

    #[test]
    fn lines_hold_no_control_character() {
        for bad in [
            "a\0b",
            "a\rb",
            "a\nb",
            "a\tb",
            "a\u{1b}[2J",
            "a\u{7f}",
            "a\u{85}",
        ] {
            assert_eq!(
                control_refusal(bad, false),
                Some(CONTROL_CHARACTER),
                "{bad:?}"
            );
        }
        assert_eq!(control_refusal("Zażółć gęślą jaźń", false), None);
    }

    #[test]
    fn long_text_keeps_its_lines_and_tabs() {
        assert_eq!(control_refusal("1.\tA\r\n2.\tB\n3.", true), None);
        for bad in ["a\rb", "a\r", "a\0b", "a\u{7}"] {
            assert_eq!(
                control_refusal(bad, true),
                Some(CONTROL_CHARACTER),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn text_checks_refuse_them_by_field() {
        let mut check = Check::new();
        check.text("title", "Tytu\0ł", 1, 300);
        check.text("agenda", "1.\r\n2.", 0, 20_000);
        check.text("place", "Sala\n12", 0, 300);
        let crate::DomainError::Invalid(fields) = check.finish().unwrap_err() else {
            panic!("field errors")
        };
        assert_eq!(fields.keys().collect::<Vec<_>>(), ["place", "title"]);
    }
}

/// An email address: what a mail server takes, at most 254 characters.
pub fn check_email(check: &mut Check, field: &str, email: &str) {
    use validator::ValidateEmail;
    check.require(
        email.len() <= 254 && email.validate_email(),
        field,
        "error-email",
    );
}
