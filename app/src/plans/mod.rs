//! IPUS (indywidualny plan usług społecznych): the individual service plan a
//! coordinator builds with the resident, its lifecycle and statutory limits.
//!
//! draft → agreed (resident's consent) → approved (organizer) → active
//! → review → active … → closed (summary and outcome).

use chrono::{Duration, NaiveDate, NaiveDateTime};
use cus_db::audit::{audit, audit_in};
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{
    municipalities, plan_events, plan_items, plans, requests, residents, services, users,
};
use cus_db::{
    new_id, now, outbox, today, Actor, DbConn, DomainError, DomainResult, Lifecycle, Role, TextEnum,
};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::window;

/// A plan's statutory periods, as the deployment sets them (`[rules]`).
#[derive(Debug, Clone, Copy)]
pub struct PlanRules {
    /// Days from the application to the approved plan.
    pub deadline_days: i64,
    /// The longest a plan may run, first item's start to last item's end.
    pub max_days: i64,
}

mod items;
pub mod todo;
pub use items::*;

pub use cus_db::ids::{PlanId, RequestId, ResidentId};
pub use cus_db::states::PlanStatus;

/// Whether `actor` may move a plan into `to` (where from is the
/// lifecycle's question): the resident consents, the organizer approves,
/// the coordinator makes every other move.
fn may_enter(to: PlanStatus, actor: &Actor) -> bool {
    let coordinator = actor.role == Role::Coordinator;
    match to {
        PlanStatus::Agreed => coordinator || actor.role == Role::Resident,
        PlanStatus::Approved => actor.is(&[Role::Organizer, Role::Admin]),
        PlanStatus::Draft | PlanStatus::Active | PlanStatus::Review | PlanStatus::Closed => {
            coordinator
        }
    }
}

cus_db::text_enum! {
    /// Whether a plan item has its place or waits for one on a full
    /// agreement (the waiting list; the diagnosis counts waiting items as
    /// unmet needs).
    pub enum ItemStatus {
        Planned = "planned",
        Waiting = "waiting",
    }
}

cus_db::text_enum! {
    /// How a plan closed (seed 003 counts "took up employment").
    pub enum PlanOutcome {
        GoalsAchieved = "goals_achieved",
        Employment = "employment",
        PartiallyAchieved = "partially_achieved",
        NotAchieved = "not_achieved",
        ResidentWithdrew = "resident_withdrew",
        MovedAway = "moved_away",
    }
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = plans)]
pub struct Plan {
    pub id: PlanId,
    pub municipality: String,
    pub resident_id: ResidentId,
    pub request_id: Option<RequestId>,
    pub coordinator_id: String,
    pub status: PlanStatus,
    #[serde(skip)]
    pub goals: String,
    pub needs: String,
    pub resident_commitments: String,
    pub application_date: NaiveDate,
    pub deadline: NaiveDate,
    pub review_date: Option<NaiveDate>,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    pub consent_at: Option<NaiveDateTime>,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    pub approved_at: Option<NaiveDateTime>,
    pub closing_summary: Option<String>,
    pub outcome: Option<PlanOutcome>,
    pub overdue: bool,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, Queryable, ToSchema)]
pub struct PlanItem {
    pub id: String,
    pub service_code: String,
    pub service_name: String,
    pub provider: String,
    pub provider_agreement_id: Option<String>,
    pub frequency: String,
    pub hours_per_month: Option<i32>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = plan_events)]
pub struct PlanEvent {
    pub from_status: Option<PlanStatus>,
    pub to_status: PlanStatus,
    pub note: String,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub at: NaiveDateTime,
}

