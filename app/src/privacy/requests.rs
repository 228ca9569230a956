//! Data subject requests (GDPR art. 15-21): filed by the resident or at the
//! desk, answered by the officer within a month (art. 12 ust. 3). A
//! granted erasure anonymises at once; a granted restriction blocks every
//! later write about the person until the officer lifts it. Legal holds
//! keep a resident from anonymisation.

use chrono::{Months, NaiveDate, NaiveDateTime};
use cus_db::audit::audit_in;
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{plans, privacy_requests, requests, residents};
use cus_db::states::PlanStatus;
use cus_db::{now, Actor, DbConn, DomainError, DomainResult, Lifecycle, Role, TextEnum};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::anonymise::{self, ErasureLog, Why};
use super::OFFICERS;
use crate::window::{
    own_resident_id, resident_municipality as municipality_of, ResidentRecord, ResidentRow,
};
use crate::window::{RequestStatus, ResidentId};

cus_db::id_type!(
    /// A data subject request.
    PrivacyRequestId
);

cus_db::text_enum! {
    /// The rights of GDPR art. 15-21 a request invokes.
    pub enum RightKind {
        Access = "access",
        Rectification = "rectification",
        Erasure = "erasure",
        Restriction = "restriction",
        Objection = "objection",
    }
}

cus_db::text_enum! {
    pub enum RequestState {
        Open = "open",
        Decided = "decided",
    }
}

impl Lifecycle for RequestState {
    fn moves(self) -> &'static [Self] {
        match self {
            RequestState::Open => &[RequestState::Decided],
            RequestState::Decided => &[],
        }
    }
}

cus_db::text_enum! {
    pub enum Decision {
        Granted = "granted",
        Refused = "refused",
        Partly = "partly",
    }
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = privacy_requests)]
pub struct PrivacyRequest {
    pub id: PrivacyRequestId,
    pub municipality: String,
    pub resident_id: ResidentId,
    pub kind: RightKind,
    pub text: String,
    pub status: RequestState,
    /// The answer is due by this Warsaw date (one month after filing).
    pub due: NaiveDate,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub filed_at: NaiveDateTime,
    pub decision: Option<Decision>,
    pub reason: Option<String>,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    pub decided_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPrivacyRequest {
    /// The desk or the officer names the resident; a resident files for
    /// themself.
    #[serde(default)]
    pub resident_id: Option<String>,
    #[schema(value_type = RightKind)]
    pub kind: String,
    /// What the person asks for, in their words (up to 5,000 characters).
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    #[schema(value_type = Decision)]
    pub decision: String,
    #[schema(min_length = 1, max_length = 5000)]
    pub reason: String,
}

/// Who files for someone else.
const FILING_FOR_OTHERS: &[Role] = &[Role::Desk, Role::Iod, Role::Admin];

/// The answer's deadline: the same day of the next month, or that month's
/// last day when it is shorter (GDPR art. 12 ust. 3).
pub fn due_after(filed: NaiveDate) -> NaiveDate {
    filed.checked_add_months(Months::new(1)).unwrap_or(filed)
}

/// Files a request: a resident for themself, the desk or the officer for a
/// resident of their municipality.
pub fn file(
    conn: &mut DbConn,
    actor: &Actor,
    new: NewPrivacyRequest,
    today: NaiveDate,
) -> DomainResult<PrivacyRequest> {
    let mut check = Check::new();
    let kind = RightKind::parse(&new.kind);
    check.require(kind.is_some(), "kind", "error-choice");
    check.text("text", &new.text, 0, 5000);
    let resident = if actor.role == Role::Resident {
        check.require(
            new.resident_id.is_none(),
            "resident_id",
            "error-privacy-self",
        );
        None
    } else {
        actor.require(FILING_FOR_OTHERS)?;
        let id = new.resident_id.as_deref().and_then(ResidentId::parse);
        check.require(id.is_some(), "resident_id", "error-required");
        id
    };
    check.finish()?;
    let resident = match resident {
        None => ResidentId::parse(&own_resident_id(conn, actor)?).ok_or(DomainError::NotFound)?,
        Some(id) => {
            let m = municipality_of(conn, &id)
                .map_err(|_| DomainError::field("resident_id", "error-privacy-resident"))?;
            if !actor.sees_municipality(&m) {
                return Err(DomainError::field("resident_id", "error-privacy-resident"));
            }
            id
        }
    };
    let municipality = municipality_of(conn, &resident)?;
    let at = now();
    let row = PrivacyRequest {
        id: PrivacyRequestId::new(),
        municipality,
        resident_id: resident,
        kind: kind.expect("checked"),
        text: new.text.trim().to_string(),
        status: RequestState::Open,
        due: due_after(today),
        filed_at: at,
        decision: None,
        reason: None,
        decided_at: None,
    };
    diesel::insert_into(privacy_requests::table)
        .values((
            privacy_requests::id.eq(&row.id),
            privacy_requests::municipality.eq(&row.municipality),
            privacy_requests::resident_id.eq(&row.resident_id),
            privacy_requests::kind.eq(row.kind),
            privacy_requests::text.eq(&row.text),
            privacy_requests::status.eq(row.status),
            privacy_requests::due.eq(row.due),
            privacy_requests::filed_by.eq(&actor.user_id),
            privacy_requests::filed_at.eq(row.filed_at),
        ))
        .execute(conn)?;
    audit_in(
        conn,
        actor,
        &row.municipality,
        "privacy.request.create",
        "privacy_request",
        &row.id,
    )?;
    Ok(row)
}

/// A list of requests as the query string asks for it.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct RequestFilter {
    #[param(required = false, value_type = RequestState)]
    pub status: Option<String>,
    #[param(minimum = 1, maximum = 10_000_000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// The officer's list, open ones first by due date.
pub fn list(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &RequestFilter,
) -> DomainResult<(Vec<PrivacyRequest>, i64)> {
    actor.require(OFFICERS)?;
    let status = match filter.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(RequestState::parse_field(s, "status", "error-choice")?),
        None => None,
    };
    let (page, per_page) = cus_db::bounds::paging(filter.page, filter.per_page)?;
    let scoped = || {
        let mut q = privacy_requests::table.into_boxed();
        if let Some(m) = &actor.municipality {
            q = q.filter(privacy_requests::municipality.eq(m.clone()));
        }
        if let Some(status) = status {
            q = q.filter(privacy_requests::status.eq(status));
        }
        q
    };
    let total = scoped().count().get_result(conn)?;
    let items = scoped()
        .order((
            privacy_requests::status.desc(),
            privacy_requests::due,
            privacy_requests::filed_at,
        ))
        .offset((page - 1) * per_page)
        .limit(per_page)
        .select(PrivacyRequest::as_select())
        .load(conn)?;
    Ok((items, total))
}

