//! Benchmarking groups (grupy wymiany doświadczeń, GWD; seeds 000 and 001).
//!
//! Municipalities choose the services to look at and agree the indicators;
//! each describes its own context (population, social, demographic and
//! economic situation); they meet in turn at a host municipality, and the
//! minutes keep the agenda, the host's lead topics, the good practices
//! shown, the decisions and the next host. The coordinator opens a round
//! for a period: every member submits its own values, seeing nobody
//! else's; once the coordinator closes the round the comparison (average,
//! median, positions, who is below the average) is open to the members, and
//! those below the average bring corrective plans to the next meeting.
//!
//! Staff of a municipality that is not a member get 404 on everything here.

use chrono::{NaiveDate, NaiveDateTime};
use cus_db::audit::audit;
use cus_db::error::{control_refusal, Check, OptionalFound, LINE_MAX};
pub use cus_db::ids::{GroupId, RoundId};
use cus_db::schema::{
    benchmark_groups, benchmark_meetings, benchmark_members, benchmark_rounds, benchmark_values,
    indicators, municipalities,
};
use cus_db::{new_id, now, today, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use utoipa::ToSchema;

use super::indicators::READERS;
use super::ranking::{rank, Entry, Row};
use super::*;

/// At most this many members, indicators and services in a group.
pub const MAX_LIST: usize = 50;
/// The largest population a profile takes.
pub const MAX_POPULATION: i64 = 10_000_000;
/// The largest figure a round takes (as the dictionary's targets).
pub const MAX_VALUE: f64 = 1e12;

cus_db::text_enum! {
    /// A benchmarking round takes values while open; closing it shows the
    /// comparison to the members.
    pub enum RoundStatus {
        Open = "open",
        Closed = "closed",
    }
}

impl cus_db::Lifecycle for RoundStatus {
    fn moves(self) -> &'static [Self] {
        match self {
            RoundStatus::Open => &[RoundStatus::Closed],
            RoundStatus::Closed => &[],
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// TERYT codes of the member municipalities; the caller's is added when
    /// missing (it coordinates the group).
    #[schema(min_items = 1, max_items = 50)]
    pub members: Vec<String>,
    /// Codes of the dictionary (`/api/v1/indicators`) the group compares.
    #[schema(min_items = 1, max_items = 50)]
    pub indicators: Vec<String>,
    /// The services (catalogue codes) the group chose to look at.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub services: Vec<String>,
}

/// A member's context: social, demographic, economic.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Profile {
    pub population: Option<i64>,
    pub text: String,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    #[schema(value_type = String)]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupMember {
    pub teryt: String,
    pub name: String,
    pub coordinator: bool,
    pub profile: Profile,
}

/// The minutes of one meeting.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Meeting {
    pub id: String,
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub date: NaiveDate,
    pub host: String,
    pub host_name: String,
    pub agenda: String,
    pub lead_topics: Vec<String>,
    pub good_practices: Vec<String>,
    pub decisions: String,
    pub next_host: Option<String>,
    pub next_host_name: Option<String>,
    pub attendance: Vec<String>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    #[schema(value_type = String)]
    pub created_at: NaiveDateTime,
}

/// A round as the group's page lists it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoundSummary {
    pub id: RoundId,
    #[schema(value_type = String)]
    pub period: String,
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub deadline: NaiveDate,
    pub status: RoundStatus,
    pub indicators: Vec<String>,
    /// Members that submitted at least one value.
    pub submitted: usize,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    #[schema(value_type = Option<String>)]
    pub closed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Group {
    pub id: GroupId,
    pub name: String,
    /// TERYT code of the coordinating municipality.
    pub coordinator: String,
    pub coordinator_name: String,
    pub members: Vec<GroupMember>,
    pub indicators: Vec<String>,
    pub services: Vec<String>,
    /// Oldest first: the group's timeline.
    pub meetings: Vec<Meeting>,
    /// Newest first.
    pub rounds: Vec<RoundSummary>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    #[schema(value_type = String)]
    pub created_at: NaiveDateTime,
}

/// One row of the caller's groups.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct GroupSummary {
    pub id: GroupId,
    pub name: String,
    pub coordinator: String,
    pub coordinator_name: String,
    pub members: usize,
    pub indicators: Vec<String>,
    pub open_rounds: usize,
}

