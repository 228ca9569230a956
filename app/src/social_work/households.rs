//! Households (rodzina, gospodarstwo domowe): who lives together and how
//! they are related. A resident belongs to one household at a time (a
//! unique index says so too); a resident in none is a one-person family.
//! Counts of families (the diagnosis, program progress, the caseload) read
//! the households as they are now.

use chrono::NaiveDateTime;
use cus_db::audit::{audit, audit_in};
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{districts, household_members, households, residents};
use cus_db::{now, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;

use super::{same_municipality, unique_conflict, DistrictId, HouseholdId};
use cus_db::ids::ResidentId;

cus_db::text_enum! {
    /// How a member is related to the household's head.
    pub enum Relation {
        Head = "head",
        Spouse = "spouse",
        Partner = "partner",
        Child = "child",
        Parent = "parent",
        Sibling = "sibling",
        Other = "other",
    }
}

/// The roles that record households: the desk registers, the social worker
/// and the coordinator work with the family.
pub const WRITING: &[Role] = &[Role::Desk, Role::SocialWorker, Role::Coordinator];
/// The roles that read a household: those that record it, the benefits
/// officer (benefits are per family) and the organizer (caseload, districts).
pub const READING: &[Role] = &[
    Role::Desk,
    Role::SocialWorker,
    Role::Benefits,
    Role::Coordinator,
    Role::Organizer,
];

/// The most members a household holds.
pub const MAX_MEMBERS: usize = 30;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub resident_id: String,
    #[schema(value_type = Relation)]
    pub relation: String,
}

/// A household's members (exactly one `head`) and, optionally, its district.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HouseholdInput {
    #[schema(min_items = 1, max_items = 30)]
    pub members: Vec<MemberInput>,
    /// The district (rejon) whose social workers take the family by default.
    /// On `PUT …/members`: absent keeps the district, empty clears it.
    #[serde(default)]
    pub district_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Member {
    pub resident_id: ResidentId,
    pub name: String,
    pub relation: Relation,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Household {
    pub id: HouseholdId,
    pub municipality: String,
    pub district_id: Option<DistrictId>,
    pub district_name: Option<String>,
    pub members: Vec<Member>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub updated_at: NaiveDateTime,
}

/// The members `input` names, checked: residents of `municipality`, each
/// once, each with a known relation, exactly one head (422 on `members`).
fn check_members(
    conn: &mut DbConn,
    municipality: &str,
    input: &[MemberInput],
) -> DomainResult<Vec<(ResidentId, Relation)>> {
    let mut check = Check::new();
    check.require(!input.is_empty(), "members", "error-required");
    check.require(input.len() <= MAX_MEMBERS, "members", "error-too-many");
    check.finish()?;
    let mut check = Check::new();
    let mut members = Vec::with_capacity(input.len());
    for m in input {
        let relation = Relation::parse(&m.relation);
        let resident = ResidentId::parse(m.resident_id.trim());
        match (resident, relation) {
            (Some(r), Some(rel)) => members.push((r, rel)),
            (None, _) => check.fail("members", "error-resident-unknown"),
            (_, None) => check.fail("members", "error-household-relation"),
        }
    }
    check.finish()?;
    let ids: Vec<&ResidentId> = members.iter().map(|(r, _)| r).collect();
    let known: BTreeSet<ResidentId> = residents::table
        .filter(residents::id.eq_any(&ids))
        .filter(residents::municipality.eq(municipality))
        .select(residents::id)
        .load::<ResidentId>(conn)?
        .into_iter()
        .collect();
    let mut check = Check::new();
    check.require(
        ids.iter().all(|r| known.contains(*r)),
        "members",
        "error-resident-unknown",
    );
    let distinct: BTreeSet<&ResidentId> = ids.iter().copied().collect();
    check.require(
        distinct.len() == ids.len(),
        "members",
        "error-household-duplicate",
    );
    let heads = members.iter().filter(|(_, r)| *r == Relation::Head).count();
    check.require(heads == 1, "members", "error-household-head");
    check.finish()?;
    Ok(members)
}

/// The district `text` names in `municipality` (422 on `district_id`).
fn check_district(
    conn: &mut DbConn,
    municipality: &str,
    text: &str,
) -> DomainResult<Option<DistrictId>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let unknown = || DomainError::field("district_id", "error-district-unknown");
    let id = DistrictId::parse(text).ok_or_else(unknown)?;
    districts::table
        .find(&id)
        .filter(districts::municipality.eq(municipality))
        .select(districts::id)
        .first::<DistrictId>(conn)
        .optional()?
        .map(Some)
        .ok_or_else(unknown)
}

/// Refuses (409) a member who already lives in another household.
fn ensure_free(
    conn: &mut DbConn,
    members: &[(ResidentId, Relation)],
    except: Option<&HouseholdId>,
) -> DomainResult<()> {
    let ids: Vec<&ResidentId> = members.iter().map(|(r, _)| r).collect();
    let mut q = household_members::table
        .filter(household_members::resident_id.eq_any(&ids))
        .select(household_members::resident_id)
        .into_boxed();
    if let Some(h) = except {
        q = q.filter(household_members::household_id.ne(h));
    }
    if q.first::<String>(conn).optional()?.is_some() {
        return Err(DomainError::conflict("error-household-taken"));
    }
    for (r, _) in members {
        crate::window::ensure_unrestricted(conn, r.as_str())?;
    }
    Ok(())
}

