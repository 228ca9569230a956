//! Social work, the social worker's side of the separated model (seed 002;
//! seed 003: a social work standard, fewer households per worker):
//! households (who lives together), districts and each social worker's
//! caseload, referrals from the benefits officer that hand a case over,
//! and social contracts (kontrakt socjalny, social assistance act art. 108).
//!
//! Every record here is special-category data: only the roles that work on
//! the case read it, never across municipalities, and single reads are
//! audited.

pub mod caseload;
pub mod contracts;
pub mod households;
pub mod referrals;
pub mod todo;

pub use cus_db::ids::{ContractId, DistrictId, HouseholdId, ReferralId};

use cus_db::{Actor, DomainError, DomainResult};

/// Refuses (404) a record of another municipality: never a hint that it exists.
fn same_municipality(actor: &Actor, municipality: &str) -> DomainResult<()> {
    if actor.sees_municipality(municipality) && actor.municipality.is_some() {
        Ok(())
    } else {
        Err(DomainError::NotFound)
    }
}

/// A unique index refusing a row (two households claiming one resident,
/// two districts of one name) is a state conflict, not a fault.
fn unique_conflict(key: &'static str) -> impl Fn(diesel::result::Error) -> DomainError {
    move |e| match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => DomainError::conflict(key),
        other => DomainError::Database(other),
    }
}

/// The clients of a period: (municipality, resident) for every resident
/// with a request filed in `[start, end)` or a plan open at some time in
/// it (made before its end, not closed before its start), of one
/// municipality or of all. What "residents with a request or plan in the
/// period" means wherever it is counted (the diagnosis, the indicators).
pub fn clients(
    conn: &mut cus_db::DbConn,
    municipality: Option<&str>,
    start: chrono::NaiveDateTime,
    end: chrono::NaiveDateTime,
) -> diesel::QueryResult<std::collections::BTreeSet<(String, String)>> {
    use cus_db::schema::{plan_events, plans, requests};
    use diesel::dsl::{exists, not};
    use diesel::prelude::*;
    let mut filed = requests::table
        .filter(requests::created_at.ge(start))
        .filter(requests::created_at.lt(end))
        .select((requests::municipality, requests::resident_id))
        .distinct()
        .into_boxed();
    let closed_before = plan_events::table
        .filter(plan_events::plan_id.eq(plans::id))
        .filter(plan_events::to_status.eq(cus_db::states::PlanStatus::Closed))
        .filter(plan_events::at.lt(start));
    let mut planned = plans::table
        .filter(plans::created_at.lt(end))
        .filter(not(exists(closed_before)))
        .select((plans::municipality, plans::resident_id))
        .distinct()
        .into_boxed();
    if let Some(m) = municipality {
        filed = filed.filter(requests::municipality.eq(m.to_string()));
        planned = planned.filter(plans::municipality.eq(m.to_string()));
    }
    let mut out: std::collections::BTreeSet<(String, String)> =
        filed.load::<(String, String)>(conn)?.into_iter().collect();
    out.extend(planned.load::<(String, String)>(conn)?);
    Ok(out)
}