/// A plan as read: with items, history, and what the reader may do next.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanView {
    #[serde(flatten)]
    pub plan: Plan,
    pub goals: Vec<String>,
    pub resident_name: String,
    pub resident_pesel: Option<String>,
    pub resident_address: String,
    pub coordinator_name: String,
    pub municipality_name: String,
    pub case_number: Option<String>,
    pub items: Vec<PlanItem>,
    pub history: Vec<PlanEvent>,
    /// Days left until the 30-day deadline while the plan is not yet approved.
    pub days_to_deadline: Option<i64>,
    pub allowed_transitions: Vec<PlanStatus>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPlan {
    pub resident_id: String,
    #[serde(default)]
    pub request_id: Option<String>,
    pub goals: Vec<String>,
    #[serde(default)]
    pub needs: String,
    #[serde(default)]
    pub resident_commitments: String,
    /// The application for qualification; defaults to the request's date or today.
    #[serde(default, deserialize_with = "cus_db::bounds::opt_date")]
    #[schema(value_type = Option<cus_db::openapi::CivilDate>)]
    pub application_date: Option<NaiveDate>,
}

fn check_text(check: &mut Check, field: &str, value: &str, max: usize) {
    check.require(value.chars().count() <= max, field, "error-too-long");
}

pub fn create_plan(
    conn: &mut DbConn,
    actor: &Actor,
    rules: &PlanRules,
    new: NewPlan,
) -> DomainResult<Plan> {
    actor.require(&[Role::Coordinator])?;
    let municipality = actor.home()?.to_string();
    let goals: Vec<String> = new
        .goals
        .iter()
        .map(|g| g.trim().to_string())
        .filter(|g| !g.is_empty())
        .collect();
    let mut check = Check::new();
    check.require(!goals.is_empty(), "goals", "error-required");
    check.require(goals.len() <= 20, "goals", "error-too-many");
    check.require(
        goals.iter().all(|g| g.chars().count() <= 500),
        "goals",
        "error-too-long",
    );
    check_text(&mut check, "needs", &new.needs, 5000);
    check_text(
        &mut check,
        "resident_commitments",
        &new.resident_commitments,
        5000,
    );
    if let Some(d) = new.application_date {
        check.require(d <= today(), "application_date", "error-date-future");
    }
    check.finish()?;
    let resident_ok: i64 = residents::table
        .find(&new.resident_id)
        .filter(residents::municipality.eq(&municipality))
        .count()
        .get_result(conn)?;
    if resident_ok == 0 {
        return Err(DomainError::field("resident_id", "error-resident-unknown"));
    }
    crate::window::ensure_unrestricted(conn, &new.resident_id)?;
    let mut application_date = new.application_date.unwrap_or_else(today);
    if let Some(rid) = new.request_id.as_deref().filter(|r| !r.is_empty()) {
        let req: Option<(String, NaiveDateTime)> = requests::table
            .find(rid)
            .filter(requests::municipality.eq(&municipality))
            .filter(requests::resident_id.eq(&new.resident_id))
            .select((requests::id, requests::created_at))
            .first(conn)
            .optional()?;
        let (_, filed) =
            req.ok_or_else(|| DomainError::field("request_id", "error-request-unknown"))?;
        if new.application_date.is_none() {
            application_date = filed.date();
        }
        let rid = RequestId::parse(rid)
            .ok_or_else(|| DomainError::field("request_id", "error-request-unknown"))?;
        window::set_request_status(conn, actor, &rid, window::RequestStatus::Planning, "")?;
    }
    let id = PlanId::new();
    diesel::insert_into(plans::table)
        .values((
            plans::id.eq(&id),
            plans::municipality.eq(&municipality),
            plans::resident_id.eq(&new.resident_id),
            plans::request_id.eq(new.request_id.as_deref().filter(|r| !r.is_empty())),
            plans::coordinator_id.eq(&actor.user_id),
            plans::status.eq(PlanStatus::Draft),
            plans::goals.eq(serde_json::to_string(&goals).expect("strings serialize")),
            plans::needs.eq(new.needs.trim()),
            plans::resident_commitments.eq(new.resident_commitments.trim()),
            plans::application_date.eq(application_date),
            plans::deadline.eq(application_date + Duration::days(rules.deadline_days)),
            plans::overdue.eq(false),
            plans::created_at.eq(now()),
            plans::updated_at.eq(now()),
        ))
        .execute(conn)?;
    add_event(conn, &id, actor, None, PlanStatus::Draft, "")?;
    audit(conn, actor, "plan.create", "plan", &id)?;
    load_plan(conn, &id)
}

