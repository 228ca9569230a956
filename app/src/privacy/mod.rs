//! Data protection (RODO): the register of processing generated from the
//! tables' own descriptions, retention with anonymisation, the resident's
//! right of access, data subject requests, legal holds and restrictions.
//!
//! The data protection officer (`iod`) works in their municipality; an
//! administrator may act for any. Holds and restrictions are checked here,
//! in the domain, by every service that writes about a resident.

pub mod access;
pub mod anonymise;
pub mod period;
pub mod register;
pub mod requests;
pub mod retention;
pub mod todo;

use cus_db::{Actor, DomainError, DomainResult, Role};
use serde::Deserialize;

pub use period::Period;

/// Who reads the retention state and the data subject requests, runs
/// retention and decides requests.
pub const OFFICERS: &[Role] = &[Role::Iod, Role::Admin];

cus_db::text_enum! {
    /// What the retention rules act on (API.md "Data protection").
    pub enum RetentionKind {
        /// Residents whose requests and plans all closed long ago.
        ClosedCases = "closed_cases",
        /// Expired sign-in sessions and API tokens.
        Sessions = "sessions",
        /// Used or expired password reset and confirmation links.
        PasswordResets = "password_resets",
        /// The bodies and recipients of mail already sent.
        Outbox = "outbox",
        /// Survey codes never used, after the survey's period.
        SurveyCodes = "survey_codes",
        /// Rows of the audit log.
        AuditLog = "audit_log",
    }
}

cus_db::text_enum! {
    /// What happens to a record past its period.
    pub enum RetentionAction {
        /// Who the person was is removed; the facts figures need stay.
        Anonymise = "anonymise",
        Delete = "delete",
        /// The content is emptied, the record's existence kept.
        Clear = "clear",
    }
}

impl RetentionKind {
    pub fn action(self) -> RetentionAction {
        match self {
            RetentionKind::ClosedCases => RetentionAction::Anonymise,
            RetentionKind::Outbox => RetentionAction::Clear,
            RetentionKind::Sessions
            | RetentionKind::PasswordResets
            | RetentionKind::SurveyCodes
            | RetentionKind::AuditLog => RetentionAction::Delete,
        }
    }

    /// The moment the period is counted from.
    pub fn counted_from(self) -> &'static str {
        match self {
            RetentionKind::ClosedCases => "last_case_closed",
            RetentionKind::Sessions => "expired",
            RetentionKind::PasswordResets => "expired",
            RetentionKind::Outbox => "sent",
            RetentionKind::SurveyCodes => "survey_period_end",
            RetentionKind::AuditLog => "logged",
        }
    }
}

/// The `[retention]` settings: one period per kind. The defaults
/// (`config/default.toml`) are legal assumptions *to verify* (README).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionPeriods {
    pub closed_cases: Period,
    pub sessions: Period,
    pub password_resets: Period,
    pub outbox: Period,
    pub survey_codes: Period,
    pub audit_log: Period,
}

impl RetentionPeriods {
    pub fn of(&self, kind: RetentionKind) -> &Period {
        match kind {
            RetentionKind::ClosedCases => &self.closed_cases,
            RetentionKind::Sessions => &self.sessions,
            RetentionKind::PasswordResets => &self.password_resets,
            RetentionKind::Outbox => &self.outbox,
            RetentionKind::SurveyCodes => &self.survey_codes,
            RetentionKind::AuditLog => &self.audit_log,
        }
    }
}

/// The municipality an officer acts in: their own, or for an
/// administrator without one the one asked for (required then). A code
/// asked for that is not seven digits (an empty one too) is 422 on
/// `municipality`, as the document's pattern says.
pub fn officer_municipality(actor: &Actor, asked: Option<&str>) -> DomainResult<Option<String>> {
    actor.require(OFFICERS)?;
    if asked.is_some_and(|m| m.len() != 7 || !m.bytes().all(|b| b.is_ascii_digit())) {
        return Err(DomainError::field("municipality", "error-teryt-format"));
    }
    match (&actor.municipality, asked) {
        (Some(own), Some(asked)) if own != asked => Err(DomainError::NotFound),
        (Some(own), _) => Ok(Some(own.clone())),
        (None, asked) => Ok(asked.map(str::to_string)),
    }
}

/// The erasure log could not be written: nothing is anonymised (500).
pub fn storage_failed(e: std::io::Error) -> DomainError {
    DomainError::Database(diesel::result::Error::QueryBuilderError(
        format!("erasure log: {e}").into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::i18n;

    #[test]
    fn every_kind_is_said_in_both_languages() {
        for lang in i18n::LANGS {
            for kind in RetentionKind::ALL {
                for key in [
                    format!("retention-kind-{kind}"),
                    format!("retention-from-{}", kind.counted_from()),
                    format!("retention-action-{}", kind.action()),
                ] {
                    assert_ne!(i18n::t(lang, &key), key, "{lang}");
                }
            }
        }
    }
}