fn insert_members(
    conn: &mut DbConn,
    id: &HouseholdId,
    members: &[(ResidentId, Relation)],
) -> DomainResult<()> {
    for (resident, relation) in members {
        diesel::insert_into(household_members::table)
            .values((
                household_members::household_id.eq(id),
                household_members::resident_id.eq(resident),
                household_members::relation.eq(relation),
            ))
            .execute(conn)
            .map_err(unique_conflict("error-household-taken"))?;
    }
    Ok(())
}

pub fn create_household(
    conn: &mut DbConn,
    actor: &Actor,
    input: HouseholdInput,
) -> DomainResult<Household> {
    actor.require(WRITING)?;
    let municipality = actor.home()?.to_string();
    let members = check_members(conn, &municipality, &input.members)?;
    let district = match &input.district_id {
        Some(d) => check_district(conn, &municipality, d)?,
        None => None,
    };
    ensure_free(conn, &members, None)?;
    let id = HouseholdId::new();
    let at = now();
    diesel::insert_into(households::table)
        .values((
            households::id.eq(&id),
            households::municipality.eq(&municipality),
            households::district_id.eq(&district),
            households::created_by.eq(&actor.user_id),
            households::created_at.eq(at),
            households::updated_at.eq(at),
        ))
        .execute(conn)?;
    insert_members(conn, &id, &members)?;
    audit(conn, actor, "household.create", "household", &id)?;
    load(conn, &id)
}

/// Replaces a household's members under the same rules as creating it.
pub fn replace_members(
    conn: &mut DbConn,
    actor: &Actor,
    id: &HouseholdId,
    input: HouseholdInput,
) -> DomainResult<Household> {
    actor.require(WRITING)?;
    let municipality = municipality_of(conn, id)?;
    same_municipality(actor, &municipality)?;
    let members = check_members(conn, &municipality, &input.members)?;
    let district = match &input.district_id {
        Some(d) => Some(check_district(conn, &municipality, d)?),
        None => None,
    };
    ensure_free(conn, &members, Some(id))?;
    diesel::delete(household_members::table.filter(household_members::household_id.eq(id)))
        .execute(conn)?;
    insert_members(conn, id, &members)?;
    diesel::update(households::table.find(id))
        .set(households::updated_at.eq(now()))
        .execute(conn)?;
    if let Some(district) = district {
        diesel::update(households::table.find(id))
            .set(households::district_id.eq(district))
            .execute(conn)?;
    }
    audit(conn, actor, "household.update", "household", id)?;
    load(conn, id)
}

fn municipality_of(conn: &mut DbConn, id: &HouseholdId) -> DomainResult<String> {
    households::table
        .find(id)
        .select(households::municipality)
        .get_result(conn)
        .found()
}

/// A household as the roles that read it see it (audited).
pub fn get_household(
    conn: &mut DbConn,
    actor: &Actor,
    id: &HouseholdId,
) -> DomainResult<Household> {
    let municipality = municipality_of(conn, id)?;
    if !actor.is(READING) {
        return Err(DomainError::NotFound);
    }
    same_municipality(actor, &municipality)?;
    audit_in(
        conn,
        actor,
        &municipality,
        "household.read",
        "household",
        id,
    )?;
    load(conn, id)
}

/// A household, unchecked: the caller has checked who may read it.
fn load(conn: &mut DbConn, id: &HouseholdId) -> DomainResult<Household> {
    let (municipality, district_id, created_at, updated_at): (
        String,
        Option<DistrictId>,
        NaiveDateTime,
        NaiveDateTime,
    ) = households::table
        .find(id)
        .select((
            households::municipality,
            households::district_id,
            households::created_at,
            households::updated_at,
        ))
        .get_result(conn)
        .found()?;
    let district_name = match &district_id {
        Some(d) => districts::table
            .find(d)
            .select(districts::name)
            .first(conn)
            .optional()?,
        None => None,
    };
    let rows: Vec<(ResidentId, Relation, String, String, Option<NaiveDateTime>)> =
        household_members::table
            .inner_join(residents::table)
            .filter(household_members::household_id.eq(id))
            .select((
                household_members::resident_id,
                household_members::relation,
                residents::first_name,
                residents::last_name,
                residents::anonymised_at,
            ))
            .load(conn)?;
    let mut members: Vec<Member> = rows
        .into_iter()
        .map(|(resident_id, relation, first, last, anonymised)| Member {
            resident_id,
            name: match anonymised {
                Some(_) => "—".to_string(),
                None => format!("{first} {last}"),
            },
            relation,
        })
        .collect();
    members.sort_by(|a, b| (a.relation, &a.name).cmp(&(b.relation, &b.name)));
    Ok(Household {
        id: id.clone(),
        municipality,
        district_id,
        district_name,
        members,
        created_at,
        updated_at,
    })
}