fn load_plan(conn: &mut DbConn, id: &PlanId) -> DomainResult<Plan> {
    plans::table
        .find(id)
        .select(Plan::as_select())
        .get_result(conn)
        .found()
}

fn add_event(
    conn: &mut DbConn,
    plan_id: &PlanId,
    actor: &Actor,
    from: Option<PlanStatus>,
    to: PlanStatus,
    note: &str,
) -> QueryResult<()> {
    diesel::insert_into(plan_events::table)
        .values((
            plan_events::id.eq(new_id()),
            plan_events::plan_id.eq(plan_id),
            plan_events::actor_id.eq(&actor.user_id),
            plan_events::from_status.eq(from),
            plan_events::to_status.eq(to),
            plan_events::note.eq(note),
            plan_events::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Who may see a plan: staff who work on plans in its municipality, and
/// the resident it belongs to. Others get 404.
fn visible_plan(conn: &mut DbConn, actor: &Actor, id: &PlanId) -> DomainResult<Plan> {
    let plan = load_plan(conn, id)?;
    if may_see(actor, &plan) {
        Ok(plan)
    } else {
        Err(DomainError::NotFound)
    }
}

/// The resident sees their own plan; coordinators, organizers and
/// administrators the plans of their municipality.
fn may_see(actor: &Actor, plan: &Plan) -> bool {
    let own = actor.role == Role::Resident
        && actor.resident_id.as_deref() == Some(plan.resident_id.as_str());
    let staff = actor.is(&[Role::Coordinator, Role::Organizer, Role::Admin])
        && actor.sees_municipality(&plan.municipality);
    own || staff
}

/// The transitions `actor` may make from the plan's status.
pub fn allowed_transitions(actor: &Actor, plan: &Plan) -> Vec<PlanStatus> {
    plan.status
        .moves()
        .iter()
        .copied()
        .filter(|to| may_enter(*to, actor))
        .collect()
}

pub fn get_plan(conn: &mut DbConn, actor: &Actor, id: &PlanId) -> DomainResult<PlanView> {
    read_plan(conn, actor, id, "plan.read")
}

/// The plan for its printable document: an export of personal data,
/// audited as such (`plan.export`).
pub fn plan_document(conn: &mut DbConn, actor: &Actor, id: &PlanId) -> DomainResult<PlanView> {
    read_plan(conn, actor, id, "plan.export")
}

/// A plan's items with their services, by start date (unchecked: the
/// caller has checked who may read the plan).
pub fn items_of(conn: &mut DbConn, id: &PlanId) -> QueryResult<Vec<PlanItem>> {
    plan_items::table
        .inner_join(services::table)
        .filter(plan_items::plan_id.eq(id))
        .order(plan_items::start_date)
        .select((
            plan_items::id,
            services::code,
            services::name,
            plan_items::provider,
            plan_items::provider_agreement_id,
            plan_items::frequency,
            plan_items::hours_per_month,
            plan_items::start_date,
            plan_items::end_date,
        ))
        .load(conn)
}

fn read_plan(
    conn: &mut DbConn,
    actor: &Actor,
    id: &PlanId,
    audited_as: &str,
) -> DomainResult<PlanView> {
    // The plan and the names it shows in one query (the hottest audited read).
    type Header = (
        Plan,
        (String, String, Option<String>, String),
        String,
        String,
        Option<String>,
    );
    let (plan, (first, last, pesel, address), coordinator_name, municipality_name, case_number): Header =
        plans::table
            .find(id)
            .inner_join(residents::table)
            .inner_join(users::table.on(users::id.eq(plans::coordinator_id)))
            .inner_join(municipalities::table.on(municipalities::teryt.eq(plans::municipality)))
            .left_join(requests::table.on(plans::request_id.eq(requests::id.nullable())))
            .select((
                Plan::as_select(),
                (
                    residents::first_name,
                    residents::last_name,
                    residents::pesel,
                    residents::address,
                ),
                users::display_name,
                municipalities::name,
                requests::case_number.nullable(),
            ))
            .get_result(conn)
            .found()?;
    if !may_see(actor, &plan) {
        return Err(DomainError::NotFound);
    }
    audit_in(conn, actor, &plan.municipality, audited_as, "plan", id)?;
    let items = items_of(conn, id)?;
    let history = plan_events::table
        .filter(plan_events::plan_id.eq(id))
        .order(plan_events::at)
        .select(PlanEvent::as_select())
        .load(conn)?;
    let pending = plan.status.awaits_approval();
    Ok(PlanView {
        goals: serde_json::from_str(&plan.goals).unwrap_or_default(),
        resident_name: format!("{first} {last}"),
        resident_pesel: pesel,
        resident_address: address,
        coordinator_name,
        municipality_name,
        case_number,
        items,
        history,
        days_to_deadline: pending.then(|| (plan.deadline - today()).num_days()),
        allowed_transitions: allowed_transitions(actor, &plan),
        plan,
    })
}

#[derive(Debug, Clone, Serialize, Queryable, ToSchema)]
pub struct PlanRow {
    pub id: PlanId,
    pub status: PlanStatus,
    pub deadline: NaiveDate,
    pub review_date: Option<NaiveDate>,
    pub overdue: bool,
    pub first_name: String,
    pub last_name: String,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
}

cus_db::text_enum! {
    /// How a list of plans is sorted (`?sort=`).
    pub enum PlanSort {
        Deadline = "deadline",
        Review = "review",
        Name = "name",
        Newest = "newest",
    }
}

/// A list of plans as the query string asks for it: by status, by what is
/// due, only the coordinator's own, sorted, one page at a time.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct PlanFilter {
    #[param(required = false, value_type = PlanStatus)]
    pub status: Option<String>,
    /// `overdue`: the 30-day deadline or the review date passed; `week`:
    /// one of them within seven days.
    #[param(required = false, value_type = cus_db::todo::Due, inline)]
    pub due: Option<String>,
    /// Only the plans the signed-in coordinator coordinates.
    pub mine: Option<bool>,
    #[param(required = false, value_type = PlanSort, inline)]
    pub sort: Option<String>,
    #[param(minimum = 1, maximum = 10_000_000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// One page of the plans `filter` asks for, and how many there are in all.
pub fn find_plans(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &PlanFilter,
    today: NaiveDate,
) -> DomainResult<(Vec<PlanRow>, i64)> {
    let status: Option<PlanStatus> = cus_db::todo::choice(&filter.status, "status")?;
    let due: Option<cus_db::todo::Due> = cus_db::todo::choice(&filter.due, "due")?;
    let sort: PlanSort = cus_db::todo::choice(&filter.sort, "sort")?.unwrap_or(PlanSort::Deadline);
    let (page, per_page) = cus_db::bounds::paging(filter.page, filter.per_page)?;
    let scope = || -> DomainResult<_> {
        let mut q = plans::table.inner_join(residents::table).into_boxed();
        if actor.role == Role::Resident {
            q = q.filter(plans::resident_id.eq(actor.resident_id.clone().unwrap_or_default()));
        } else if actor.is(&[Role::Coordinator, Role::Organizer, Role::Admin]) {
            q = q.filter(plans::municipality.eq(actor.home()?.to_string()));
        } else {
            return Err(DomainError::Forbidden);
        }
        if filter.mine == Some(true) {
            q = q.filter(plans::coordinator_id.eq(actor.user_id.clone()));
        }
        if let Some(s) = status {
            q = q.filter(plans::status.eq(s));
        }
        let pending = plans::status.eq_any([PlanStatus::Draft, PlanStatus::Agreed]);
        let reviewed =
            plans::status.eq_any([PlanStatus::Approved, PlanStatus::Active, PlanStatus::Review]);
        let week = today + Duration::days(cus_db::todo::SOON_DAYS);
        match due {
            Some(cus_db::todo::Due::Overdue) => {
                q = q.filter(
                    pending
                        .and(plans::deadline.lt(today))
                        .or(reviewed.and(plans::review_date.lt(today))),
                )
            }
            Some(cus_db::todo::Due::Week) => {
                q = q.filter(
                    pending
                        .and(plans::deadline.between(today, week))
                        .or(reviewed.and(plans::review_date.between(today, week))),
                )
            }
            None => {}
        }
        Ok(q)
    };
    let total: i64 = scope()?.count().get_result(conn)?;
    let q = scope()?.select((
        plans::id,
        plans::status,
        plans::deadline,
        plans::review_date,
        plans::overdue,
        residents::first_name,
        residents::last_name,
        plans::created_at,
    ));
    let q = match sort {
        PlanSort::Deadline => q.order((plans::overdue.desc(), plans::deadline, plans::id)),
        PlanSort::Review => q.order((plans::review_date.is_null(), plans::review_date, plans::id)),
        PlanSort::Name => q.order((residents::last_name, residents::first_name, plans::id)),
        PlanSort::Newest => q.order((plans::created_at.desc(), plans::id)),
    };
    let rows = q
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .load(conn)?;
    Ok((rows, total))
}

/// Plans the actor works on (coordinator, organizer: the municipality's) or
/// owns (resident).
pub fn list_plans(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<PlanRow>> {
    let first = PlanFilter {
        per_page: Some(100),
        ..PlanFilter::default()
    };
    Ok(find_plans(conn, actor, &first, cus_db::today())?.0)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionInput {
    #[schema(value_type = PlanStatus)]
    pub to: String,
    #[serde(default)]
    pub note: String,
    /// Required when closing: one of the closing outcomes.
    #[serde(default)]
    #[schema(value_type = Option<PlanOutcome>)]
    pub outcome: Option<String>,
    /// When moving to `active`: the first review date (default: in 3 months).
    #[serde(default, deserialize_with = "cus_db::bounds::opt_date")]
    #[schema(value_type = Option<cus_db::openapi::CivilDate>)]
    pub review_date: Option<NaiveDate>,
}

pub fn transition(
    conn: &mut DbConn,
    actor: &Actor,
    plan_id: &PlanId,
    input: TransitionInput,
) -> DomainResult<Plan> {
    let plan = visible_plan(conn, actor, plan_id)?;
    let to = PlanStatus::parse_field(&input.to, "to", "error-plan-status")?;
    if !PlanStatus::can_move(plan.status, to) {
        return Err(DomainError::conflict("error-plan-transition"));
    }
    if !may_enter(to, actor) {
        return Err(DomainError::Forbidden);
    }
    crate::window::ensure_unrestricted(conn, plan.resident_id.as_str())?;
    let mut check = Check::new();
    check_text(&mut check, "note", &input.note, 5000);
    let mut outcome = None;
    if to == PlanStatus::Closed {
        check.require(
            !input.note.trim().is_empty(),
            "note",
            "error-closing-summary",
        );
        outcome = input.outcome.as_deref().and_then(PlanOutcome::parse);
        check.require(outcome.is_some(), "outcome", "error-outcome");
    }
    if let Some(r) = input.review_date {
        check.require(r >= today(), "review_date", "error-date-past");
    }
    check.finish()?;
    if to == PlanStatus::Agreed {
        let items: i64 = plan_items::table
            .filter(plan_items::plan_id.eq(plan_id))
            .count()
            .get_result(conn)?;
        if items == 0 {
            return Err(DomainError::conflict("error-plan-no-items"));
        }
    }
    let stamp = now();
    let target = plans::table.find(plan_id);
    match to {
        PlanStatus::Agreed => {
            diesel::update(target)
                .set((
                    plans::consent_at.eq(stamp),
                    plans::consent_recorded_by.eq(&actor.user_id),
                ))
                .execute(conn)?;
        }
        PlanStatus::Draft => {
            diesel::update(target)
                .set((
                    plans::consent_at.eq(None::<NaiveDateTime>),
                    plans::consent_recorded_by.eq(None::<String>),
                ))
                .execute(conn)?;
        }
        PlanStatus::Approved => {
            diesel::update(target)
                .set((
                    plans::approved_at.eq(stamp),
                    plans::approved_by.eq(&actor.user_id),
                ))
                .execute(conn)?;
        }
        PlanStatus::Active => {
            let review = input
                .review_date
                .unwrap_or_else(|| today() + Duration::days(90));
            diesel::update(target)
                .set(plans::review_date.eq(review))
                .execute(conn)?;
        }
        PlanStatus::Closed => {
            diesel::update(target)
                .set((
                    plans::closing_summary.eq(input.note.trim()),
                    plans::outcome.eq(outcome),
                    plans::review_date.eq(None::<NaiveDate>),
                ))
                .execute(conn)?;
            if let Some(rid) = &plan.request_id {
                window::set_request_status(conn, actor, rid, window::RequestStatus::Closed, "")?;
            }
        }
        PlanStatus::Review => {}
    }
    diesel::update(target)
        .set((
            plans::status.eq(to),
            plans::overdue.eq(false),
            plans::updated_at.eq(stamp),
        ))
        .execute(conn)?;
    add_event(
        conn,
        plan_id,
        actor,
        Some(plan.status),
        to,
        input.note.trim(),
    )?;
    audit(conn, actor, &format!("plan.{to}"), "plan", plan_id)?;
    load_plan(conn, plan_id)
}

/// Sends the resident a "plan ready for consent" mail with a link to it.
pub fn request_consent(conn: &mut DbConn, actor: &Actor, plan_id: &PlanId) -> DomainResult<bool> {
    let plan = visible_plan(conn, actor, plan_id)?;
    actor.require(&[Role::Coordinator])?;
    if plan.status != PlanStatus::Draft {
        return Err(DomainError::conflict("error-plan-not-draft"));
    }
    let contact = window::resident_contact(conn, plan.resident_id.as_str())?;
    let Some((email, locale)) = contact else {
        return Ok(false);
    };
    outbox::enqueue(
        conn,
        "plan_consent",
        &locale,
        &email,
        &serde_json::json!({"plan_id": plan.id, "deadline": plan.deadline.to_string()}),
    )?;
    audit(conn, actor, "plan.consent_requested", "plan", plan_id)?;
    Ok(true)
}

/// The scheduled check: flags plans past their 30-day deadline (not yet
/// approved) or past their review date. Returns how many were newly flagged.
pub fn flag_overdue(conn: &mut DbConn) -> QueryResult<usize> {
    let day = today();
    let late_drafts = diesel::update(
        plans::table
            .filter(plans::status.eq_any([PlanStatus::Draft, PlanStatus::Agreed]))
            .filter(plans::deadline.lt(day))
            .filter(plans::overdue.eq(false)),
    )
    .set(plans::overdue.eq(true))
    .execute(conn)?;
    let late_reviews = diesel::update(
        plans::table
            .filter(plans::status.eq(PlanStatus::Active))
            .filter(plans::review_date.lt(day))
            .filter(plans::overdue.eq(false)),
    )
    .set(plans::overdue.eq(true))
    .execute(conn)?;
    Ok(late_drafts + late_reviews)
}
