//! Contracting social services to NGOs (zlecanie usług): organizations, the
//! cooperation program, open competitions with commission scoring, multi-year
//! agreements with tranches, reports and settlement, and the OCDS export.
//!
//! Plain service functions over `&mut DbConn` and the `Actor`, as in the
//! single window; `app` composes them into routes and pages. Mail is queued
//! through the outbox by template name (the templates live in `app`).

pub mod agreements;
pub mod competitions;
pub mod evaluation;
pub mod ocds;
pub mod offers;
pub mod organizations;
pub mod privacy;
pub mod programs;
pub mod todo;

use cus_db::error::Check;

/// Money is integer grosze; no amount in the platform exceeds PLN 10 billion,
/// which keeps every sum far from i64 overflow (see `cus_db::bounds`).
pub const MAX_GROSZE: i64 = cus_db::bounds::MAX_GROSZE;

pub fn check_money(check: &mut Check, field: &str, grosze: i64) {
    if grosze < 0 {
        check.fail(field, "error-money-negative");
    } else if grosze > MAX_GROSZE {
        check.fail(field, "error-money-too-large");
    }
}

/// Money is in złoty only: a `currency` field, when sent, must say PLN.
pub fn check_currency(check: &mut Check, currency: &Option<String>) {
    check.require(
        currency.as_deref().is_none_or(|c| c == "PLN"),
        "currency",
        "error-currency",
    );
}

/// A program service that a competition or agreement names
/// (`program_service_id`): blank is none; otherwise it must be a service of
/// a social services program of the same municipality (any version: a
/// service keeps its id through amendments), else 422 on the field.
pub fn program_service(
    conn: &mut cus_db::DbConn,
    municipality: &str,
    id: Option<&str>,
) -> cus_db::DomainResult<Option<String>> {
    use cus_db::schema::{social_program_services as s, social_programs as p};
    use diesel::prelude::*;
    let Some(id) = id.map(str::trim).filter(|i| !i.is_empty()) else {
        return Ok(None);
    };
    let known: i64 = s::table
        .inner_join(p::table)
        .filter(s::id.eq(id))
        .filter(p::municipality.eq(municipality))
        .count()
        .get_result(conn)?;
    if known == 0 {
        return Err(cus_db::DomainError::field(
            "program_service_id",
            "error-program-service-unknown",
        ));
    }
    Ok(Some(id.to_string()))
}

/// JSON text of a value stored in a TEXT column.
pub fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".to_string())
}

/// A list stored as JSON text, or empty when the text is not one.
pub fn from_json_list<T: serde::de::DeserializeOwned>(text: &str) -> Vec<T> {
    serde_json::from_str(text).unwrap_or_default()
}
