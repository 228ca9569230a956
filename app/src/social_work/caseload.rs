//! Each social worker's caseload (obciążenie: households, seed 003's
//! "zmniejszenie liczby środowisk przypadających na pracownika socjalnego")
//! against the statutory norm (social assistance act art. 110 ust. 11, the
//! setting `[rules] households_per_worker`), and districts (rejony) whose
//! households go to their social workers by default.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use cus_db::audit::audit;
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{district_workers, districts, referrals, requests, social_contracts, users};
use cus_db::{now, Actor, DbConn, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;

use super::households::Families;
use super::{same_municipality, unique_conflict, DistrictId};
use crate::social_work::referrals::ReferralStatus;

/// The statutory norm when the deployment sets none: at most 50 households
/// per social worker (art. 110 ust. 11; to verify).
pub const DEFAULT_NORM: i64 = 50;

/// Who is in each worker's caseload on `day`: user id → the families (keys
/// of [`Families::key`]) with a social contract of theirs running that day
/// or a referral they accepted and had not done by that day's end. Of one
/// municipality, or of all (`None`).
pub fn families_on(
    conn: &mut DbConn,
    municipality: Option<&str>,
    day: NaiveDate,
    families: &Families,
) -> QueryResult<HashMap<String, BTreeSet<String>>> {
    // A contract ended on `day` no longer counts; a referral done on `day` neither.
    let next = (day + Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    let mut contracts = social_contracts::table
        .filter(social_contracts::start_date.le(day))
        .filter(
            social_contracts::ended_on
                .is_null()
                .or(social_contracts::ended_on.gt(day)),
        )
        .select((social_contracts::worker_id, social_contracts::resident_id))
        .into_boxed();
    if let Some(m) = municipality {
        contracts = contracts.filter(social_contracts::municipality.eq(m.to_string()));
    }
    let mut taken = referrals::table
        .inner_join(requests::table)
        .filter(referrals::accepted_at.lt(next))
        .filter(referrals::status.ne(ReferralStatus::Declined))
        .filter(referrals::done_at.is_null().or(referrals::done_at.ge(next)))
        .select((
            referrals::accepted_by.assume_not_null(),
            requests::resident_id,
        ))
        .into_boxed();
    if let Some(m) = municipality {
        taken = taken.filter(referrals::municipality.eq(m.to_string()));
    }
    let mut out: HashMap<String, BTreeSet<String>> = HashMap::new();
    let rows: Vec<(String, String)> = contracts.load(conn)?;
    let more: Vec<(String, String)> = taken.load(conn)?;
    for (worker, resident) in rows.into_iter().chain(more) {
        out.entry(worker)
            .or_default()
            .insert(families.key(&resident).to_string());
    }
    Ok(out)
}

/// One social worker's line of the caseload.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CaseloadRow {
    pub user_id: String,
    pub name: String,
    /// Distinct families in the worker's caseload today.
    pub households: i64,
    /// The members of those families (a one-person family: its resident).
    pub residents: i64,
    pub over_norm: bool,
    /// The districts the worker serves.
    pub districts: Vec<String>,
}

/// The active social worker accounts of a municipality, by name: (id, name).
pub fn social_workers(conn: &mut DbConn, municipality: &str) -> QueryResult<Vec<(String, String)>> {
    users::table
        .filter(users::municipality.eq(municipality))
        .filter(users::role.eq(Role::SocialWorker.as_str()))
        .filter(users::disabled.eq(false))
        .order((users::display_name, users::id))
        .select((users::id, users::display_name))
        .load(conn)
}

/// Every active social worker of the organizer's municipality with their
/// households and residents today, against `norm`.
pub fn caseload(
    conn: &mut DbConn,
    actor: &Actor,
    norm: i64,
    today: NaiveDate,
) -> DomainResult<Vec<CaseloadRow>> {
    actor.require(&[Role::Organizer])?;
    let municipality = actor.home()?.to_string();
    let families = Families::load(conn, Some(&municipality))?;
    let load = families_on(conn, Some(&municipality), today, &families)?;
    let served: Vec<(String, String)> = district_workers::table
        .inner_join(districts::table)
        .filter(districts::municipality.eq(&municipality))
        .order((districts::name, district_workers::position))
        .select((district_workers::user_id, districts::name))
        .load(conn)?;
    let mut districts_of: HashMap<String, Vec<String>> = HashMap::new();
    for (user, name) in served {
        districts_of.entry(user).or_default().push(name);
    }
    Ok(social_workers(conn, &municipality)?
        .into_iter()
        .map(|(user_id, name)| {
            let keys = load.get(&user_id);
            let households = keys.map_or(0, |k| k.len() as i64);
            let residents = keys.map_or(0, |k| k.iter().map(|f| families.members(f)).sum());
            CaseloadRow {
                households,
                residents,
                over_norm: households > norm,
                districts: districts_of.remove(&user_id).unwrap_or_default(),
                user_id,
                name,
            }
        })
        .collect())
}

/// How many families each worker has today: what suggesting a district's
/// worker for a referral weighs.
pub fn households_today(
    conn: &mut DbConn,
    municipality: &str,
    today: NaiveDate,
) -> QueryResult<HashMap<String, i64>> {
    let families = Families::load(conn, Some(municipality))?;
    Ok(families_on(conn, Some(municipality), today, &families)?
        .into_iter()
        .map(|(w, f)| (w, f.len() as i64))
        .collect())
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct District {
    pub id: DistrictId,
    pub name: String,
    /// In order: the first with the fewest households is suggested.
    pub social_worker_ids: Vec<String>,
    pub social_worker_names: Vec<String>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DistrictInput {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Social worker accounts of the municipality, in the order referrals
    /// prefer them.
    #[schema(max_items = 50)]
    pub social_worker_ids: Vec<String>,
}

/// The roles that read the districts: the organizer sets them, the desk and
/// the social worker place households in them.
const READING_DISTRICTS: &[Role] = &[
    Role::Organizer,
    Role::Desk,
    Role::SocialWorker,
    Role::Coordinator,
    Role::Benefits,
];

fn check_district(
    conn: &mut DbConn,
    municipality: &str,
    input: &DistrictInput,
) -> DomainResult<Vec<String>> {
    let mut check = Check::new();
    check.text("name", &input.name, 1, 200);
    check.require(
        input.social_worker_ids.len() <= 50,
        "social_worker_ids",
        "error-too-many",
    );
    let ids: Vec<String> = input
        .social_worker_ids
        .iter()
        .map(|s| s.trim().to_string())
        .collect();
    let distinct: BTreeSet<&String> = ids.iter().collect();
    check.require(
        distinct.len() == ids.len(),
        "social_worker_ids",
        "error-duplicate",
    );
    let workers: BTreeSet<String> = social_workers(conn, municipality)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    check.require(
        ids.iter().all(|id| workers.contains(id)),
        "social_worker_ids",
        "error-social-worker-unknown",
    );
    check.finish()?;
    Ok(ids)
}

fn set_workers(conn: &mut DbConn, id: &DistrictId, workers: &[String]) -> QueryResult<()> {
    diesel::delete(district_workers::table.filter(district_workers::district_id.eq(id)))
        .execute(conn)?;
    for (position, user) in workers.iter().enumerate() {
        diesel::insert_into(district_workers::table)
            .values((
                district_workers::district_id.eq(id),
                district_workers::user_id.eq(user),
                district_workers::position.eq(position as i32),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn create_district(
    conn: &mut DbConn,
    actor: &Actor,
    input: DistrictInput,
) -> DomainResult<District> {
    actor.require(&[Role::Organizer])?;
    let municipality = actor.home()?.to_string();
    let workers = check_district(conn, &municipality, &input)?;
    let id = DistrictId::new();
    diesel::insert_into(districts::table)
        .values((
            districts::id.eq(&id),
            districts::municipality.eq(&municipality),
            districts::name.eq(input.name.trim()),
            districts::created_at.eq(now()),
        ))
        .execute(conn)
        .map_err(unique_conflict("error-district-taken"))?;
    set_workers(conn, &id, &workers)?;
    audit(conn, actor, "district.create", "district", &id)?;
    get_district(conn, actor, &id)
}

/// Renames a district or changes its workers (in order).
pub fn update_district(
    conn: &mut DbConn,
    actor: &Actor,
    id: &DistrictId,
    input: DistrictInput,
) -> DomainResult<District> {
    actor.require(&[Role::Organizer])?;
    let municipality: String = districts::table
        .find(id)
        .select(districts::municipality)
        .get_result(conn)
        .found()?;
    same_municipality(actor, &municipality)?;
    let workers = check_district(conn, &municipality, &input)?;
    diesel::update(districts::table.find(id))
        .set(districts::name.eq(input.name.trim()))
        .execute(conn)
        .map_err(unique_conflict("error-district-taken"))?;
    set_workers(conn, id, &workers)?;
    audit(conn, actor, "district.update", "district", id)?;
    get_district(conn, actor, id)
}

pub fn get_district(conn: &mut DbConn, actor: &Actor, id: &DistrictId) -> DomainResult<District> {
    actor.require(READING_DISTRICTS)?;
    let (municipality, name, created_at): (String, String, NaiveDateTime) = districts::table
        .find(id)
        .select((
            districts::municipality,
            districts::name,
            districts::created_at,
        ))
        .get_result(conn)
        .found()?;
    same_municipality(actor, &municipality)?;
    let workers: Vec<(String, String)> = district_workers::table
        .inner_join(users::table)
        .filter(district_workers::district_id.eq(id))
        .order(district_workers::position)
        .select((users::id, users::display_name))
        .load(conn)?;
    let (social_worker_ids, social_worker_names) = workers.into_iter().unzip();
    Ok(District {
        id: id.clone(),
        name,
        social_worker_ids,
        social_worker_names,
        created_at,
    })
}

/// The districts of the actor's municipality, by name.
pub fn list_districts(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<District>> {
    actor.require(READING_DISTRICTS)?;
    let ids: Vec<DistrictId> = districts::table
        .filter(districts::municipality.eq(actor.home()?))
        .order(districts::name)
        .select(districts::id)
        .load(conn)?;
    ids.iter().map(|id| get_district(conn, actor, id)).collect()
}

/// The district's social workers in order, each with the families in their
/// caseload today: the first with the fewest is suggested for a referral of
/// a family of the district.
pub fn suggest(
    conn: &mut DbConn,
    municipality: &str,
    district: &DistrictId,
    today: NaiveDate,
) -> QueryResult<Option<String>> {
    let workers: Vec<String> = district_workers::table
        .inner_join(users::table)
        .filter(district_workers::district_id.eq(district))
        .filter(users::disabled.eq(false))
        .filter(users::role.eq(Role::SocialWorker.as_str()))
        .filter(users::municipality.eq(municipality))
        .order(district_workers::position)
        .select(users::id)
        .load(conn)?;
    if workers.is_empty() {
        return Ok(None);
    }
    let load = households_today(conn, municipality, today)?;
    // `min_by_key` keeps the first of equals: ties go by the order listed.
    Ok(workers
        .into_iter()
        .min_by_key(|w| load.get(w).copied().unwrap_or(0)))
}
