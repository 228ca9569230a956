//! Requests: filing, case numbers, history, routing, typed messages.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use cus_db::audit::{audit, audit_in};
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{
    case_counters, request_events, request_messages, requests, residents, services, users,
};
use cus_db::{
    new_id, now, outbox, today, Actor, DbConn, DomainError, DomainResult, Lifecycle, Role,
};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::*;
pub use cus_db::ids::{RequestId, ResidentId};

/// Wniosek: a resident's request at the single window.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = requests)]
pub struct Request {
    pub id: RequestId,
    pub municipality: String,
    pub case_number: String,
    pub resident_id: ResidentId,
    #[serde(skip)]
    pub service_id: Option<String>,
    pub description: String,
    pub channel: Channel,
    pub status: RequestStatus,
    pub assigned_role: Option<String>,
    pub deadline: NaiveDate,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub updated_at: NaiveDateTime,
    /// The social worker who took the case over (a referral accepted).
    pub assigned_to: Option<String>,
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = request_events)]
pub struct RequestEvent {
    pub status: RequestStatus,
    pub assigned_role: Option<String>,
    pub note: String,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = request_messages)]
pub struct Message {
    pub id: String,
    pub from_role: String,
    pub to_role: String,
    pub kind: MessageKind,
    pub body: String,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub at: NaiveDateTime,
}

/// A request with what the viewer may see of it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestView {
    #[serde(flatten)]
    pub request: Request,
    pub service_code: Option<String>,
    pub service_name: Option<String>,
    pub resident_name: String,
    pub overdue: bool,
    pub history: Vec<RequestEvent>,
    /// Only the messages meant for the viewer's role.
    pub messages: Vec<Message>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// The desk names the resident (required there); a resident files their own.
    #[serde(default)]
    pub resident_id: Option<String>,
    #[serde(default)]
    pub service_code: Option<String>,
    #[schema(min_length = 1, max_length = 5000)]
    pub description: String,
    #[schema(value_type = Channel)]
    pub channel: String,
}

/// Next case number of a municipality and year: "CUS/1428011/2026/00042".
fn next_case_number(conn: &mut DbConn, municipality: &str) -> QueryResult<String> {
    let year = today().year();
    let key = case_counters::table.find((municipality, year));
    let updated = diesel::update(key)
        .set(case_counters::last_number.eq(case_counters::last_number + 1))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(case_counters::table)
            .values((
                case_counters::municipality.eq(municipality),
                case_counters::year.eq(year),
                case_counters::last_number.eq(1),
            ))
            .execute(conn)?;
    }
    let n: i32 = key.select(case_counters::last_number).first(conn)?;
    Ok(format!("CUS/{municipality}/{year}/{n:05}"))
}

