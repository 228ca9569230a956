//! Residents: registration at the desk or online, search, the record.

use chrono::{Datelike, NaiveDateTime};
use cus_db::audit::{audit, audit_in};
use cus_db::error::{Check, OptionalFound};
use cus_db::identifiers::Pesel;
use cus_db::schema::{residents, users};
use cus_db::{new_id, now, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::*;

/// Mieszkaniec: a person the center serves.
#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = residents)]
pub struct Resident {
    pub id: ResidentId,
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
    /// 11 digits with the PESEL checksum and a birth date.
    #[schema(format = "pesel", pattern = "^[0-9]{11}$")]
    pub pesel: String,
    #[schema(min_length = 1, max_length = 100)]
    pub first_name: String,
    #[schema(min_length = 1, max_length = 100)]
    pub last_name: String,
    #[schema(min_length = 1, max_length = 300)]
    pub address: String,
    /// An email address, or empty.
    #[serde(default)]
    #[schema(format = "email-or-blank", max_length = 254)]
    pub email: Option<String>,
    /// Digits, spaces, `+ - ( )`, up to 20.
    #[serde(default)]
    #[schema(pattern = "^[0-9 +()-]{0,20}$")]
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
        cus_db::error::check_email(&mut check, "email", e);
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
        id: ResidentId::new(),
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

/// A resident's whole row: the read model behind [`ResidentRecord`].
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = residents)]
pub struct ResidentRow {
    pub id: ResidentId,
    pub municipality: String,
    pub pesel: Option<String>,
    pub first_name: String,
    pub last_name: String,
    pub address: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub birth_year: Option<i32>,
    pub sex: Option<String>,
    pub anonymised_at: Option<NaiveDateTime>,
    pub held_at: Option<NaiveDateTime>,
    pub held_reason: Option<String>,
    pub restricted_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
}

/// A resident's record as the API answers it. Once anonymised, who the
/// person was is `null`; the birth year and sex stay (API.md).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResidentRecord {
    pub id: ResidentId,
    pub municipality: String,
    pub pesel: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// From the PESEL (kept when the PESEL is gone).
    pub birth_year: Option<i32>,
    /// `F` or `M`, from the PESEL (kept when the PESEL is gone).
    pub sex: Option<String>,
    pub anonymised: bool,
    /// Kept from anonymisation by a legal hold.
    pub held: bool,
    /// Processing restricted (GDPR art. 18): no new records until lifted.
    pub restricted: bool,
    /// The household the resident lives in (null when none: a one-person family).
    pub household_id: Option<cus_db::ids::HouseholdId>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
}

impl From<ResidentRow> for ResidentRecord {
    fn from(r: ResidentRow) -> Self {
        let born = r.pesel.as_deref().and_then(|p| Pesel::parse(p).ok());
        let anonymised = r.anonymised_at.is_some();
        let known = |v: String| (!anonymised).then_some(v);
        ResidentRecord {
            birth_year: r
                .birth_year
                .or_else(|| born.as_ref().map(|p| p.birth_date().year())),
            sex: r.sex.or_else(|| born.as_ref().map(|p| p.sex().to_string())),
            id: r.id,
            municipality: r.municipality,
            pesel: r.pesel,
            first_name: known(r.first_name),
            last_name: known(r.last_name),
            address: known(r.address),
            email: r.email,
            phone: r.phone,
            anonymised,
            held: r.held_at.is_some(),
            restricted: r.restricted_at.is_some(),
            household_id: None,
            created_at: r.created_at,
        }
    }
}

/// Refuses (409 `restricted`) a write about a resident whose processing
/// is restricted (GDPR art. 18) until the data protection officer lifts
/// it. Every service that writes about a resident calls it first.
pub fn ensure_unrestricted(conn: &mut DbConn, resident_id: &str) -> DomainResult<()> {
    let restricted: Option<Option<NaiveDateTime>> = residents::table
        .find(resident_id)
        .select(residents::restricted_at)
        .first(conn)
        .optional()?;
    match restricted {
        Some(Some(_)) => Err(DomainError::Blocked("restricted")),
        _ => Ok(()),
    }
}

/// The municipality of a resident (404 when there is no such resident).
pub fn resident_municipality(conn: &mut DbConn, id: &ResidentId) -> DomainResult<String> {
    residents::table
        .find(id)
        .select(residents::municipality)
        .get_result(conn)
        .found()
}

/// A resident's record, unchecked: the caller has checked who may read it.
pub fn resident_record(conn: &mut DbConn, id: &ResidentId) -> DomainResult<ResidentRecord> {
    let row: ResidentRow = residents::table
        .find(id)
        .select(ResidentRow::as_select())
        .get_result(conn)
        .found()?;
    with_household(conn, row.into())
}

fn with_household(conn: &mut DbConn, mut r: ResidentRecord) -> DomainResult<ResidentRecord> {
    r.household_id = crate::social_work::households::household_of(conn, r.id.as_str())?;
    Ok(r)
}

/// A resident's details: the roles of `SEARCHING_RESIDENTS` of their
/// municipality, or the resident themself. Every read is audited.
pub fn get_resident(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ResidentId,
) -> DomainResult<ResidentRecord> {
    let r: ResidentRow = residents::table
        .find(id)
        .select(ResidentRow::as_select())
        .get_result(conn)
        .found()?;
    let own = actor.resident_id.as_deref() == Some(id.as_str());
    // The roles that look residents up read their records; the community
    // organizer, staff too, works with groups and sees no one's PESEL,
    // address or phone (seed 002, as for the search).
    let staff = actor.is(SEARCHING_RESIDENTS) && actor.sees_municipality(&r.municipality);
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
    with_household(conn, r.into())
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
    pub id: ResidentId,
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
        .filter(residents::anonymised_at.is_null())
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
    let rows: Vec<(ResidentId, String, String, Option<String>)> = query.load(conn)?;
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
    // The record may have been made since the actor was read (earlier in
    // the same transaction): one account, one record.
    let linked: Option<String> = users::table
        .find(&actor.user_id)
        .select(users::resident_id)
        .first(conn)
        .optional()?
        .flatten();
    if let Some(id) = linked {
        return Ok(id);
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

/// The resident of the actor's municipality with this PESEL, if the text is
/// one (a form that takes a PESEL where the API takes an id).
pub fn resident_by_pesel(
    conn: &mut DbConn,
    actor: &Actor,
    text: &str,
) -> DomainResult<Option<ResidentId>> {
    let text = text.trim();
    if text.len() != 11 || !text.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    Ok(residents::table
        .filter(residents::municipality.eq(actor.home()?))
        .filter(residents::pesel.eq(text))
        .select(residents::id)
        .first(conn)
        .optional()?)
}

/// A municipality's name, for printed documents.
pub fn municipality_name(conn: &mut DbConn, teryt: &str) -> DomainResult<String> {
    use cus_db::schema::municipalities;
    Ok(municipalities::table
        .find(teryt)
        .select(municipalities::name)
        .get_result(conn)?)
}
