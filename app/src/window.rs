//! The single window (jedno okienko): residents, the service catalogue,
//! requests with their history and routing, and the typed messages between
//! the social worker and the benefits officer (seed 002).

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use cus_db::audit::{audit, audit_in};
use cus_db::error::{Check, OptionalFound};
use cus_db::identifiers::Pesel;
use cus_db::schema::{
    case_counters, request_events, request_messages, requests, residents, services, users,
};
use cus_db::{new_id, now, outbox, today, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::config::Rules;

/// The 14 areas of social services, CUS act art. 2 ust. 1.
pub const AREAS: [&str; 14] = [
    "family_policy",
    "family_support",
    "foster_care",
    "social_assistance",
    "health",
    "disability",
    "education",
    "unemployment",
    "culture",
    "sport_tourism",
    "civic_activity",
    "housing",
    "environment",
    "reintegration",
];
/// Standard rollout variants (seed 002): I introduced, II form changed, III new.
pub const VARIANTS: [&str; 3] = ["I", "II", "III"];
/// Rollout phases (seed 002): I joining, II preparation, III implementation, IV evaluation.
pub const PHASES: [&str; 4] = ["I", "II", "III", "IV"];
pub const CHANNELS: [&str; 2] = ["online", "desk"];
pub const ROUTE_TARGETS: [&str; 3] = ["social_worker", "benefits", "coordinator"];
/// Messages the benefits officer sends: a referral to the social worker.
pub const BENEFITS_KINDS: [&str; 2] = ["referral", "situation_change"];
/// Messages the social worker sends back (seed 002).
pub const SOCIAL_WORKER_KINDS: [&str; 5] = [
    "opinion",
    "non_appearance",
    "refusal",
    "situation_change",
    "waste_suspected",
];

const STAFF_WRITING_RESIDENTS: &[Role] = &[Role::Desk, Role::Coordinator, Role::Admin];

// ---------------------------------------------------------------- residents

/// Mieszkaniec: a person the center serves.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = residents)]
pub struct Resident {
    pub id: String,
    pub municipality: String,
    pub pesel: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub address: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewResident {
    pub pesel: String,
    pub first_name: String,
    pub last_name: String,
    pub address: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

pub fn create_resident(
    conn: &mut DbConn,
    actor: &Actor,
    new: NewResident,
) -> DomainResult<Resident> {
    actor.require(STAFF_WRITING_RESIDENTS)?;
    let municipality = actor.home()?.to_string();
    let mut check = Check::new();
    let pesel = Pesel::parse(&new.pesel)
        .map_err(|k| check.fail("pesel", k))
        .ok();
    check.text("first_name", &new.first_name, 1, 100);
    check.text("last_name", &new.last_name, 1, 100);
    check.text("address", &new.address, 1, 300);
    let email = new
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_lowercase);
    if let Some(e) = &email {
        crate::auth::check_email(&mut check, "email", e);
    }
    let phone = new
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    if let Some(p) = &phone {
        let ok = p.len() <= 20 && p.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
        check.require(ok, "phone", "error-phone");
    }
    check.finish()?;
    let pesel = pesel.expect("checked").as_str().to_string();
    let exists: i64 = residents::table
        .filter(residents::municipality.eq(&municipality))
        .filter(residents::pesel.eq(&pesel))
        .count()
        .get_result(conn)?;
    if exists > 0 {
        return Err(DomainError::field("pesel", "error-pesel-registered"));
    }
    let resident = Resident {
        id: new_id(),
        municipality,
        pesel: Some(pesel),
        first_name: new.first_name.trim().to_string(),
        last_name: new.last_name.trim().to_string(),
        address: new.address.trim().to_string(),
        email,
        phone,
        created_at: now(),
    };
    diesel::insert_into(residents::table)
        .values((
            residents::id.eq(&resident.id),
            residents::municipality.eq(&resident.municipality),
            residents::pesel.eq(&resident.pesel),
            residents::first_name.eq(&resident.first_name),
            residents::last_name.eq(&resident.last_name),
            residents::address.eq(&resident.address),
            residents::email.eq(&resident.email),
            residents::phone.eq(&resident.phone),
            residents::created_at.eq(resident.created_at),
        ))
        .execute(conn)?;
    audit(conn, actor, "resident.create", "resident", &resident.id)?;
    Ok(resident)
}

/// A resident's details: staff of their municipality, or the resident
/// themself. Every read is audited.
pub fn get_resident(conn: &mut DbConn, actor: &Actor, id: &str) -> DomainResult<Resident> {
    let r: Resident = residents::table
        .find(id)
        .select(Resident::as_select())
        .get_result(conn)
        .found()?;
    let own = actor.resident_id.as_deref() == Some(id);
    let staff = actor.role.is_staff() && actor.sees_municipality(&r.municipality);
    if !(own || staff) {
        return Err(DomainError::NotFound);
    }
    audit_in(
        conn,
        actor,
        &r.municipality,
        "resident.read",
        "resident",
        id,
    )?;
    Ok(r)
}

/// The roles that look residents up: the desk registers and files, the
/// social worker, the benefits officer and the plan coordinator work on
/// their cases, the services organizer routes requests and approves plans,
/// the administrator registers residents too. The community organizer
/// works with groups, and commission and council members are not staff of
/// the center: none of them searches people (seed 002: each role sees the
/// information meant for it).
pub const SEARCHING_RESIDENTS: &[Role] = &[
    Role::Desk,
    Role::SocialWorker,
    Role::Benefits,
    Role::Coordinator,
    Role::Organizer,
    Role::Admin,
];

/// At most this many residents are shown for one search.
pub const SEARCH_LIMIT: i64 = 20;

/// A resident as a list of search results shows them: enough to tell two
/// people apart and open the right record (whose read is audited), nothing
/// more: no PESEL, address or contact.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResidentHit {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    /// From the PESEL; `null` when the record has none.
    pub birth_year: Option<i32>,
}

/// Search by PESEL (exact) or last name (prefix, at least two letters), in
/// the searcher's municipality. Every resident shown gets an audit row.
pub fn search_residents(
    conn: &mut DbConn,
    actor: &Actor,
    q: &str,
) -> DomainResult<Vec<ResidentHit>> {
    actor.require(SEARCHING_RESIDENTS)?;
    let municipality = actor.home()?.to_string();
    let q = q.trim();
    let mut query = residents::table
        .filter(residents::municipality.eq(&municipality))
        .select((
            residents::id,
            residents::first_name,
            residents::last_name,
            residents::pesel,
        ))
        .order((residents::last_name, residents::first_name))
        .limit(SEARCH_LIMIT)
        .into_boxed();
    if q.chars().all(|c| c.is_ascii_digit()) && q.len() == 11 {
        query = query.filter(residents::pesel.eq(q.to_string()));
    } else {
        let prefix = q.replace(['%', '_'], "");
        if prefix.chars().count() < 2 {
            return Err(DomainError::field("q", "error-search-short"));
        }
        query = query.filter(residents::last_name.like(format!("{prefix}%")));
    }
    let rows: Vec<(String, String, String, Option<String>)> = query.load(conn)?;
    let mut hits = Vec::with_capacity(rows.len());
    for (id, first_name, last_name, pesel) in rows {
        audit_in(
            conn,
            actor,
            &municipality,
            "resident.search",
            "resident",
            &id,
        )?;
        hits.push(ResidentHit {
            birth_year: pesel
                .and_then(|p| Pesel::parse(&p).ok())
                .map(|p| p.birth_date().year()),
            id,
            first_name,
            last_name,
        });
    }
    Ok(hits)
}

/// The resident record of a resident account, created on first use from the
/// account when it has none (API.md).
pub fn own_resident_id(conn: &mut DbConn, actor: &Actor) -> DomainResult<String> {
    if let Some(id) = &actor.resident_id {
        return Ok(id.clone());
    }
    let municipality = actor.home()?.to_string();
    let mut names = actor.display_name.splitn(2, ' ');
    let first = names.next().unwrap_or("").to_string();
    let last = names.next().unwrap_or("").to_string();
    let id = new_id();
    diesel::insert_into(residents::table)
        .values((
            residents::id.eq(&id),
            residents::municipality.eq(&municipality),
            residents::first_name.eq(first),
            residents::last_name.eq(last),
            residents::address.eq(""),
            residents::email.eq(&actor.email),
            residents::created_at.eq(now()),
        ))
        .execute(conn)?;
    diesel::update(users::table.find(&actor.user_id))
        .set(users::resident_id.eq(&id))
        .execute(conn)?;
    Ok(id)
}

// ---------------------------------------------------------------- services

/// A catalogue entry (katalog usług).
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = services)]
pub struct Service {
    #[serde(skip)]
    pub id: String,
    pub municipality: String,
    pub code: String,
    pub name: String,
    pub area: String,
    pub standard: String,
    pub variant: String,
    pub phase: String,
    pub fee_rule: String,
    pub access_criteria: String,
    pub active: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    pub code: String,
    pub name: String,
    pub area: String,
    #[serde(default)]
    pub standard: String,
    pub variant: String,
    #[serde(default = "default_phase")]
    pub phase: String,
    #[serde(default)]
    pub fee_rule: String,
    #[serde(default)]
    pub access_criteria: String,
    #[serde(default = "default_true")]
    pub active: bool,
}