fn add_event(
    conn: &mut DbConn,
    request_id: &RequestId,
    actor: Option<&Actor>,
    status: RequestStatus,
    assigned_role: Option<&str>,
    note: &str,
) -> QueryResult<()> {
    diesel::insert_into(request_events::table)
        .values((
            request_events::id.eq(new_id()),
            request_events::request_id.eq(request_id),
            request_events::actor_id.eq(actor.map(|a| a.user_id.clone())),
            request_events::status.eq(status),
            request_events::assigned_role.eq(assigned_role),
            request_events::note.eq(note),
            request_events::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Where mail about a resident's case goes: the resident's email, else the
/// email of their account.
pub fn resident_contact(
    conn: &mut DbConn,
    resident_id: &str,
) -> QueryResult<Option<(String, String)>> {
    let account: Option<(String, String)> = users::table
        .filter(users::resident_id.eq(resident_id))
        .select((users::email, users::locale))
        .first(conn)
        .optional()?;
    if account.is_some() {
        return Ok(account);
    }
    let email: Option<Option<String>> = residents::table
        .find(resident_id)
        .select(residents::email)
        .get_result(conn)
        .optional()?;
    Ok(email.flatten().map(|e| (e, "pl".to_string())))
}

pub fn file_request(
    conn: &mut DbConn,
    actor: &Actor,
    rules: &RequestRules,
    new: NewRequest,
) -> DomainResult<Request> {
    actor.require(&[Role::Resident, Role::Desk])?;
    let municipality = actor.home()?.to_string();
    let mut check = Check::new();
    check.text("description", &new.description, 1, 5000);
    let channel = check.one_of::<Channel>(&new.channel, "channel", "error-channel");
    if actor.role == Role::Desk && new.resident_id.is_none() {
        check.fail("resident_id", "error-required");
    }
    check.finish()?;
    let resident_id = match actor.role {
        Role::Resident => {
            if new
                .resident_id
                .as_deref()
                .is_some_and(|r| Some(r) != actor.resident_id.as_deref())
            {
                return Err(DomainError::NotFound);
            }
            ResidentId::parse(&own_resident_id(conn, actor)?).ok_or(DomainError::NotFound)?
        }
        _ => {
            let id = new.resident_id.clone().unwrap_or_default();
            let r: ResidentId = residents::table
                .find(&id)
                .filter(residents::municipality.eq(&municipality))
                .select(residents::id)
                .first(conn)
                .optional()?
                .ok_or_else(|| DomainError::field("resident_id", "error-resident-unknown"))?;
            r
        }
    };
    crate::window::ensure_unrestricted(conn, resident_id.as_str())?;
    let service = match new.service_code.as_deref().filter(|c| !c.is_empty()) {
        Some(code) => Some(
            find_service(conn, &municipality, code)
                .map_err(|_| DomainError::field("service_code", "error-service-unknown"))?,
        ),
        None => None,
    };
    let request = Request {
        id: RequestId::new(),
        case_number: next_case_number(conn, &municipality)?,
        municipality,
        resident_id,
        service_id: service.as_ref().map(|s| s.id.clone()),
        description: new.description.trim().to_string(),
        channel: channel.expect("checked above"),
        status: RequestStatus::Submitted,
        assigned_role: None,
        assigned_to: None,
        deadline: today() + Duration::days(rules.deadline_days),
        created_at: now(),
        updated_at: now(),
    };
    diesel::insert_into(requests::table)
        .values((
            requests::id.eq(&request.id),
            requests::municipality.eq(&request.municipality),
            requests::case_number.eq(&request.case_number),
            requests::resident_id.eq(&request.resident_id),
            requests::service_id.eq(&request.service_id),
            requests::description.eq(&request.description),
            requests::channel.eq(request.channel),
            requests::status.eq(request.status),
            requests::deadline.eq(request.deadline),
            requests::created_by.eq(&actor.user_id),
            requests::created_at.eq(request.created_at),
            requests::updated_at.eq(request.updated_at),
        ))
        .execute(conn)?;
    add_event(
        conn,
        &request.id,
        Some(actor),
        RequestStatus::Submitted,
        None,
        "",
    )?;
    audit(conn, actor, "request.create", "request", &request.id)?;
    if let Some((email, locale)) = resident_contact(conn, request.resident_id.as_str())? {
        outbox::enqueue(
            conn,
            "request_received",
            &locale,
            &email,
            &serde_json::json!({
                "case_number": request.case_number,
                "service": service.as_ref().map(|s| s.name.clone()),
                "deadline": request.deadline.to_string(),
                "request_id": request.id,
            }),
        )?;
    }
    Ok(request)
}

/// Loads a request the actor may see: its resident, or staff of its
/// municipality. Anyone else gets 404, never a hint that it exists.
fn visible_request(conn: &mut DbConn, actor: &Actor, id: &RequestId) -> DomainResult<Request> {
    let r: Request = requests::table
        .find(id)
        .select(Request::as_select())
        .get_result(conn)
        .found()?;
    let own = actor.role == Role::Resident
        && actor.resident_id.as_deref() == Some(r.resident_id.as_str());
    let staff = actor.role.is_staff() && actor.sees_municipality(&r.municipality);
    if own || staff {
        Ok(r)
    } else {
        Err(DomainError::NotFound)
    }
}

fn messages_for(
    conn: &mut DbConn,
    actor: &Actor,
    request_id: &RequestId,
) -> QueryResult<Vec<Message>> {
    let role = actor.role.as_str();
    if !matches!(actor.role, Role::SocialWorker | Role::Benefits) {
        return Ok(vec![]);
    }
    request_messages::table
        .filter(request_messages::request_id.eq(request_id))
        .filter(
            request_messages::from_role
                .eq(role)
                .or(request_messages::to_role.eq(role)),
        )
        .order(request_messages::at)
        .select(Message::as_select())
        .load(conn)
}

pub fn get_request(conn: &mut DbConn, actor: &Actor, id: &RequestId) -> DomainResult<RequestView> {
    let request = visible_request(conn, actor, id)?;
    let history = request_events::table
        .filter(request_events::request_id.eq(id))
        .order(request_events::at)
        .select(RequestEvent::as_select())
        .load(conn)?;
    let messages = messages_for(conn, actor, id)?;
    let (first, last): (String, String) = residents::table
        .find(&request.resident_id)
        .select((residents::first_name, residents::last_name))
        .get_result(conn)?;
    let service: Option<(String, String)> = match &request.service_id {
        Some(sid) => services::table
            .find(sid)
            .select((services::code, services::name))
            .get_result(conn)
            .optional()?,
        None => None,
    };
    if actor.role != Role::Resident {
        audit_in(
            conn,
            actor,
            &request.municipality,
            "request.read",
            "request",
            id,
        )?;
    }
    Ok(RequestView {
        overdue: request.deadline < today() && request.status != RequestStatus::Closed,
        service_code: service.as_ref().map(|s| s.0.clone()),
        service_name: service.map(|s| s.1),
        resident_name: format!("{first} {last}"),
        request,
        history,
        messages,
    })
}

/// One row of a work list.
#[derive(Debug, Clone, Serialize, Queryable, ToSchema)]
pub struct RequestRow {
    pub id: RequestId,
    pub case_number: String,
    pub status: RequestStatus,
    pub assigned_role: Option<String>,
    pub channel: Channel,
    pub deadline: NaiveDate,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    pub first_name: String,
    pub last_name: String,
    pub service_name: Option<String>,
}

cus_db::text_enum! {
    /// How a list of requests is sorted (`?sort=`).
    pub enum RequestSort {
        Newest = "newest",
        Deadline = "deadline",
        Case = "case",
    }
}

/// A list of requests as the query string asks for it.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct RequestFilter {
    /// Staff: every request of the municipality, not only those routed to the role.
    pub all: Option<bool>,
    /// A social worker's own cases: those assigned to them (a referral accepted).
    pub mine: Option<bool>,
    #[param(required = false, value_type = RequestStatus)]
    pub status: Option<String>,
    /// `overdue`: past the request's deadline and not closed; `week`: the
    /// deadline within seven days.
    #[param(required = false, value_type = cus_db::todo::Due, inline)]
    pub due: Option<String>,
    #[param(required = false, value_type = RequestSort, inline)]
    pub sort: Option<String>,
    #[param(minimum = 1, maximum = 10_000_000)]
    pub page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    pub per_page: Option<i64>,
}

/// One page of the requests `filter` asks for, and how many in all: a
/// resident's own, or a staff member's municipality's (social workers,
/// benefits officers and coordinators see what was routed to their role
/// unless `all`).
pub fn list_requests(
    conn: &mut DbConn,
    actor: &Actor,
    filter: &RequestFilter,
    today: NaiveDate,
) -> DomainResult<(Vec<RequestRow>, i64)> {
    let status: Option<RequestStatus> = cus_db::todo::choice(&filter.status, "status")?;
    let due: Option<cus_db::todo::Due> = cus_db::todo::choice(&filter.due, "due")?;
    let sort = cus_db::todo::choice(&filter.sort, "sort")?.unwrap_or(RequestSort::Newest);
    let (page, per_page) = cus_db::bounds::paging(filter.page, filter.per_page)?;
    let all = filter.all.unwrap_or(false);
    let scope = || -> DomainResult<_> {
        let mut q = requests::table
            .inner_join(residents::table)
            .left_join(services::table)
            .into_boxed();
        if actor.role == Role::Resident {
            let rid = actor.resident_id.clone().unwrap_or_default();
            q = q.filter(requests::resident_id.eq(rid));
        } else if actor.role.is_staff() {
            q = q.filter(requests::municipality.eq(actor.home()?.to_string()));
            if !all
                && matches!(
                    actor.role,
                    Role::SocialWorker | Role::Benefits | Role::Coordinator
                )
            {
                q = q.filter(requests::assigned_role.eq(actor.role.as_str()));
            }
            if filter.mine.unwrap_or(false) {
                q = q.filter(requests::assigned_to.eq(actor.user_id.clone()));
            }
        } else {
            return Err(DomainError::Forbidden);
        }
        if let Some(s) = status {
            q = q.filter(requests::status.eq(s));
        }
        let open = requests::status.ne(RequestStatus::Closed);
        match due {
            Some(cus_db::todo::Due::Overdue) => {
                q = q.filter(open.and(requests::deadline.lt(today)))
            }
            Some(cus_db::todo::Due::Week) => {
                let week = today + Duration::days(cus_db::todo::SOON_DAYS);
                q = q.filter(open.and(requests::deadline.between(today, week)))
            }
            None => {}
        }
        Ok(q)
    };
    let total: i64 = scope()?.count().get_result(conn)?;
    let q = scope()?.select((
        requests::id,
        requests::case_number,
        requests::status,
        requests::assigned_role,
        requests::channel,
        requests::deadline,
        requests::created_at,
        residents::first_name,
        residents::last_name,
        services::name.nullable(),
    ));
    let q = match sort {
        RequestSort::Newest => q.order((requests::created_at.desc(), requests::id)),
        RequestSort::Deadline => q.order((requests::deadline, requests::id)),
        RequestSort::Case => q.order(requests::case_number),
    };
    let rows: Vec<RequestRow> = q
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .load(conn)?;
    Ok((rows, total))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteInput {
    #[schema(value_type = RouteTarget)]
    pub to: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub note: String,
}

pub fn route_request(
    conn: &mut DbConn,
    actor: &Actor,
    id: &RequestId,
    input: RouteInput,
) -> DomainResult<Request> {
    let request = visible_request(conn, actor, id)?;
    actor.require(&[Role::Desk, Role::Organizer])?;
    crate::window::ensure_unrestricted(conn, request.resident_id.as_str())?;
    let mut check = Check::new();
    let to = check.one_of::<RouteTarget>(&input.to, "to", "error-route-target");
    check.text("note", &input.note, 0, 2000);
    check.finish()?;
    let to = to.expect("checked above").as_str();
    if !RequestStatus::can_move(request.status, RequestStatus::Routed) {
        return Err(DomainError::conflict("error-request-closed"));
    }
    diesel::update(requests::table.find(id))
        .set((
            requests::status.eq(RequestStatus::Routed),
            requests::assigned_role.eq(to),
            requests::updated_at.eq(now()),
        ))
        .execute(conn)?;
    add_event(
        conn,
        id,
        Some(actor),
        RequestStatus::Routed,
        Some(to),
        input.note.trim(),
    )?;
    audit(conn, actor, "request.route", "request", id)?;
    if let Some((email, locale)) = resident_contact(conn, request.resident_id.as_str())? {
        outbox::enqueue(
            conn,
            "request_routed",
            &locale,
            &email,
            &serde_json::json!({
                "case_number": request.case_number,
                "to": to,
                "request_id": request.id,
            }),
        )?;
    }
    visible_request(conn, actor, id)
}

/// Marks that a plan now handles the request, or that its plan closed it.
pub fn set_request_status(
    conn: &mut DbConn,
    actor: &Actor,
    id: &RequestId,
    status: RequestStatus,
    note: &str,
) -> DomainResult<()> {
    let r = visible_request(conn, actor, id)?;
    if r.status != status {
        if !RequestStatus::can_move(r.status, status) {
            return Err(DomainError::conflict("error-request-closed"));
        }
        diesel::update(requests::table.find(id))
            .set((requests::status.eq(status), requests::updated_at.eq(now())))
            .execute(conn)?;
        add_event(
            conn,
            id,
            Some(actor),
            status,
            r.assigned_role.as_deref(),
            note,
        )?;
    }
    Ok(())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageInput {
    #[schema(value_type = MessageKind)]
    pub kind: String,
    #[schema(min_length = 1, max_length = 5000)]
    pub text: String,
}

/// A message as sent: a referral also answers with the referral it opened.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SentMessage {
    #[serde(flatten)]
    pub message: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral: Option<crate::social_work::referrals::ReferralSummary>,
}

/// A typed message between the social worker and the benefits officer,
/// each kind in its one direction (the other → 422 on `kind`); a referral
/// opens a referral that hands the case over once accepted.
pub fn send_message(
    conn: &mut DbConn,
    actor: &Actor,
    request_id: &RequestId,
    input: MessageInput,
) -> DomainResult<SentMessage> {
    let request = visible_request(conn, actor, request_id)?;
    let (_, to_role) = MessageKind::sent_by(actor.role).ok_or(DomainError::Forbidden)?;
    crate::window::ensure_unrestricted(conn, request.resident_id.as_str())?;
    let mut check = Check::new();
    match MessageKind::parse(&input.kind) {
        None => check.fail("kind", "error-message-kind"),
        Some(k) if k.direction().0 != actor.role => check.fail("kind", "error-message-direction"),
        Some(_) => {}
    }
    check.text("text", &input.text, 1, 5000);
    check.finish()?;
    let message = Message {
        id: new_id(),
        from_role: actor.role.as_str().to_string(),
        to_role: to_role.as_str().to_string(),
        kind: MessageKind::parse(&input.kind).expect("checked above"),
        body: input.text.trim().to_string(),
        at: now(),
    };
    diesel::insert_into(request_messages::table)
        .values((
            request_messages::id.eq(&message.id),
            request_messages::request_id.eq(request_id),
            request_messages::author_id.eq(&actor.user_id),
            request_messages::from_role.eq(&message.from_role),
            request_messages::to_role.eq(&message.to_role),
            request_messages::kind.eq(message.kind),
            request_messages::body.eq(&message.body),
            request_messages::at.eq(message.at),
        ))
        .execute(conn)?;
    audit(conn, actor, "request.message", "request", request_id)?;
    let referral = match message.kind {
        MessageKind::Referral => Some(crate::social_work::referrals::open(
            conn,
            actor,
            &request,
            &message.id,
            crate::dashboard::today(),
        )?),
        _ => None,
    };
    Ok(SentMessage { message, referral })
}