/// The household a resident lives in, if any.
pub fn household_of(conn: &mut DbConn, resident: &str) -> QueryResult<Option<HouseholdId>> {
    household_members::table
        .filter(household_members::resident_id.eq(resident))
        .select(household_members::household_id)
        .first(conn)
        .optional()
}

/// Who lives in a household, resident → household, of one municipality or
/// of all (`None`): what counting families reads.
#[derive(Debug, Clone, Default)]
pub struct Families {
    household: HashMap<String, String>,
    size: HashMap<String, i64>,
}

impl Families {
    pub fn load(conn: &mut DbConn, municipality: Option<&str>) -> QueryResult<Families> {
        let mut q = household_members::table
            .inner_join(households::table)
            .select((
                household_members::resident_id,
                household_members::household_id,
            ))
            .into_boxed();
        if let Some(m) = municipality {
            q = q.filter(households::municipality.eq(m.to_string()));
        }
        let rows: Vec<(String, String)> = q.load(conn)?;
        let mut families = Families::default();
        for (resident, household) in rows {
            *families.size.entry(household.clone()).or_default() += 1;
            families.household.insert(resident, household);
        }
        Ok(families)
    }

    /// The family a resident belongs to: their household, or themselves.
    pub fn key<'a>(&'a self, resident: &'a str) -> &'a str {
        self.household
            .get(resident)
            .map_or(resident, String::as_str)
    }

    /// How many people a family (a key from [`Families::key`]) has.
    pub fn members(&self, key: &str) -> i64 {
        self.size.get(key).copied().unwrap_or(1)
    }

    /// How many distinct families `residents` make.
    pub fn count<'a>(&'a self, residents: impl IntoIterator<Item = &'a str>) -> i64 {
        residents
            .into_iter()
            .map(|r| self.key(r))
            .collect::<BTreeSet<_>>()
            .len() as i64
    }
}

/// The households of a page's residents, resident → household.
pub fn households_of(
    conn: &mut DbConn,
    residents: &[&str],
) -> QueryResult<HashMap<String, HouseholdId>> {
    Ok(household_members::table
        .filter(household_members::resident_id.eq_any(residents))
        .select((
            household_members::resident_id,
            household_members::household_id,
        ))
        .load::<(String, HouseholdId)>(conn)?
        .into_iter()
        .collect())
}

/// Whether `actor` may record households (a page shows the form).
pub fn can_write(actor: &Actor) -> bool {
    actor.is(WRITING)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resident_in_no_household_is_a_family_of_one() {
        let mut f = Families::default();
        f.household.insert("a".into(), "h".into());
        f.household.insert("b".into(), "h".into());
        f.size.insert("h".into(), 2);
        assert_eq!(f.count(["a", "b", "c"]), 2);
        assert_eq!(f.members(f.key("a")), 2);
        assert_eq!(f.members(f.key("c")), 1);
    }
}

/// Families and people served in `[start, end)` in `municipality`: the
/// residents with a request filed in it (`filers`, read by the caller) or a
/// plan open in it (made before its end, not closed before its start), and
/// their distinct households as they are now, a resident in none counting
/// as a family of one. Two plain reads (the open plans' residents, the
/// municipality's household members), counted here: correlated
/// subqueries over requests let SQLite pick the period's index for each
/// probe when it has no statistics (seconds, not milliseconds).
pub fn families_served(
    conn: &mut DbConn,
    municipality: &str,
    start: NaiveDateTime,
    end: NaiveDateTime,
    filers: &BTreeSet<&str>,
) -> QueryResult<(i64, i64)> {
    use cus_db::schema::{plan_events, plans};
    use cus_db::states::PlanStatus;
    use diesel::dsl::exists;
    // A plan not closed is open; a closed one only if it closed in the
    // period or after (looked up for closed plans alone).
    let mut planned: Vec<String> = plans::table
        .filter(plans::municipality.eq(municipality))
        .filter(plans::created_at.lt(end))
        .filter(plans::status.ne(PlanStatus::Closed))
        .select(plans::resident_id)
        .load(conn)?;
    let closed_late = plan_events::table
        .filter(plan_events::plan_id.eq(plans::id))
        .filter(plan_events::to_status.eq(PlanStatus::Closed))
        .filter(plan_events::at.ge(start));
    planned.extend(
        plans::table
            .filter(plans::municipality.eq(municipality))
            .filter(plans::status.eq(PlanStatus::Closed))
            .filter(plans::created_at.lt(end))
            .filter(exists(closed_late))
            .select(plans::resident_id)
            .load::<String>(conn)?,
    );
    let mut clients: BTreeSet<&str> = filers.clone();
    clients.extend(planned.iter().map(String::as_str));
    let families = Families::load(conn, Some(municipality))?;
    Ok((
        families.count(clients.iter().copied()),
        clients.len() as i64,
    ))
}
