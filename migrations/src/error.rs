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

    /// Text between `min` and `max` characters (trimmed); `min` 0 for optional.
    pub fn text(&mut self, field: &str, value: &str, min: usize, max: usize) {
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
