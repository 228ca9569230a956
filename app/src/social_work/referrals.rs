//! Referrals (skierowanie, seed 002): the benefits officer refers a case to
//! social work "to establish the client's possibilities"; a social worker
//! accepts it (the case moves to them and onto their list), declines it
//! with a reason, or, once accepted, marks it done with an outcome and
//! whether the service was delivered. The benefits officer sees where each
//! referral stands.

use chrono::{NaiveDate, NaiveDateTime};
use cus_db::audit::{audit, audit_in};
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{
    households, referral_events, referrals, request_events, requests, residents, users,
};
use cus_db::{new_id, now, Actor, DbConn, DomainError, DomainResult, Lifecycle, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use utoipa::ToSchema;

use super::{same_municipality, ReferralId};
use crate::window::{Request, RequestId, RequestStatus};

cus_db::text_enum! {
    /// Where a referral stands.
    pub enum ReferralStatus {
        Sent = "sent",
        Accepted = "accepted",
        Declined = "declined",
        Done = "done",
    }
}

impl Lifecycle for ReferralStatus {
    fn moves(self) -> &'static [Self] {
        use ReferralStatus::*;
        match self {
            Sent => &[Accepted, Declined],
            Accepted => &[Done],
            Declined | Done => &[],
        }
    }
}

cus_db::text_enum! {
    /// How a referral ended.
    pub enum ReferralOutcome {
        Success = "success",
        ClientRefused = "client_refused",
        UnableToContact = "unable_to_contact",
        NoCapacity = "no_capacity",
        Other = "other",
    }
}

/// The roles that read referrals: the two that pass them, and the organizer.
pub const READING: &[Role] = &[Role::SocialWorker, Role::Benefits, Role::Organizer];

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = referrals)]
pub struct Referral {
    pub id: ReferralId,
    #[serde(skip)]
    pub municipality: String,
    pub request_id: RequestId,
    pub status: ReferralStatus,
    /// The district's social worker with the fewest households when it was sent.
    pub suggested_to: Option<String>,
    pub referred_by: String,
    pub accepted_by: Option<String>,
    pub outcome: Option<ReferralOutcome>,
    pub delivered: Option<bool>,
    pub reason: Option<String>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub updated_at: NaiveDateTime,
}