/// One indicator of a closed round, ranked as `/benchmarks` ranks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Comparison {
    pub indicator: String,
    pub name: String,
    pub unit: String,
    pub higher_is_better: bool,
    pub target: Option<f64>,
    pub average: Option<f64>,
    pub median: Option<f64>,
    /// Rows with a value.
    pub count: usize,
    pub values: Vec<Row>,
}

/// A round: while open only the caller's own values; once closed, the
/// comparison of every member's.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Round {
    pub id: RoundId,
    pub group_id: GroupId,
    #[schema(value_type = String)]
    pub period: String,
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub deadline: NaiveDate,
    pub status: RoundStatus,
    pub indicators: Vec<String>,
    /// TERYT codes of the members that submitted at least one value.
    pub submitted: Vec<String>,
    /// The caller's municipality's values, by indicator code.
    pub own: BTreeMap<String, Option<f64>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comparison: Option<Vec<Comparison>>,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    #[schema(value_type = Option<String>)]
    pub closed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = benchmark_groups)]
struct GroupRow {
    id: GroupId,
    name: String,
    coordinator: String,
    indicators: String,
    services: String,
    created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = benchmark_rounds)]
struct RoundRow {
    id: RoundId,
    group_id: GroupId,
    period: String,
    deadline: NaiveDate,
    indicators: String,
    status: RoundStatus,
    closed_at: Option<NaiveDateTime>,
}

/// A list of codes or short texts: each 1..=`len` characters, at most
/// `max` of them; duplicates dropped, order kept.
fn check_list(
    check: &mut Check,
    field: &str,
    items: &[String],
    max: usize,
    len: usize,
) -> Vec<String> {
    if items.len() > max {
        check.fail(field, "error-group-too-many");
    }
    let mut out: Vec<String> = vec![];
    for (i, item) in items.iter().enumerate() {
        let name = format!("{field}[{i}]");
        let n = item.trim().chars().count();
        if let Some(key) = control_refusal(item, len > LINE_MAX) {
            check.fail(&name, key);
        } else if n == 0 {
            check.fail(&name, "error-required");
        } else if n > len {
            check.fail(&name, "error-too-long");
        } else if !out.iter().any(|o| o == item.trim()) {
            out.push(item.trim().to_string());
        }
    }
    out
}

fn is_member(conn: &mut DbConn, group: &GroupId, municipality: &str) -> DomainResult<bool> {
    Ok(benchmark_members::table
        .find((group, municipality))
        .count()
        .get_result::<i64>(conn)?
        > 0)
}

/// The group when the caller's municipality is a member, else 404 (a
/// global administrator, with no municipality, is no member either).
fn member_group(conn: &mut DbConn, actor: &Actor, id: &GroupId) -> DomainResult<GroupRow> {
    actor.require(&READERS)?;
    let home = actor.municipality.as_deref().ok_or(DomainError::NotFound)?;
    let g: GroupRow = benchmark_groups::table
        .find(id)
        .select(GroupRow::as_select())
        .first(conn)
        .found()?;
    if !is_member(conn, &g.id, home)? {
        return Err(DomainError::NotFound);
    }
    Ok(g)
}

/// A round of a group the caller's municipality belongs to, else 404.
fn member_round(
    conn: &mut DbConn,
    actor: &Actor,
    id: &RoundId,
) -> DomainResult<(GroupRow, RoundRow)> {
    actor.require(&READERS)?;
    let r: RoundRow = benchmark_rounds::table
        .find(id)
        .select(RoundRow::as_select())
        .first(conn)
        .found()?;
    let g = member_group(conn, actor, &r.group_id)?;
    Ok((g, r))
}