fn default_phase() -> String {
    "III".to_string()
}

fn default_true() -> bool {
    true
}

impl ServiceInput {
    fn check(&self) -> DomainResult<()> {
        let mut check = Check::new();
        let code_ok = !self.code.is_empty()
            && self.code.len() <= 40
            && self
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        check.require(code_ok, "code", "error-code");
        check.text("name", &self.name, 1, 200);
        check.require(AREAS.contains(&self.area.as_str()), "area", "error-area");
        check.require(
            VARIANTS.contains(&self.variant.as_str()),
            "variant",
            "error-variant",
        );
        check.require(
            PHASES.contains(&self.phase.as_str()),
            "phase",
            "error-phase",
        );
        check.text("standard", &self.standard, 0, 4000);
        check.text("fee_rule", &self.fee_rule, 0, 2000);
        check.text("access_criteria", &self.access_criteria, 0, 4000);
        check.finish()
    }
}

/// Staff read the whole catalogue; residents see the active services of
/// their municipality, to choose one when they file a request.
pub fn list_services(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<Service>> {
    let municipality = actor.home()?.to_string();
    let mut q = services::table
        .filter(services::municipality.eq(municipality))
        .select(Service::as_select())
        .order((services::area, services::name))
        .into_boxed();
    if !actor.role.is_staff() {
        q = q.filter(services::active.eq(true));
    }
    Ok(q.load(conn)?)
}

pub fn find_service(conn: &mut DbConn, municipality: &str, code: &str) -> DomainResult<Service> {
    services::table
        .filter(services::municipality.eq(municipality))
        .filter(services::code.eq(code))
        .select(Service::as_select())
        .first(conn)
        .found()
}

pub fn save_service(
    conn: &mut DbConn,
    actor: &Actor,
    existing_code: Option<&str>,
    input: ServiceInput,
) -> DomainResult<Service> {
    actor.require(&[Role::Organizer])?;
    let municipality = actor.home()?.to_string();
    input.check()?;
    let current = match existing_code {
        Some(code) => Some(find_service(conn, &municipality, code)?),
        None => None,
    };
    if current.as_ref().map(|s| s.code.as_str()) != Some(input.code.as_str()) {
        let taken = find_service(conn, &municipality, &input.code).is_ok();
        if taken {
            return Err(DomainError::field("code", "error-code-taken"));
        }
    }
    let id = current
        .as_ref()
        .map(|s| s.id.clone())
        .unwrap_or_else(new_id);
    let values = (
        services::code.eq(&input.code),
        services::name.eq(input.name.trim()),
        services::area.eq(&input.area),
        services::standard.eq(input.standard.trim()),
        services::variant.eq(&input.variant),
        services::phase.eq(&input.phase),
        services::fee_rule.eq(input.fee_rule.trim()),
        services::access_criteria.eq(input.access_criteria.trim()),
        services::active.eq(input.active),
        services::updated_at.eq(now()),
    );
    if current.is_some() {
        diesel::update(services::table.find(&id))
            .set(values)
            .execute(conn)?;
        audit(conn, actor, "service.update", "service", &id)?;
    } else {
        diesel::insert_into(services::table)
            .values((
                services::id.eq(&id),
                services::municipality.eq(&municipality),
                services::created_at.eq(now()),
                values,
            ))
            .execute(conn)?;
        audit(conn, actor, "service.create", "service", &id)?;
    }
    find_service(conn, &municipality, &input.code)
}

// ---------------------------------------------------------------- requests

/// Wniosek: a resident's request at the single window.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = requests)]
pub struct Request {
    pub id: String,
    pub municipality: String,
    pub case_number: String,
    pub resident_id: String,
    #[serde(skip)]
    pub service_id: Option<String>,
    pub description: String,
    pub channel: String,
    pub status: String,
    pub assigned_role: Option<String>,
    pub deadline: NaiveDate,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = request_events)]