/// What a referral message answers with.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralSummary {
    pub id: ReferralId,
    pub status: ReferralStatus,
    pub suggested_to: Option<String>,
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = referral_events)]
pub struct ReferralEvent {
    pub from_status: Option<ReferralStatus>,
    pub to_status: ReferralStatus,
    pub note: String,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralView {
    #[serde(flatten)]
    pub referral: Referral,
    pub case_number: String,
    pub resident_id: String,
    pub resident_name: String,
    pub referred_by_name: String,
    pub suggested_to_name: Option<String>,
    pub accepted_by_name: Option<String>,
    pub history: Vec<ReferralEvent>,
}

/// Opens the referral a `referral` message sends: suggested to the social
/// worker of the family's district with the fewest households.
pub fn open(
    conn: &mut DbConn,
    actor: &Actor,
    request: &Request,
    message_id: &str,
    today: NaiveDate,
) -> DomainResult<ReferralSummary> {
    let district: Option<Option<String>> =
        super::households::household_of(conn, request.resident_id.as_str())?
            .map(|h| {
                households::table
                    .find(h)
                    .select(households::district_id)
                    .first(conn)
            })
            .transpose()?;
    let suggested_to = match district
        .flatten()
        .and_then(|d| super::DistrictId::parse(&d))
    {
        Some(d) => super::caseload::suggest(conn, &request.municipality, &d, today)?,
        None => None,
    };
    let id = ReferralId::new();
    let at = now();
    diesel::insert_into(referrals::table)
        .values((
            referrals::id.eq(&id),
            referrals::municipality.eq(&request.municipality),
            referrals::request_id.eq(&request.id),
            referrals::message_id.eq(message_id),
            referrals::status.eq(ReferralStatus::Sent),
            referrals::suggested_to.eq(&suggested_to),
            referrals::referred_by.eq(&actor.user_id),
            referrals::created_at.eq(at),
            referrals::updated_at.eq(at),
        ))
        .execute(conn)?;
    event(conn, actor, &id, None, ReferralStatus::Sent, "")?;
    audit(conn, actor, "referral.create", "referral", &id)?;
    Ok(ReferralSummary {
        id,
        status: ReferralStatus::Sent,
        suggested_to,
    })
}

fn event(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ReferralId,
    from: Option<ReferralStatus>,
    to: ReferralStatus,
    note: &str,
) -> QueryResult<()> {
    diesel::insert_into(referral_events::table)
        .values((
            referral_events::id.eq(new_id()),
            referral_events::referral_id.eq(id),
            referral_events::actor_id.eq(&actor.user_id),
            referral_events::from_status.eq(from),
            referral_events::to_status.eq(to),
            referral_events::note.eq(note),
            referral_events::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

fn visible(conn: &mut DbConn, actor: &Actor, id: &ReferralId) -> DomainResult<Referral> {
    let r: Referral = referrals::table
        .find(id)
        .select(Referral::as_select())
        .get_result(conn)
        .found()?;
    if !actor.is(READING) {
        return Err(DomainError::NotFound);
    }
    same_municipality(actor, &r.municipality)?;
    Ok(r)
}

fn names(conn: &mut DbConn, ids: &[&str]) -> QueryResult<HashMap<String, String>> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// A referral with its case and history, as the roles that pass it see it
/// (audited).
pub fn get_referral(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ReferralId,
) -> DomainResult<ReferralView> {
    let referral = visible(conn, actor, id)?;
    audit_in(
        conn,
        actor,
        &referral.municipality,
        "referral.read",
        "referral",
        id,
    )?;
    view(conn, referral)
}

fn view(conn: &mut DbConn, referral: Referral) -> DomainResult<ReferralView> {
    let (case_number, resident_id, first, last): (String, String, String, String) = requests::table
        .inner_join(residents::table)
        .filter(requests::id.eq(&referral.request_id))
        .select((
            requests::case_number,
            requests::resident_id,
            residents::first_name,
            residents::last_name,
        ))
        .get_result(conn)?;
    let history = referral_events::table
        .filter(referral_events::referral_id.eq(&referral.id))
        .order(referral_events::at)
        .select(ReferralEvent::as_select())
        .load(conn)?;
    let ids: Vec<&str> = [
        Some(referral.referred_by.as_str()),
        referral.suggested_to.as_deref(),
        referral.accepted_by.as_deref(),
    ]
    .into_iter()
    .flatten()
    .collect();
    let names = names(conn, &ids)?;
    let name = |id: &Option<String>| id.as_ref().and_then(|i| names.get(i).cloned());
    Ok(ReferralView {
        case_number,
        resident_id,
        resident_name: format!("{first} {last}"),
        referred_by_name: names
            .get(&referral.referred_by)
            .cloned()
            .unwrap_or_default(),
        suggested_to_name: name(&referral.suggested_to),
        accepted_by_name: name(&referral.accepted_by),
        history,
        referral,
    })
}

/// The referrals a list asks for (`?status=`, `?mine=`).
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReferralFilter {
    #[param(required = false, value_type = ReferralStatus)]
    pub status: Option<String>,
    /// A social worker's own: suggested to or accepted by them; a benefits
    /// officer's own: sent by them.
    pub mine: Option<bool>,
    /// The referrals of one case.
    pub request_id: Option<String>,
}

/// One row of a list of referrals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralRow {
    pub id: ReferralId,
    pub request_id: RequestId,
    pub case_number: String,
    pub resident_name: String,
    pub status: ReferralStatus,
    pub suggested_to: Option<String>,
    pub suggested_to_name: Option<String>,
    pub accepted_by: Option<String>,
    pub accepted_by_name: Option<String>,
    pub outcome: Option<ReferralOutcome>,
    pub delivered: Option<bool>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub updated_at: NaiveDateTime,
}

/// One page of the municipality's referrals, newest first, and how many.
pub fn list_referrals(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &ReferralFilter,
    paging: &cus_db::bounds::Paging,
) -> DomainResult<(Vec<ReferralRow>, i64)> {
    actor.require(READING)?;
    let municipality = actor.home()?.to_string();
    let status: Option<ReferralStatus> = cus_db::todo::choice(&filter.status, "status")?;
    let window = paging.window()?;
    let request = match filter.request_id.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => {
            Some(RequestId::parse(r).ok_or_else(|| DomainError::field("request_id", "error-id"))?)
        }
        None => None,
    };
    let mine = filter.mine.unwrap_or(false);
    let me = actor.user_id.clone();
    let role = actor.role;
    let scope = || {
        let mut q = referrals::table
            .inner_join(requests::table.inner_join(residents::table))
            .filter(referrals::municipality.eq(municipality.clone()))
            .into_boxed();
        if let Some(s) = status {
            q = q.filter(referrals::status.eq(s));
        }
        if let Some(r) = &request {
            q = q.filter(referrals::request_id.eq(r.clone()));
        }
        if mine {
            q = match role {
                Role::SocialWorker => q.filter(
                    referrals::accepted_by
                        .eq(me.clone())
                        .or(referrals::suggested_to.eq(me.clone())),
                ),
                _ => q.filter(referrals::referred_by.eq(me.clone())),
            };
        }
        q
    };
    let total: i64 = scope().count().get_result(conn)?;
    type Row = (
        ReferralId,
        RequestId,
        String,
        String,
        String,
        ReferralStatus,
        Option<String>,
        Option<String>,
        Option<ReferralOutcome>,
        Option<bool>,
        NaiveDateTime,
        NaiveDateTime,
    );
    let rows: Vec<Row> = window
        .of(scope()
            .order((referrals::created_at.desc(), referrals::id))
            .select((
                referrals::id,
                referrals::request_id,
                requests::case_number,
                residents::first_name,
                residents::last_name,
                referrals::status,
                referrals::suggested_to,
                referrals::accepted_by,
                referrals::outcome,
                referrals::delivered,
                referrals::created_at,
                referrals::updated_at,
            )))
        .load(conn)?;
    let ids: Vec<&str> = rows
        .iter()
        .flat_map(|r| [r.6.as_deref(), r.7.as_deref()])
        .flatten()
        .collect();
    let names = names(conn, &ids)?;
    let name = |id: &Option<String>| id.as_ref().and_then(|i| names.get(i).cloned());
    let items = rows
        .into_iter()
        .map(|r| ReferralRow {
            suggested_to_name: name(&r.6),
            accepted_by_name: name(&r.7),
            id: r.0,
            request_id: r.1,
            case_number: r.2,
            resident_name: format!("{} {}", r.3, r.4),
            status: r.5,
            suggested_to: r.6,
            accepted_by: r.7,
            outcome: r.8,
            delivered: r.9,
            created_at: r.10,
            updated_at: r.11,
        })
        .collect();
    Ok((items, total))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralTransition {
    #[schema(value_type = ReferralStatus)]
    pub to: String,
    /// Required to decline, and to mark done with any outcome but `success`.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub reason: Option<String>,
    /// Required to mark done.
    #[serde(default)]
    #[schema(value_type = Option<ReferralOutcome>)]
    pub outcome: Option<String>,
    /// Required to mark done: whether the service was delivered.
    #[serde(default)]
    pub delivered: Option<bool>,
}

/// Moves a referral (a social worker of its municipality). Accepting hands
/// the case to the worker; every move is in the history.
pub fn transition(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ReferralId,
    input: ReferralTransition,
) -> DomainResult<ReferralView> {
    let referral = visible(conn, actor, id)?;
    actor.require(&[Role::SocialWorker])?;
    let request: Request = requests::table
        .find(&referral.request_id)
        .select(Request::as_select())
        .get_result(conn)?;
    crate::window::ensure_unrestricted(conn, request.resident_id.as_str())?;
    let mut check = Check::new();
    let to = check.one_of::<ReferralStatus>(&input.to, "to", "error-referral-status");
    let reason = input.reason.as_deref().map(str::trim).unwrap_or("");
    check.text("reason", reason, 0, 2000);
    check.finish()?;
    let to = to.expect("checked above");
    if !ReferralStatus::can_move(referral.status, to) {
        return Err(DomainError::conflict("error-referral-moved"));
    }
    let mut check = Check::new();
    let mut outcome = None;
    match to {
        ReferralStatus::Declined => check.require(!reason.is_empty(), "reason", "error-required"),
        ReferralStatus::Done => {
            outcome = match input.outcome.as_deref() {
                Some(o) => check.one_of::<ReferralOutcome>(o, "outcome", "error-referral-outcome"),
                None => {
                    check.fail("outcome", "error-required");
                    None
                }
            };
            if outcome.is_some_and(|o| o != ReferralOutcome::Success) {
                check.require(!reason.is_empty(), "reason", "error-required");
            }
            check.require(input.delivered.is_some(), "delivered", "error-required");
        }
        ReferralStatus::Sent | ReferralStatus::Accepted => {}
    }
    check.finish()?;
    let at = now();
    let reason = (!reason.is_empty()).then(|| reason.to_string());
    // Only from the status read above: of two workers accepting at once,
    // the second finds it moved (409).
    let from = referrals::table
        .find(id)
        .filter(referrals::status.eq(referral.status));
    let moved = match to {
        ReferralStatus::Accepted => diesel::update(from)
            .set((
                referrals::status.eq(to),
                referrals::accepted_by.eq(&actor.user_id),
                referrals::accepted_at.eq(at),
                referrals::updated_at.eq(at),
            ))
            .execute(conn)?,
        ReferralStatus::Declined => diesel::update(from)
            .set((
                referrals::status.eq(to),
                referrals::reason.eq(&reason),
                referrals::updated_at.eq(at),
            ))
            .execute(conn)?,
        ReferralStatus::Done => diesel::update(from)
            .set((
                referrals::status.eq(to),
                referrals::outcome.eq(outcome),
                referrals::delivered.eq(input.delivered),
                referrals::reason.eq(&reason),
                referrals::done_at.eq(at),
                referrals::updated_at.eq(at),
            ))
            .execute(conn)?,
        ReferralStatus::Sent => 0,
    };
    if moved != 1 {
        return Err(DomainError::conflict("error-referral-moved"));
    }
    event(
        conn,
        actor,
        id,
        Some(referral.status),
        to,
        reason.as_deref().unwrap_or(""),
    )?;
    if to == ReferralStatus::Accepted {
        hand_over(conn, actor, &request)?;
    }
    audit(conn, actor, "referral.transition", "referral", id)?;
    let referral = visible(conn, actor, id)?;
    view(conn, referral)
}

/// The case moves to the social worker who accepted its referral: assigned
/// to them, routed to social work, so it is on their list.
fn hand_over(conn: &mut DbConn, actor: &Actor, request: &Request) -> DomainResult<()> {
    let status = if RequestStatus::can_move(request.status, RequestStatus::Routed) {
        RequestStatus::Routed
    } else {
        request.status
    };
    let role = Role::SocialWorker.as_str();
    diesel::update(requests::table.find(&request.id))
        .set((
            requests::assigned_to.eq(&actor.user_id),
            requests::assigned_role.eq(role),
            requests::status.eq(status),
            requests::updated_at.eq(now()),
        ))
        .execute(conn)?;
    diesel::insert_into(request_events::table)
        .values((
            request_events::id.eq(new_id()),
            request_events::request_id.eq(&request.id),
            request_events::actor_id.eq(Some(actor.user_id.clone())),
            request_events::status.eq(status),
            request_events::assigned_role.eq(Some(role)),
            request_events::note.eq(&actor.display_name),
            request_events::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The referrals of one case, for its page (the roles that pass them).
pub fn of_request(
    conn: &mut DbConn,
    actor: &Actor,
    request: &RequestId,
) -> DomainResult<Vec<ReferralRow>> {
    if !actor.is(READING) {
        return Ok(vec![]);
    }
    let filter = ReferralFilter {
        request_id: Some(request.to_string()),
        ..Default::default()
    };
    Ok(list_referrals(conn, actor, &filter, &cus_db::bounds::Paging::first(100))?.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_referral_moves_once_each_way() {
        use ReferralStatus::*;
        assert!(ReferralStatus::can_move(Sent, Accepted));
        assert!(ReferralStatus::can_move(Sent, Declined));
        assert!(ReferralStatus::can_move(Accepted, Done));
        for (from, to) in [
            (Sent, Done),
            (Accepted, Accepted),
            (Accepted, Declined),
            (Declined, Accepted),
            (Done, Accepted),
        ] {
            assert!(!ReferralStatus::can_move(from, to), "{from:?} → {to:?}");
        }
        assert!(Declined.is_final() && Done.is_final());
    }
}