fn names_of(conn: &mut DbConn, codes: &[String]) -> DomainResult<HashMap<String, String>> {
    Ok(municipalities::table
        .filter(municipalities::teryt.eq_any(codes))
        .select((municipalities::teryt, municipalities::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// The members `(teryt, name)`, by name.
fn member_names(conn: &mut DbConn, group: &GroupId) -> DomainResult<Vec<(String, String)>> {
    Ok(benchmark_members::table
        .inner_join(
            municipalities::table.on(municipalities::teryt.eq(benchmark_members::municipality)),
        )
        .filter(benchmark_members::group_id.eq(group))
        .order((municipalities::name, municipalities::teryt))
        .select((municipalities::teryt, municipalities::name))
        .load(conn)?)
}

pub fn create(conn: &mut DbConn, actor: &Actor, input: NewGroup) -> DomainResult<Group> {
    actor.require(&[Role::Organizer])?;
    let home = actor.home()?.to_string();
    let mut check = Check::new();
    check.text("name", &input.name, 1, 200);
    if input.members.is_empty() {
        check.fail("members", "error-required");
    }
    if input.indicators.is_empty() {
        check.fail("indicators", "error-required");
    }
    let mut members = check_list(&mut check, "members", &input.members, MAX_LIST, 7);
    if !members.contains(&home) {
        members.insert(0, home.clone());
        if members.len() > MAX_LIST && input.members.len() <= MAX_LIST {
            check.fail("members", "error-group-too-many");
        }
    }
    let codes = check_list(&mut check, "indicators", &input.indicators, MAX_LIST, 64);
    let services = check_list(&mut check, "services", &input.services, MAX_LIST, 64);
    let known: BTreeSet<String> = municipalities::table
        .filter(municipalities::teryt.eq_any(&members))
        .select(municipalities::teryt)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    if members.iter().any(|m| !known.contains(m)) {
        check.fail("members", "error-group-member-unknown");
    }
    let known: BTreeSet<String> = indicators::table
        .filter(indicators::code.eq_any(&codes))
        .select(indicators::code)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    if codes.iter().any(|c| !known.contains(c)) {
        check.fail("indicators", "error-group-indicator-unknown");
    }
    check.finish()?;
    let id = GroupId::new();
    diesel::insert_into(benchmark_groups::table)
        .values((
            benchmark_groups::id.eq(&id),
            benchmark_groups::name.eq(input.name.trim()),
            benchmark_groups::coordinator.eq(&home),
            benchmark_groups::indicators.eq(to_json(&codes)),
            benchmark_groups::services.eq(to_json(&services)),
            benchmark_groups::created_by.eq(&actor.user_id),
            benchmark_groups::created_at.eq(now()),
        ))
        .execute(conn)?;
    for m in &members {
        diesel::insert_into(benchmark_members::table)
            .values((
                benchmark_members::group_id.eq(&id),
                benchmark_members::municipality.eq(m),
                benchmark_members::population.eq(None::<i32>),
                benchmark_members::profile.eq(""),
                benchmark_members::updated_at.eq(now()),
            ))
            .execute(conn)?;
    }
    audit(
        conn,
        actor,
        "benchmark_group.create",
        "benchmark_group",
        &id,
    )?;
    get(conn, actor, &id)
}

/// The groups the caller's municipality belongs to.
pub fn list(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<GroupSummary>> {
    actor.require(&READERS)?;
    let Some(home) = actor.municipality.clone() else {
        return Ok(vec![]);
    };
    let rows: Vec<GroupRow> = benchmark_groups::table
        .inner_join(benchmark_members::table)
        .filter(benchmark_members::municipality.eq(&home))
        .order((benchmark_groups::name, benchmark_groups::id))
        .select(GroupRow::as_select())
        .load(conn)?;
    let mut out = vec![];
    for g in rows {
        let members: i64 = benchmark_members::table
            .filter(benchmark_members::group_id.eq(&g.id))
            .count()
            .get_result(conn)?;
        let open: i64 = benchmark_rounds::table
            .filter(benchmark_rounds::group_id.eq(&g.id))
            .filter(benchmark_rounds::status.eq(RoundStatus::Open))
            .count()
            .get_result(conn)?;
        let coordinator_name = names_of(conn, std::slice::from_ref(&g.coordinator))?
            .remove(&g.coordinator)
            .unwrap_or_default();
        out.push(GroupSummary {
            indicators: json_list(&g.indicators),
            id: g.id,
            name: g.name,
            coordinator: g.coordinator,
            coordinator_name,
            members: members as usize,
            open_rounds: open as usize,
        });
    }
    Ok(out)
}

/// `groups_of` for the corrective actions: `(group id, name)` of the
/// groups `municipality` belongs to, by name.
pub fn groups_of(conn: &mut DbConn, municipality: &str) -> DomainResult<Vec<(GroupId, String)>> {
    Ok(benchmark_groups::table
        .inner_join(benchmark_members::table)
        .filter(benchmark_members::municipality.eq(municipality))
        .order((benchmark_groups::name, benchmark_groups::id))
        .select((benchmark_groups::id, benchmark_groups::name))
        .load(conn)?)
}

/// The group of meeting `meeting_id` when `municipality` is a member of it;
/// `None` when there is no such meeting or it is another group's.
pub fn meeting_in_group(
    conn: &mut DbConn,
    meeting_id: &str,
    municipality: &str,
) -> DomainResult<Option<GroupId>> {
    let group: Option<GroupId> = benchmark_meetings::table
        .find(meeting_id)
        .select(benchmark_meetings::group_id)
        .first(conn)
        .optional()?;
    match group {
        Some(g) if is_member(conn, &g, municipality)? => Ok(Some(g)),
        _ => Ok(None),
    }
}

pub fn get(conn: &mut DbConn, actor: &Actor, id: &GroupId) -> DomainResult<Group> {
    let g = member_group(conn, actor, id)?;
    let rows: Vec<(String, String, Option<i32>, String, NaiveDateTime)> = benchmark_members::table
        .inner_join(
            municipalities::table.on(municipalities::teryt.eq(benchmark_members::municipality)),
        )
        .filter(benchmark_members::group_id.eq(&g.id))
        .order((municipalities::name, municipalities::teryt))
        .select((
            municipalities::teryt,
            municipalities::name,
            benchmark_members::population,
            benchmark_members::profile,
            benchmark_members::updated_at,
        ))
        .load(conn)?;
    let names: HashMap<String, String> = rows
        .iter()
        .map(|(t, n, ..)| (t.clone(), n.clone()))
        .collect();
    let members = rows
        .into_iter()
        .map(|(teryt, name, population, text, updated_at)| GroupMember {
            coordinator: teryt == g.coordinator,
            teryt,
            name,
            profile: Profile {
                population: population.map(i64::from),
                text,
                updated_at,
            },
        })
        .collect();
    let name_of = |t: &str| names.get(t).cloned().unwrap_or_else(|| t.to_string());
    #[allow(clippy::type_complexity)]
    let meeting_rows: Vec<(
        String,
        NaiveDate,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        NaiveDateTime,
    )> = benchmark_meetings::table
        .filter(benchmark_meetings::group_id.eq(&g.id))
        .order((benchmark_meetings::day, benchmark_meetings::created_at))
        .select((
            benchmark_meetings::id,
            benchmark_meetings::day,
            benchmark_meetings::host,
            benchmark_meetings::agenda,
            benchmark_meetings::lead_topics,
            benchmark_meetings::good_practices,
            benchmark_meetings::decisions,
            benchmark_meetings::next_host,
            benchmark_meetings::attendance,
            benchmark_meetings::created_at,
        ))
        .load(conn)?;
    let meetings = meeting_rows
        .into_iter()
        .map(
            |(id, date, host, agenda, lead, good, decisions, next_host, attendance, created_at)| {
                Meeting {
                    id,
                    date,
                    host_name: name_of(&host),
                    host,
                    agenda,
                    lead_topics: json_list(&lead),
                    good_practices: json_list(&good),
                    decisions,
                    next_host_name: next_host.as_deref().map(name_of),
                    next_host,
                    attendance: json_list(&attendance),
                    created_at,
                }
            },
        )
        .collect();
    let round_rows: Vec<RoundRow> = benchmark_rounds::table
        .filter(benchmark_rounds::group_id.eq(&g.id))
        .order((
            benchmark_rounds::created_at.desc(),
            benchmark_rounds::id.desc(),
        ))
        .select(RoundRow::as_select())
        .load(conn)?;
    let mut rounds = vec![];
    for r in round_rows {
        let submitted = submitted_by(conn, &r.id)?.len();
        rounds.push(RoundSummary {
            indicators: json_list(&r.indicators),
            id: r.id,
            period: r.period,
            deadline: r.deadline,
            status: r.status,
            submitted,
            closed_at: r.closed_at,
        });
    }
    Ok(Group {
        coordinator_name: name_of(&g.coordinator),
        id: g.id,
        name: g.name,
        coordinator: g.coordinator,
        members,
        indicators: json_list(&g.indicators),
        services: json_list(&g.services),
        meetings,
        rounds,
        created_at: g.created_at,
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    /// Residents of the municipality, 0 to 10 000 000 (null: not given).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub population: Option<i64>,
    /// The social, demographic and economic context.
    #[serde(default)]
    #[schema(max_length = 10_000)]
    pub text: String,
}

/// The caller's municipality's profile in the group (its organizer).
pub fn set_profile(
    conn: &mut DbConn,
    actor: &Actor,
    id: &GroupId,
    input: ProfileInput,
) -> DomainResult<Group> {
    let g = member_group(conn, actor, id)?;
    actor.require(&[Role::Organizer])?;
    let home = actor.home()?.to_string();
    let mut check = Check::new();
    if let Some(p) = input.population {
        check.require(
            (0..=MAX_POPULATION).contains(&p),
            "population",
            "error-out-of-range",
        );
    }
    check.text("text", &input.text, 0, 10_000);
    check.finish()?;
    diesel::update(benchmark_members::table.find((&g.id, &home)))
        .set((
            benchmark_members::population.eq(input.population.map(|p| p as i32)),
            benchmark_members::profile.eq(input.text.trim()),
            benchmark_members::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit(
        conn,
        actor,
        "benchmark_group.profile",
        "benchmark_group",
        &g.id,
    )?;
    get(conn, actor, &g.id)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingInput {
    #[serde(deserialize_with = "cus_db::bounds::date")]
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub date: NaiveDate,
    /// TERYT code of the hosting member.
    #[schema(min_length = 7, max_length = 7)]
    pub host: String,
    #[schema(min_length = 1, max_length = 20_000)]
    pub agenda: String,
    /// What the host presented (its services, programs, experience).
    #[serde(default)]
    #[schema(max_items = 50)]
    pub lead_topics: Vec<String>,
    /// Good practices shared, to be taken over by others.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub good_practices: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 20_000)]
    pub decisions: String,
    /// TERYT code of the member hosting the next meeting.
    #[serde(default)]
    pub next_host: Option<String>,
    /// TERYT codes of the members that attended.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub attendance: Vec<String>,
}

/// Records a meeting: the coordinator's organizer, or the host's.
pub fn add_meeting(
    conn: &mut DbConn,
    actor: &Actor,
    id: &GroupId,
    input: MeetingInput,
) -> DomainResult<Meeting> {
    let g = member_group(conn, actor, id)?;
    actor.require(&[Role::Organizer])?;
    let home = actor.home()?.to_string();
    let host = input.host.trim().to_string();
    if home != g.coordinator && home != host {
        return Err(DomainError::Forbidden);
    }
    let members: BTreeSet<String> = member_names(conn, &g.id)?
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    let mut check = Check::new();
    check.require(members.contains(&host), "host", "error-group-not-member");
    check.text("agenda", &input.agenda, 1, 20_000);
    check.text("decisions", &input.decisions, 0, 20_000);
    let lead = check_list(
        &mut check,
        "lead_topics",
        &input.lead_topics,
        MAX_LIST,
        2000,
    );
    let good = check_list(
        &mut check,
        "good_practices",
        &input.good_practices,
        MAX_LIST,
        2000,
    );
    let next_host = input
        .next_host
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string);
    if let Some(n) = &next_host {
        check.require(members.contains(n), "next_host", "error-group-not-member");
    }
    let attendance = check_list(&mut check, "attendance", &input.attendance, MAX_LIST, 7);
    if attendance.iter().any(|a| !members.contains(a)) {
        check.fail("attendance", "error-group-not-member");
    }
    check.finish()?;
    let meeting_id = new_id();
    diesel::insert_into(benchmark_meetings::table)
        .values((
            benchmark_meetings::id.eq(&meeting_id),
            benchmark_meetings::group_id.eq(&g.id),
            benchmark_meetings::day.eq(input.date),
            benchmark_meetings::host.eq(&host),
            benchmark_meetings::agenda.eq(input.agenda.trim()),
            benchmark_meetings::lead_topics.eq(to_json(&lead)),
            benchmark_meetings::good_practices.eq(to_json(&good)),
            benchmark_meetings::decisions.eq(input.decisions.trim()),
            benchmark_meetings::next_host.eq(&next_host),
            benchmark_meetings::attendance.eq(to_json(&attendance)),
            benchmark_meetings::created_by.eq(&actor.user_id),
            benchmark_meetings::created_at.eq(now()),
        ))
        .execute(conn)?;
    audit(
        conn,
        actor,
        "benchmark_meeting.create",
        "benchmark_meeting",
        &meeting_id,
    )?;
    let group = get(conn, actor, &g.id)?;
    group
        .meetings
        .into_iter()
        .find(|m| m.id == meeting_id)
        .ok_or(DomainError::NotFound)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundInput {
    /// `YYYY`, `YYYY-H1`, `YYYY-Q1` or `YYYY-MM`.
    #[schema(value_type = String, example = "2026", pattern = r"^(20[0-9]{2}|2100)(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$")]
    pub period: String,
    /// When members should have sent their values; not in the past.
    #[serde(deserialize_with = "cus_db::bounds::date")]
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub deadline: NaiveDate,
    /// A subset of the group's indicators; all of them when omitted.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub indicators: Option<Vec<String>>,
}

/// Opens a round (the coordinator's organizer). One open round a period.
pub fn open_round(
    conn: &mut DbConn,
    actor: &Actor,
    id: &GroupId,
    input: RoundInput,
) -> DomainResult<Round> {
    let g = member_group(conn, actor, id)?;
    actor.require(&[Role::Organizer])?;
    if actor.home()? != g.coordinator {
        return Err(DomainError::Forbidden);
    }
    let mut check = Check::new();
    let period = Period::parse(&input.period);
    check.require(period.is_some(), "period", "error-period");
    check.require(input.deadline >= today(), "deadline", "error-date-past");
    let all = json_list(&g.indicators);
    let chosen = match &input.indicators {
        None => all.clone(),
        Some(list) => {
            if list.is_empty() {
                check.fail("indicators", "error-required");
            }
            let chosen = check_list(&mut check, "indicators", list, MAX_LIST, 64);
            if chosen.iter().any(|c| !all.contains(c)) {
                check.fail("indicators", "error-group-round-indicator");
            }
            // The group's order.
            all.iter().filter(|c| chosen.contains(c)).cloned().collect()
        }
    };
    check.finish()?;
    let period = period.expect("checked").to_string();
    let open: i64 = benchmark_rounds::table
        .filter(benchmark_rounds::group_id.eq(&g.id))
        .filter(benchmark_rounds::period.eq(&period))
        .filter(benchmark_rounds::status.eq(RoundStatus::Open))
        .count()
        .get_result(conn)?;
    if open > 0 {
        return Err(DomainError::conflict("error-group-round-open"));
    }
    let round_id = RoundId::new();
    diesel::insert_into(benchmark_rounds::table)
        .values((
            benchmark_rounds::id.eq(&round_id),
            benchmark_rounds::group_id.eq(&g.id),
            benchmark_rounds::period.eq(&period),
            benchmark_rounds::deadline.eq(input.deadline),
            benchmark_rounds::indicators.eq(to_json(&chosen)),
            benchmark_rounds::status.eq(RoundStatus::Open),
            benchmark_rounds::created_at.eq(now()),
            benchmark_rounds::closed_at.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)?;
    audit(
        conn,
        actor,
        "benchmark_round.open",
        "benchmark_round",
        &round_id,
    )?;
    get_round(conn, actor, &round_id)
}

fn submitted_by(conn: &mut DbConn, round: &RoundId) -> DomainResult<Vec<String>> {
    Ok(benchmark_values::table
        .filter(benchmark_values::round_id.eq(round))
        .select(benchmark_values::municipality)
        .distinct()
        .order(benchmark_values::municipality)
        .load(conn)?)
}

/// `(municipality, indicator, value)` of a round.
fn values_of(
    conn: &mut DbConn,
    round: &RoundId,
) -> DomainResult<Vec<(String, String, Option<f64>)>> {
    Ok(benchmark_values::table
        .filter(benchmark_values::round_id.eq(round))
        .select((
            benchmark_values::municipality,
            benchmark_values::indicator,
            benchmark_values::value_centi,
        ))
        .load::<(String, String, Option<i64>)>(conn)?
        .into_iter()
        .map(|(m, i, v)| (m, i, v.map(from_centi)))
        .collect())
}

/// A round: the caller's own values, and once closed the comparison.
pub fn get_round(conn: &mut DbConn, actor: &Actor, id: &RoundId) -> DomainResult<Round> {
    let (g, r) = member_round(conn, actor, id)?;
    let home = actor.home()?.to_string();
    let indicator_codes = json_list(&r.indicators);
    let values = values_of(conn, &r.id)?;
    let own: BTreeMap<String, Option<f64>> = values
        .iter()
        .filter(|(m, ..)| *m == home)
        .map(|(_, i, v)| (i.clone(), *v))
        .collect();
    let comparison = if r.status == RoundStatus::Closed {
        let members = member_names(conn, &g.id)?;
        let by: HashMap<(&str, &str), Option<f64>> = values
            .iter()
            .map(|(m, i, v)| ((m.as_str(), i.as_str()), *v))
            .collect();
        let mut out = vec![];
        for code in &indicator_codes {
            let indicator = super::indicators::get(conn, code)?;
            let entries: Vec<Entry> = members
                .iter()
                .map(|(teryt, name)| {
                    let v = by.get(&(teryt.as_str(), code.as_str())).copied().flatten();
                    (teryt.clone(), name.clone(), v, false)
                })
                .collect();
            let (average, median, rows) = rank(&indicator, entries);
            out.push(Comparison {
                count: rows.iter().filter(|r| r.value.is_some()).count(),
                indicator: indicator.code,
                name: indicator.name,
                unit: indicator.unit,
                higher_is_better: indicator.higher_is_better,
                target: indicator.target,
                average,
                median,
                values: rows,
            });
        }
        Some(out)
    } else {
        None
    };
    Ok(Round {
        submitted: submitted_by(conn, &r.id)?,
        id: r.id,
        group_id: g.id,
        period: r.period,
        deadline: r.deadline,
        status: r.status,
        indicators: indicator_codes,
        own,
        comparison,
        closed_at: r.closed_at,
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueInput {
    /// An indicator of the round.
    #[schema(min_length = 2, max_length = 64)]
    pub indicator: String,
    /// A number, or null for no data; when omitted, the municipality's
    /// latest stored result of the indicator for the round's period.
    #[serde(default, deserialize_with = "crate::assessment::present")]
    #[schema(value_type = Option<f64>, minimum = 0, maximum = 1e12)]
    pub value: Option<Option<f64>>,
}

/// The municipality's latest stored result (computed or entered) of
/// `indicator` for `period`: `Some(None)` when it is suppressed, `None`
/// when there is none.
fn stored_value(
    conn: &mut DbConn,
    indicator: &str,
    period: &str,
    teryt: &str,
) -> DomainResult<Option<Option<f64>>> {
    Ok(super::runs::latest_values(
        conn,
        indicator,
        period,
        "municipality",
        Some(&[teryt.to_string()]),
    )?
    .into_iter()
    .find(|(_, subject, ..)| subject == teryt)
    .map(|(_, _, v, suppressed)| if suppressed { None } else { v }))
}

/// Submits (or replaces) the caller's municipality's value of one of the
/// round's indicators (a member's organizer, while the round is open).
pub fn submit_value(
    conn: &mut DbConn,
    actor: &Actor,
    id: &RoundId,
    input: ValueInput,
) -> DomainResult<Round> {
    let (_, r) = member_round(conn, actor, id)?;
    actor.require(&[Role::Organizer])?;
    let home = actor.home()?.to_string();
    if r.status != RoundStatus::Open {
        return Err(DomainError::conflict("error-group-round-closed"));
    }
    let codes = json_list(&r.indicators);
    let code = input.indicator.trim().to_string();
    if !codes.contains(&code) {
        return Err(DomainError::field(
            "indicator",
            "error-group-round-indicator",
        ));
    }
    let value = match input.value {
        Some(v) => v,
        None => stored_value(conn, &code, &r.period, &home)?
            .ok_or_else(|| DomainError::field("value", "error-group-no-stored-value"))?,
    };
    if let Some(v) = value {
        let unit: String = indicators::table
            .find(&code)
            .select(indicators::unit)
            .first(conn)?;
        let max = if unit == "%" { 100.0 } else { MAX_VALUE };
        if !(v.is_finite() && (0.0..=max).contains(&v)) {
            return Err(DomainError::field("value", "error-group-value-range"));
        }
    }
    let centi = value.map(to_centi);
    let key = benchmark_values::table.find((&r.id, &home, &code));
    let updated = diesel::update(key)
        .set((
            benchmark_values::value_centi.eq(centi),
            benchmark_values::submitted_by.eq(&actor.user_id),
            benchmark_values::submitted_at.eq(now()),
        ))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(benchmark_values::table)
            .values((
                benchmark_values::round_id.eq(&r.id),
                benchmark_values::municipality.eq(&home),
                benchmark_values::indicator.eq(&code),
                benchmark_values::value_centi.eq(centi),
                benchmark_values::submitted_by.eq(&actor.user_id),
                benchmark_values::submitted_at.eq(now()),
            ))
            .execute(conn)?;
    }
    audit(
        conn,
        actor,
        "benchmark_round.value",
        "benchmark_round",
        &r.id,
    )?;
    get_round(conn, actor, &r.id)
}

/// Submits the latest stored result of every indicator of the round that
/// the municipality has one of (the page's "take from the results");
/// answers how many it submitted.
pub fn submit_stored(conn: &mut DbConn, actor: &Actor, id: &RoundId) -> DomainResult<usize> {
    let (_, r) = member_round(conn, actor, id)?;
    actor.require(&[Role::Organizer])?;
    let home = actor.home()?.to_string();
    let mut n = 0;
    for code in json_list(&r.indicators) {
        if stored_value(conn, &code, &r.period, &home)?.is_some() {
            submit_value(
                conn,
                actor,
                id,
                ValueInput {
                    indicator: code,
                    value: None,
                },
            )?;
            n += 1;
        }
    }
    Ok(n)
}

/// Closes a round (the coordinator's organizer): the comparison opens.
pub fn close_round(conn: &mut DbConn, actor: &Actor, id: &RoundId) -> DomainResult<Round> {
    let (g, r) = member_round(conn, actor, id)?;
    actor.require(&[Role::Organizer])?;
    if actor.home()? != g.coordinator {
        return Err(DomainError::Forbidden);
    }
    let closed = diesel::update(
        benchmark_rounds::table
            .find(&r.id)
            .filter(benchmark_rounds::status.eq(RoundStatus::Open)),
    )
    .set((
        benchmark_rounds::status.eq(RoundStatus::Closed),
        benchmark_rounds::closed_at.eq(Some(now())),
    ))
    .execute(conn)?;
    if closed == 0 {
        return Err(DomainError::conflict("error-group-round-closed"));
    }
    audit(
        conn,
        actor,
        "benchmark_round.close",
        "benchmark_round",
        &r.id,
    )?;
    get_round(conn, actor, &r.id)
}

/// The rows of `/benchmarks?group=ID`: the group's members and their values
/// of the indicator in the group's latest closed round for `period` that
/// covers it (every member `None` while no closed round does: the group's
/// figures stay private until a round closes). 404 unless the caller's
/// municipality is a member.
pub fn benchmark_entries(
    conn: &mut DbConn,
    actor: &Actor,
    group: &GroupId,
    period: &str,
    indicator: &str,
) -> DomainResult<Vec<Entry>> {
    let g = member_group(conn, actor, group)?;
    let members = member_names(conn, &g.id)?;
    let closed: Vec<(RoundId, String)> = benchmark_rounds::table
        .filter(benchmark_rounds::group_id.eq(&g.id))
        .filter(benchmark_rounds::period.eq(period))
        .filter(benchmark_rounds::status.eq(RoundStatus::Closed))
        .order((
            benchmark_rounds::closed_at.desc(),
            benchmark_rounds::id.desc(),
        ))
        .select((benchmark_rounds::id, benchmark_rounds::indicators))
        .load(conn)?;
    let round = closed
        .into_iter()
        .find(|(_, list)| json_list(list).iter().any(|c| c == indicator))
        .map(|(id, _)| id);
    let values: HashMap<String, Option<f64>> = match &round {
        Some(r) => benchmark_values::table
            .filter(benchmark_values::round_id.eq(r))
            .filter(benchmark_values::indicator.eq(indicator))
            .select((
                benchmark_values::municipality,
                benchmark_values::value_centi,
            ))
            .load::<(String, Option<i64>)>(conn)?
            .into_iter()
            .map(|(m, v)| (m, v.map(from_centi)))
            .collect(),
        None => HashMap::new(),
    };
    Ok(members
        .into_iter()
        .map(|(teryt, name)| {
            let v = values.get(&teryt).copied().flatten();
            (teryt, name, v, false)
        })
        .collect())
}
