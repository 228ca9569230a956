//! The right of access (GDPR art. 15): everything stored about a resident,
//! for the resident themself (`/me/data`) or the officer (an audited
//! export). Nothing about anyone else: only the resident's own record,
//! requests, plans, the requests they filed, their household (their
//! relation and its size, not the others' names), the referrals of their
//! requests and their social contracts; who read their data is told by
//! role, never by name.

use chrono::{NaiveDate, NaiveDateTime};
use cus_db::audit::audit_in;
use cus_db::ids::{PlanId, RequestId};
use cus_db::schema::{
    audit_log, household_members, plan_events, plans, referrals, request_events, request_messages,
    requests, services, users,
};
use cus_db::{Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

use super::requests::{self as dsr, PrivacyRequest};
use super::{retention, RetentionKind, RetentionPeriods};
use crate::plans::{Plan, PlanEvent, PlanItem};
use crate::social_work::contracts::{self, ContractView};
use crate::social_work::households::Relation;
use crate::social_work::referrals::{ReferralOutcome, ReferralStatus};
use crate::social_work::{HouseholdId, ReferralId};
use crate::window::ResidentId;
use crate::window::{resident_municipality, resident_record, ResidentRecord};
use crate::window::{Message, Request, RequestEvent};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestData {
    #[serde(flatten)]
    pub request: Request,
    pub service_code: Option<String>,
    pub history: Vec<RequestEvent>,
    /// What the social worker and the benefits officer wrote about it.
    pub messages: Vec<Message>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanData {
    #[serde(flatten)]
    pub plan: Plan,
    pub goals: Vec<String>,
    pub items: Vec<PlanItem>,
    pub history: Vec<PlanEvent>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Consent {
    pub plan_id: PlanId,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub given_at: NaiveDateTime,
}

/// A read of the resident's data by someone else, by role.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Access {
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub at: NaiveDateTime,
    pub action: String,
    pub role: String,
}

/// How long a kind of their data is kept.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Until {
    pub kind: RetentionKind,
    /// A Warsaw date; `null` while a case is open.
    pub until: Option<NaiveDate>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyData {
    pub resident: ResidentRecord,
    pub requests: Vec<RequestData>,
    pub plans: Vec<PlanData>,
    pub consents: Vec<Consent>,
    pub privacy_requests: Vec<PrivacyRequest>,
    pub access_log: Vec<Access>,
    pub retention: Vec<Until>,
    /// The household they live in: its id, their relation, how many live there.
    pub household: Option<HouseholdData>,
    /// Referrals of their requests to social work, and how they ended.
    pub referrals: Vec<ReferralData>,
    pub social_contracts: Vec<ContractView>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HouseholdData {
    pub household_id: HouseholdId,
    pub relation: Relation,
    pub members: i64,
}

#[derive(Debug, Clone, Serialize, Queryable, ToSchema)]
pub struct ReferralData {
    pub id: ReferralId,
    pub request_id: RequestId,
    pub status: ReferralStatus,
    pub outcome: Option<ReferralOutcome>,
    pub delivered: Option<bool>,
    pub reason: Option<String>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub updated_at: NaiveDateTime,
}

/// The signed-in resident's own data.
pub fn my_data(
    conn: &mut DbConn,
    actor: &Actor,
    periods: &RetentionPeriods,
) -> DomainResult<MyData> {
    actor.require(&[Role::Resident])?;
    let Some(id) = actor.resident_id.as_deref().and_then(ResidentId::parse) else {
        return Err(DomainError::NotFound);
    };
    collect(conn, &id, periods)
}

/// A resident's data for the officer of their municipality (audited
/// `privacy.export`, written in the caller's transaction).
pub fn export(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ResidentId,
    periods: &RetentionPeriods,
) -> DomainResult<MyData> {
    actor.require(super::OFFICERS)?;
    let municipality = resident_municipality(conn, id)?;
    if !actor.sees_municipality(&municipality) {
        return Err(DomainError::NotFound);
    }
    let data = collect(conn, id, periods)?;
    audit_in(conn, actor, &municipality, "privacy.export", "resident", id)?;
    Ok(data)
}

/// Rows keyed by their parent's id, grouped (order kept).
fn by_parent<T>(rows: Vec<(String, T)>) -> HashMap<String, Vec<T>> {
    let mut out: HashMap<String, Vec<T>> = HashMap::new();
    for (parent, row) in rows {
        out.entry(parent).or_default().push(row);
    }
    out
}

fn collect(conn: &mut DbConn, id: &ResidentId, periods: &RetentionPeriods) -> DomainResult<MyData> {
    let resident = resident_record(conn, id)?;
    let own_requests: Vec<Request> = requests::table
        .filter(requests::resident_id.eq(id))
        .order(requests::created_at)
        .select(Request::as_select())
        .load(conn)?;
    // Each kind of row read once for all the requests, then grouped.
    let request_ids: Vec<&RequestId> = own_requests.iter().map(|r| &r.id).collect();
    let mut histories = by_parent(
        request_events::table
            .filter(request_events::request_id.eq_any(&request_ids))
            .order(request_events::at)
            .select((request_events::request_id, RequestEvent::as_select()))
            .load(conn)?,
    );
    let mut messages = by_parent(
        request_messages::table
            .filter(request_messages::request_id.eq_any(&request_ids))
            .order(request_messages::at)
            .select((request_messages::request_id, Message::as_select()))
            .load(conn)?,
    );
    let service_ids: Vec<&String> = own_requests
        .iter()
        .filter_map(|r| r.service_id.as_ref())
        .collect();
    let codes: HashMap<String, String> = services::table
        .filter(services::id.eq_any(service_ids))
        .select((services::id, services::code))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let request_data: Vec<RequestData> = own_requests
        .into_iter()
        .map(|request| RequestData {
            service_code: request
                .service_id
                .as_ref()
                .and_then(|s| codes.get(s).cloned()),
            history: histories.remove(request.id.as_str()).unwrap_or_default(),
            messages: messages.remove(request.id.as_str()).unwrap_or_default(),
            request,
        })
        .collect();
    let own_plans: Vec<Plan> = plans::table
        .filter(plans::resident_id.eq(id))
        .order(plans::created_at)
        .select(Plan::as_select())
        .load(conn)?;
    let plan_ids: Vec<&PlanId> = own_plans.iter().map(|p| &p.id).collect();
    let mut plan_histories = by_parent(
        plan_events::table
            .filter(plan_events::plan_id.eq_any(&plan_ids))
            .order(plan_events::at)
            .select((plan_events::plan_id, PlanEvent::as_select()))
            .load(conn)?,
    );
    let mut plan_data = Vec::with_capacity(own_plans.len());
    let mut consents = vec![];
    for plan in own_plans {
        // A resident has few plans; their items come with their services.
        let items: Vec<PlanItem> = crate::plans::items_of(conn, &plan.id)?;
        let history = plan_histories.remove(plan.id.as_str()).unwrap_or_default();
        if let Some(given_at) = plan.consent_at {
            consents.push(Consent {
                plan_id: plan.id.clone(),
                given_at,
            });
        }
        plan_data.push(PlanData {
            goals: serde_json::from_str(&plan.goals).unwrap_or_default(),
            plan,
            items,
            history,
        });
    }
    let household: Option<(HouseholdId, Relation)> = household_members::table
        .filter(household_members::resident_id.eq(id))
        .select((household_members::household_id, household_members::relation))
        .first(conn)
        .optional()?;
    let household = match household {
        Some((household_id, relation)) => {
            let members: i64 = household_members::table
                .filter(household_members::household_id.eq(&household_id))
                .count()
                .get_result(conn)?;
            Some(HouseholdData {
                household_id,
                relation,
                members,
            })
        }
        None => None,
    };
    let request_ids: Vec<&RequestId> = request_data.iter().map(|r| &r.request.id).collect();
    let referral_data: Vec<ReferralData> = referrals::table
        .filter(referrals::request_id.eq_any(&request_ids))
        .order(referrals::created_at)
        .select((
            referrals::id,
            referrals::request_id,
            referrals::status,
            referrals::outcome,
            referrals::delivered,
            referrals::reason,
            referrals::created_at,
            referrals::updated_at,
        ))
        .load(conn)?;
    let social_contracts = contracts::of_resident(conn, id, crate::dashboard::today())?;
    let others: Vec<(&str, String)> = household
        .iter()
        .map(|h| ("household", h.household_id.to_string()))
        .chain(referral_data.iter().map(|r| ("referral", r.id.to_string())))
        .chain(
            social_contracts
                .iter()
                .map(|c| ("social_contract", c.contract.id.to_string())),
        )
        .collect();
    let access_log = access_log(conn, id, &request_data, &plan_data, &others)?;
    let privacy_requests = dsr::of_resident(conn, id)?;
    let retention = vec![Until {
        kind: RetentionKind::ClosedCases,
        until: if resident.anonymised {
            None
        } else {
            retention::resident_until(conn, id, &periods.closed_cases)?
        },
    }];
    Ok(MyData {
        resident,
        requests: request_data,
        plans: plan_data,
        consents,
        privacy_requests,
        access_log,
        retention,
        household,
        referrals: referral_data,
        social_contracts,
    })
}

/// Audited reads (`*.read`, `*.search`, `*.export`) of the resident's
/// record, requests and plans by anyone but the resident's own account,
/// newest first.
fn access_log(
    conn: &mut DbConn,
    id: &ResidentId,
    requests: &[RequestData],
    plans: &[PlanData],
    others: &[(&str, String)],
) -> DomainResult<Vec<Access>> {
    let request_ids: Vec<&RequestId> = requests.iter().map(|r| &r.request.id).collect();
    let plan_ids: Vec<&PlanId> = plans.iter().map(|p| &p.plan.id).collect();
    let own_accounts: Vec<Option<String>> = users::table
        .filter(users::resident_id.eq(id))
        .select(users::id.nullable())
        .load(conn)?;
    let rows: Vec<(NaiveDateTime, String, String)> = audit_log::table
        .inner_join(users::table)
        .filter(
            (audit_log::subject_type
                .eq("resident")
                .and(audit_log::subject_id.eq(id)))
            .or(audit_log::subject_type
                .eq("request")
                .and(audit_log::subject_id.eq_any(request_ids)))
            .or(audit_log::subject_type
                .eq("plan")
                .and(audit_log::subject_id.eq_any(plan_ids)))
            .or(audit_log::subject_id.eq_any(others.iter().map(|(_, id)| id.as_str()))),
        )
        .filter(diesel::dsl::not(audit_log::actor_id.eq_any(own_accounts)))
        .filter(
            audit_log::action
                .like("%.read")
                .or(audit_log::action.like("%.search"))
                .or(audit_log::action.like("%.export")),
        )
        .order(audit_log::at.desc())
        .select((audit_log::at, audit_log::action, users::role))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(at, action, role)| Access { at, action, role })
        .collect())
}