pub struct RequestEvent {
    pub status: String,
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
    pub kind: String,
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
    #[serde(default)]
    pub resident_id: Option<String>,
    #[serde(default)]
    pub service_code: Option<String>,
    pub description: String,
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
    request_id: &str,
    actor: Option<&Actor>,
    status: &str,
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
    rules: &Rules,
    new: NewRequest,
) -> DomainResult<Request> {
    actor.require(&[Role::Resident, Role::Desk])?;
    let municipality = actor.home()?.to_string();
    let mut check = Check::new();
    check.text("description", &new.description, 1, 5000);
    check.require(
        CHANNELS.contains(&new.channel.as_str()),
        "channel",
        "error-channel",
    );
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
            own_resident_id(conn, actor)?
        }
        _ => {
            let id = new.resident_id.clone().unwrap_or_default();
            let r: String = residents::table
                .find(&id)
                .filter(residents::municipality.eq(&municipality))
                .select(residents::id)
                .first(conn)
                .optional()?
                .ok_or_else(|| DomainError::field("resident_id", "error-resident-unknown"))?;
            r
        }
    };
    let service = match new.service_code.as_deref().filter(|c| !c.is_empty()) {
        Some(code) => Some(
            find_service(conn, &municipality, code)
                .map_err(|_| DomainError::field("service_code", "error-service-unknown"))?,
        ),
        None => None,
    };
    let request = Request {
        id: new_id(),
        case_number: next_case_number(conn, &municipality)?,
        municipality,
        resident_id,
        service_id: service.as_ref().map(|s| s.id.clone()),
        description: new.description.trim().to_string(),
        channel: new.channel,
        status: "submitted".to_string(),
        assigned_role: None,
        deadline: today() + Duration::days(rules.request_deadline_days),
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
            requests::channel.eq(&request.channel),
            requests::status.eq(&request.status),
            requests::deadline.eq(request.deadline),
            requests::created_by.eq(&actor.user_id),
            requests::created_at.eq(request.created_at),
            requests::updated_at.eq(request.updated_at),
        ))
        .execute(conn)?;
    add_event(conn, &request.id, Some(actor), "submitted", None, "")?;
    audit(conn, actor, "request.create", "request", &request.id)?;
    if let Some((email, locale)) = resident_contact(conn, &request.resident_id)? {
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
fn visible_request(conn: &mut DbConn, actor: &Actor, id: &str) -> DomainResult<Request> {
    let r: Request = requests::table
        .find(id)
        .select(Request::as_select())
        .get_result(conn)
        .found()?;
    let own = actor.role == Role::Resident && actor.resident_id.as_deref() == Some(&r.resident_id);
    let staff = actor.role.is_staff() && actor.sees_municipality(&r.municipality);
    if own || staff {
        Ok(r)
    } else {
        Err(DomainError::NotFound)
    }
}

fn messages_for(conn: &mut DbConn, actor: &Actor, request_id: &str) -> QueryResult<Vec<Message>> {
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

pub fn get_request(conn: &mut DbConn, actor: &Actor, id: &str) -> DomainResult<RequestView> {
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
        overdue: request.deadline < today() && !matches!(request.status.as_str(), "closed"),
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
    pub id: String,
    pub case_number: String,
    pub status: String,
    pub assigned_role: Option<String>,
    pub channel: String,
    pub deadline: NaiveDate,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    pub first_name: String,
    pub last_name: String,
    pub service_name: Option<String>,
}

/// A resident's own requests, or the requests of a staff member's
/// municipality (social workers, benefits officers and coordinators see
/// what was routed to their role unless `all`).
pub fn list_requests(
    conn: &mut DbConn,
    actor: &Actor,
    all: bool,
    page: i64,
    per_page: i64,
) -> DomainResult<(Vec<RequestRow>, i64)> {
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
        } else {
            return Err(DomainError::Forbidden);
        }
        Ok(q)
    };
    let total: i64 = scope()?.count().get_result(conn)?;
    let rows: Vec<RequestRow> = scope()?
        .select((
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
        ))
        .order(requests::created_at.desc())
        .offset((page.max(1) - 1).saturating_mul(per_page))
        .limit(per_page)
        .load(conn)?;
    Ok((rows, total))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteInput {
    pub to: String,
    #[serde(default)]
    pub note: String,
}

pub fn route_request(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    input: RouteInput,
) -> DomainResult<Request> {
    let request = visible_request(conn, actor, id)?;
    actor.require(&[Role::Desk, Role::Organizer])?;
    let mut check = Check::new();
    check.require(
        ROUTE_TARGETS.contains(&input.to.as_str()),
        "to",
        "error-route-target",
    );
    check.text("note", &input.note, 0, 2000);
    check.finish()?;
    if request.status == "closed" {
        return Err(DomainError::conflict("error-request-closed"));
    }
    diesel::update(requests::table.find(id))
        .set((
            requests::status.eq("routed"),
            requests::assigned_role.eq(&input.to),
            requests::updated_at.eq(now()),
        ))
        .execute(conn)?;
    add_event(
        conn,
        id,
        Some(actor),
        "routed",
        Some(&input.to),
        input.note.trim(),
    )?;
    audit(conn, actor, "request.route", "request", id)?;
    if let Some((email, locale)) = resident_contact(conn, &request.resident_id)? {
        outbox::enqueue(
            conn,
            "request_routed",
            &locale,
            &email,
            &serde_json::json!({
                "case_number": request.case_number,
                "to": input.to,
                "request_id": request.id,
            }),
        )?;
    }
    visible_request(conn, actor, id)
}

/// Marks that a plan now handles the request.
pub fn set_request_status(
    conn: &mut DbConn,
    actor: &Actor,
    id: &str,
    status: &str,
    note: &str,
) -> DomainResult<()> {
    let r = visible_request(conn, actor, id)?;
    if r.status != status {
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
    pub kind: String,
    pub text: String,
}

/// A typed message between the social worker and the benefits officer.
pub fn send_message(
    conn: &mut DbConn,
    actor: &Actor,
    request_id: &str,
    input: MessageInput,
) -> DomainResult<Message> {
    visible_request(conn, actor, request_id)?;
    let (allowed, to_role): (&[&str], &str) = match actor.role {
        Role::Benefits => (&BENEFITS_KINDS, "social_worker"),
        Role::SocialWorker => (&SOCIAL_WORKER_KINDS, "benefits"),
        _ => return Err(DomainError::Forbidden),
    };
    let mut check = Check::new();
    check.require(
        allowed.contains(&input.kind.as_str()),
        "kind",
        "error-message-kind",
    );
    check.text("text", &input.text, 1, 5000);
    check.finish()?;
    let message = Message {
        id: new_id(),
        from_role: actor.role.as_str().to_string(),
        to_role: to_role.to_string(),
        kind: input.kind,
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
            request_messages::kind.eq(&message.kind),
            request_messages::body.eq(&message.body),
            request_messages::at.eq(message.at),
        ))
        .execute(conn)?;
    audit(conn, actor, "request.message", "request", request_id)?;
    Ok(message)
}