/// One request, for the officer of its municipality.
pub fn get(
    conn: &mut DbConn,
    actor: &Actor,
    id: &PrivacyRequestId,
) -> DomainResult<PrivacyRequest> {
    actor.require(OFFICERS)?;
    let row: PrivacyRequest = privacy_requests::table
        .find(id)
        .select(PrivacyRequest::as_select())
        .get_result(conn)
        .found()?;
    if !actor.sees_municipality(&row.municipality) {
        return Err(DomainError::NotFound);
    }
    Ok(row)
}

/// The requests a resident filed (or were filed for them).
pub fn of_resident(conn: &mut DbConn, id: &ResidentId) -> DomainResult<Vec<PrivacyRequest>> {
    Ok(privacy_requests::table
        .filter(privacy_requests::resident_id.eq(id))
        .order(privacy_requests::filed_at)
        .select(PrivacyRequest::as_select())
        .load(conn)?)
}

/// Whether the resident has a request or a plan not yet closed.
pub fn has_open_case(conn: &mut DbConn, id: &ResidentId) -> DomainResult<bool> {
    let r: i64 = requests::table
        .filter(requests::resident_id.eq(id))
        .filter(requests::status.ne(RequestStatus::Closed))
        .count()
        .get_result(conn)?;
    let p: i64 = plans::table
        .filter(plans::resident_id.eq(id))
        .filter(plans::status.ne(PlanStatus::Closed))
        .count()
        .get_result(conn)?;
    Ok(r + p > 0)
}

