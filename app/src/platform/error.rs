//! One error type for the whole web face: domain refusals and request-level
//! problems map to the statuses and body of API.md; pages render the same
//! message in the user's language.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use cus_db::{DomainError, FieldErrors};
use serde_json::json;

use crate::platform::i18n;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("malformed request: {0}")]
    BadRequest(String),
    #[error("payload too large")]
    TooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("internal error: {0}")]
    Internal(String),
    /// A method no route of the path takes; the methods that it takes, for
    /// `Allow`.
    #[error("method not allowed")]
    MethodNotAllowed(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        AppError::Domain(DomainError::Database(e))
    }
}

impl From<r2d2::Error> for AppError {
    fn from(e: r2d2::Error) -> Self {
        AppError::Internal(format!("database pool: {e}"))
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        AppError::Internal(format!("blocking pool: {e}"))
    }
}

/// A write that lost a race on a unique key (two submissions at once): a
/// conflict for the client, not a server fault.
fn unique_violation(e: &DomainError) -> bool {
    matches!(
        e,
        DomainError::Database(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _
        ))
    )
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        if let AppError::Domain(d) = self {
            if unique_violation(d) {
                return StatusCode::CONFLICT;
            }
        }
        match self {
            AppError::Domain(d) => match d {
                DomainError::NotFound => StatusCode::NOT_FOUND,
                DomainError::Forbidden => StatusCode::FORBIDDEN,
                DomainError::Unauthorized => StatusCode::UNAUTHORIZED,
                DomainError::Conflict(_) | DomainError::Blocked(_) => StatusCode::CONFLICT,
                DomainError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                DomainError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
                DomainError::Database(_) => StatusCode::INTERNAL_SERVER_ERROR,
            },
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
        }
    }

    /// The machine-readable code of API.md's error body.
    pub fn code(&self) -> &'static str {
        if let AppError::Domain(d) = self {
            if unique_violation(d) {
                return "conflict";
            }
        }
        match self {
            AppError::Domain(d) => match d {
                DomainError::NotFound => "not_found",
                DomainError::Forbidden => "forbidden",
                DomainError::Unauthorized => "unauthorized",
                DomainError::Conflict(_) => "conflict",
                DomainError::Blocked(code) => code,
                DomainError::Invalid(_) => "invalid",
                DomainError::RateLimited { .. } => "rate_limited",
                DomainError::Database(_) => "internal",
            },
            AppError::BadRequest(_) => "bad_request",
            AppError::TooLarge => "too_large",
            AppError::UnsupportedMediaType => "unsupported_media_type",
            AppError::Internal(_) => "internal",
            AppError::MethodNotAllowed(_) => "method_not_allowed",
        }
    }

    /// The human message in `lang`.
    pub fn message(&self, lang: &str) -> String {
        match self {
            AppError::Domain(DomainError::Conflict(key)) => i18n::t(lang, key),
            AppError::Domain(DomainError::Blocked(code)) => i18n::t(lang, &format!("error-{code}")),
            AppError::Domain(d) if unique_violation(d) => i18n::t(lang, "error-conflict"),
            AppError::BadRequest(detail) => {
                format!("{} ({detail})", i18n::t(lang, "error-bad_request"))
            }
            other => i18n::t(lang, &format!("error-{}", other.code())),
        }
    }

    /// Field errors translated into `lang`.
    pub fn fields(&self, lang: &str) -> Option<FieldErrors> {
        match self {
            AppError::Domain(DomainError::Invalid(fields)) => Some(translate_fields(fields, lang)),
            _ => None,
        }
    }

    pub fn retry_after(&self) -> Option<u64> {
        match self {
            AppError::Domain(DomainError::RateLimited { retry_after_secs }) => {
                Some(*retry_after_secs)
            }
            _ => None,
        }
    }

    /// Logs a server fault under a new correlation id and returns the id,
    /// which the response carries so a user's report finds the log line.
    pub fn log_fault(&self, path: &str) -> Option<String> {
        if !self.status().is_server_error() {
            return None;
        }
        let id = uuid::Uuid::new_v4().simple().to_string();
        // A survey's one-time code is in its path; the log never holds one.
        let path = if path.starts_with("/survey/") {
            "/survey/{code}"
        } else {
            path
        };
        tracing::error!(correlation_id = %id, path, error = %self, "request failed");
        Some(id)
    }

    /// The JSON response of API.md, in `lang`; a server fault names its
    /// correlation id.
    pub fn json_response(&self, lang: &str, correlation_id: Option<&str>) -> HttpResponse {
        let mut body = json!({"error": self.code(), "message": self.message(lang)});
        if let Some(fields) = self.fields(lang) {
            body["fields"] = json!(fields);
        }
        if let Some(id) = correlation_id {
            body["correlation_id"] = json!(id);
        }
        let mut resp = HttpResponse::build(self.status());
        if let Some(secs) = self.retry_after() {
            resp.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if let AppError::MethodNotAllowed(allow) = self {
            resp.insert_header((header::ALLOW, allow.clone()));
        }
        resp.json(body)
    }
}

pub fn translate_fields(fields: &FieldErrors, lang: &str) -> FieldErrors {
    fields
        .iter()
        .map(|(field, keys)| {
            (
                field.clone(),
                keys.iter().map(|k| i18n::t(lang, k)).collect(),
            )
        })
        .collect()
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    /// The response before the error middleware in `lib.rs` renders it in
    /// the user's language and logs server faults with a correlation id.
    fn error_response(&self) -> HttpResponse {
        self.json_response("en", None)
    }
}

/// Validator's errors as field errors; a rule's `code` names its message.
pub fn validation(errors: validator::ValidationErrors) -> DomainError {
    let mut fields = FieldErrors::new();
    for (field, errs) in errors.field_errors() {
        fields
            .entry(field.to_string())
            .or_default()
            .extend(errs.iter().map(|e| format!("error-{}", e.code)));
    }
    DomainError::Invalid(fields)
}

#[cfg(test)]
mod error_code_tests {
    use super::*;

    /// The document's `ErrorCode` enum lists every code the server answers.
    #[test]
    fn every_code_is_in_the_documented_enum() {
        let schema =
            serde_json::to_value(<cus_db::openapi::ErrorCode as utoipa::PartialSchema>::schema())
                .unwrap();
        let documented: Vec<&str> = schema["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let answered = [
            AppError::Domain(DomainError::NotFound),
            AppError::Domain(DomainError::Forbidden),
            AppError::Domain(DomainError::Unauthorized),
            AppError::Domain(DomainError::conflict("error-conflict")),
            AppError::Domain(DomainError::Blocked("held")),
            AppError::Domain(DomainError::Blocked("open_case")),
            AppError::Domain(DomainError::Blocked("restricted")),
            AppError::Domain(DomainError::Invalid(FieldErrors::new())),
            AppError::Domain(DomainError::RateLimited {
                retry_after_secs: 1,
            }),
            AppError::BadRequest(String::new()),
            AppError::TooLarge,
            AppError::UnsupportedMediaType,
            AppError::Internal(String::new()),
            AppError::MethodNotAllowed("GET".into()),
        ];
        for e in answered {
            assert!(documented.contains(&e.code()), "{} undocumented", e.code());
        }
        assert_eq!(documented.len(), 14);
    }
}