/// The officer's decision. Deciding twice is a conflict; a granted
/// erasure of a resident under a hold (`held`, checked first) or with an
/// open case (`open_case`) is refused and the request stays open.
pub fn decide(
    conn: &mut DbConn,
    actor: &Actor,
    id: &PrivacyRequestId,
    input: DecisionInput,
    log: &ErasureLog,
) -> DomainResult<PrivacyRequest> {
    let row = get(conn, actor, id)?;
    let mut check = Check::new();
    let decision = Decision::parse(&input.decision);
    check.require(decision.is_some(), "decision", "error-choice");
    check.text("reason", &input.reason, 1, 5000);
    check.finish()?;
    let decision = decision.expect("checked");
    if !RequestState::can_move(row.status, RequestState::Decided) {
        return Err(DomainError::conflict("error-privacy-decided"));
    }
    let at = now();
    if decision == Decision::Granted {
        match row.kind {
            RightKind::Erasure => {
                if held(conn, &row.resident_id)? {
                    return Err(DomainError::Blocked("held"));
                }
                if has_open_case(conn, &row.resident_id)? {
                    return Err(DomainError::Blocked("open_case"));
                }
                let entry = anonymise::entry(&row.resident_id, &row.municipality, Why::Erasure, at);
                log.append(&[entry]).map_err(super::storage_failed)?;
                anonymise::anonymise(conn, &row.resident_id, at)?;
            }
            RightKind::Restriction => {
                diesel::update(residents::table.find(&row.resident_id))
                    .set(residents::restricted_at.eq(Some(at)))
                    .execute(conn)?;
            }
            RightKind::Access | RightKind::Rectification | RightKind::Objection => {}
        }
    }
    // The erasure may have emptied the request's own text: keep what
    // anonymising left.
    diesel::update(privacy_requests::table.find(id))
        .set((
            privacy_requests::status.eq(RequestState::Decided),
            privacy_requests::decision.eq(Some(decision)),
            privacy_requests::reason.eq(Some(input.reason.trim())),
            privacy_requests::decided_by.eq(Some(&actor.user_id)),
            privacy_requests::decided_at.eq(Some(at)),
        ))
        .execute(conn)?;
    audit_in(
        conn,
        actor,
        &row.municipality,
        "privacy.request.decide",
        "privacy_request",
        id,
    )?;
    get(conn, actor, id)
}

fn held(conn: &mut DbConn, id: &ResidentId) -> DomainResult<bool> {
    let at: Option<NaiveDateTime> = residents::table
        .find(id)
        .select(residents::held_at)
        .first(conn)?;
    Ok(at.is_some())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldInput {
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// The resident an officer may act on: of their municipality (404 else).
fn officer_resident(conn: &mut DbConn, actor: &Actor, id: &ResidentId) -> DomainResult<String> {
    actor.require(OFFICERS)?;
    let m = municipality_of(conn, id)?;
    if !actor.sees_municipality(&m) {
        return Err(DomainError::NotFound);
    }
    Ok(m)
}

/// A legal hold: the resident is never anonymised while it stands.
pub fn hold(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ResidentId,
    input: HoldInput,
) -> DomainResult<()> {
    let m = officer_resident(conn, actor, id)?;
    let mut check = Check::new();
    check.text("reason", &input.reason, 1, 2000);
    check.finish()?;
    diesel::update(residents::table.find(id))
        .set((
            residents::held_at.eq(Some(now())),
            residents::held_reason.eq(Some(input.reason.trim())),
        ))
        .execute(conn)?;
    audit_in(conn, actor, &m, "privacy.hold", "resident", id)?;
    Ok(())
}

/// Lifts a legal hold.
pub fn release(conn: &mut DbConn, actor: &Actor, id: &ResidentId) -> DomainResult<()> {
    let m = officer_resident(conn, actor, id)?;
    diesel::update(residents::table.find(id))
        .set((
            residents::held_at.eq(None::<NaiveDateTime>),
            residents::held_reason.eq(None::<String>),
        ))
        .execute(conn)?;
    audit_in(conn, actor, &m, "privacy.release", "resident", id)?;
    Ok(())
}

/// Lifts a restriction of processing.
pub fn lift_restriction(conn: &mut DbConn, actor: &Actor, id: &ResidentId) -> DomainResult<()> {
    let m = officer_resident(conn, actor, id)?;
    diesel::update(residents::table.find(id))
        .set(residents::restricted_at.eq(None::<NaiveDateTime>))
        .execute(conn)?;
    audit_in(conn, actor, &m, "privacy.unrestrict", "resident", id)?;
    Ok(())
}

/// A resident as the data protection officer sees them: the record, and
/// why a hold stands. Audited as a read.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OfficerView {
    #[serde(flatten)]
    pub record: ResidentRecord,
    pub held_reason: Option<String>,
}

pub fn officer_view(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ResidentId,
) -> DomainResult<OfficerView> {
    actor.require(OFFICERS)?;
    let row: ResidentRow = residents::table
        .find(id)
        .select(ResidentRow::as_select())
        .get_result(conn)
        .found()?;
    if !actor.sees_municipality(&row.municipality) {
        return Err(DomainError::NotFound);
    }
    audit_in(
        conn,
        actor,
        &row.municipality,
        "resident.read",
        "resident",
        id,
    )?;
    let held_reason = row.held_reason.clone();
    Ok(OfficerView {
        record: row.into(),
        held_reason,
    })
}
