//! The community organizer's work: a plan per community (territorial or
//! categorial: diagnosis of needs and resources, goals, stages) and the
//! activity log, with filters, CSV export, and continuity — a per-community
//! timeline in which one-off events show as such, plus monthly totals.

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use cus_db::audit::audit_in;
use cus_db::bounds::Paging;
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{activities, communities};
use cus_db::{now, today, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

pub use cus_db::ids::{ActivityId, CommunityId};

/// An activity with nothing else in its community this many days before or
/// after it, and no follow-up, is a one-off event.
pub const ONE_OFF_DAYS: i64 = 60;

cus_db::text_enum! {
    /// A community's kind.
    pub enum CommunityKind {
        Territorial = "territorial",
        Categorial = "categorial",
    }
}

cus_db::text_enum! {
    /// An activity's kind.
    pub enum ActivityKind {
        Animation = "animation",
        Meeting = "meeting",
        VolunteerAction = "volunteer_action",
        CitizenGroup = "citizen_group",
        LocalDiagnosis = "local_diagnosis",
        IntegrationEvent = "integration_event",
        Training = "training",
        Partnership = "partnership",
        Other = "other",
    }
}

cus_db::text_enum! {
    /// The dimension of community work.
    pub enum Dimension {
        Preventive = "preventive",
        Inhibiting = "inhibiting",
        Intervention = "intervention",
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    #[schema(min_length = 1, max_length = 300)]
    pub name: String,
    #[serde(default)]
    pub status: String,
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = communities)]
pub struct CommunityRow {
    pub id: CommunityId,
    pub municipality: String,
    pub name: String,
    pub kind: String,
    pub diagnosis: String,
    pub resources: String,
    pub goals: String,
    #[serde(skip)]
    pub stages: String,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Community {
    #[serde(flatten)]
    pub row: CommunityRow,
    pub stages: Vec<Stage>,
}

impl From<CommunityRow> for Community {
    fn from(row: CommunityRow) -> Self {
        Community {
            stages: serde_json::from_str(&row.stages).unwrap_or_default(),
            row,
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommunityInput {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(value_type = CommunityKind)]
    pub kind: String,
    #[serde(default)]
    #[schema(max_length = 20_000)]
    pub diagnosis: String,
    #[serde(default)]
    #[schema(max_length = 20_000)]
    pub resources: String,
    #[serde(default)]
    #[schema(max_length = 20_000)]
    pub goals: String,
    #[serde(default)]
    #[schema(max_items = 30)]
    pub stages: Vec<Stage>,
}

fn staff_of(actor: &Actor) -> DomainResult<String> {
    if !actor.role.is_staff() {
        return Err(DomainError::Forbidden);
    }
    Ok(actor.home()?.to_string())
}

fn check_community(input: &CommunityInput) -> DomainResult<()> {
    let mut check = Check::new();
    check.text("name", &input.name, 1, 200);
    check.require(
        CommunityKind::parse(&input.kind).is_some(),
        "kind",
        "error-community-kind",
    );
    for (field, v) in [
        ("diagnosis", &input.diagnosis),
        ("resources", &input.resources),
        ("goals", &input.goals),
    ] {
        check.text(field, v, 0, 20_000);
    }
    check.require(input.stages.len() <= 30, "stages", "error-too-many");
    for (i, s) in input.stages.iter().enumerate() {
        check.text(&format!("stages[{i}].name"), &s.name, 1, 300);
    }
    check.finish()
}

pub fn create_community(
    conn: &mut DbConn,
    actor: &Actor,
    input: CommunityInput,
) -> DomainResult<Community> {
    actor.require(&[Role::CommunityOrganizer])?;
    let m = actor.home()?.to_string();
    check_community(&input)?;
    let id = CommunityId::new();
    diesel::insert_into(communities::table)
        .values((
            communities::id.eq(&id),
            communities::municipality.eq(&m),
            communities::name.eq(input.name.trim()),
            communities::kind.eq(&input.kind),
            communities::diagnosis.eq(input.diagnosis.trim()),
            communities::resources.eq(input.resources.trim()),
            communities::goals.eq(input.goals.trim()),
            communities::stages
                .eq(serde_json::to_string(&input.stages).unwrap_or_else(|_| "[]".into())),
            communities::organizer_id.eq(&actor.user_id),
            communities::created_at.eq(now()),
            communities::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit_in(conn, actor, &m, "community.create", "community", &id)?;
    get_community(conn, actor, &id)
}

/// The organizer revises the plan: diagnosis, goals, stages and their status.
pub fn update_community(
    conn: &mut DbConn,
    actor: &Actor,
    id: &CommunityId,
    input: CommunityInput,
) -> DomainResult<Community> {
    let current = get_community(conn, actor, id)?;
    actor.require(&[Role::CommunityOrganizer])?;
    check_community(&input)?;
    diesel::update(communities::table.find(id))
        .set((
            communities::name.eq(input.name.trim()),
            communities::kind.eq(&input.kind),
            communities::diagnosis.eq(input.diagnosis.trim()),
            communities::resources.eq(input.resources.trim()),
            communities::goals.eq(input.goals.trim()),
            communities::stages
                .eq(serde_json::to_string(&input.stages).unwrap_or_else(|_| "[]".into())),
            communities::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit_in(
        conn,
        actor,
        &current.row.municipality,
        "community.update",
        "community",
        id,
    )?;
    get_community(conn, actor, id)
}

pub fn get_community(
    conn: &mut DbConn,
    actor: &Actor,
    id: &CommunityId,
) -> DomainResult<Community> {
    let m = staff_of(actor)?;
    communities::table
        .find(id)
        .filter(communities::municipality.eq(m))
        .select(CommunityRow::as_select())
        .first(conn)
        .found()
        .map(Community::from)
}

pub fn list_communities(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<Community>> {
    let m = staff_of(actor)?;
    Ok(communities::table
        .filter(communities::municipality.eq(m))
        .order(communities::name)
        .select(CommunityRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Community::from)
        .collect())
}

#[derive(Debug, Clone, Serialize, Queryable, ToSchema)]
pub struct Activity {
    pub id: ActivityId,
    pub community_id: CommunityId,
    pub community: String,
    pub date: NaiveDate,
    pub title: String,
    pub kind: String,
    pub dimension: String,
    pub participants: i32,
    pub volunteers: i32,
    pub volunteer_hours: i32,
    #[serde(skip)]
    pub partners_json: String,
    pub outcome: String,
    pub follow_up: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityView {
    #[serde(flatten)]
    pub activity: Activity,
    pub partners: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityInput {
    /// Not in the future.
    #[serde(deserialize_with = "cus_db::bounds::date")]
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub date: NaiveDate,
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    #[schema(value_type = ActivityKind)]
    pub kind: String,
    #[schema(value_type = Dimension)]
    pub dimension: String,
    /// The community's id, or its name; a new name starts a community.
    #[schema(min_length = 1, max_length = 200)]
    pub community: String,
    /// For a new community: territorial (default) or categorial.
    #[serde(default)]
    #[schema(value_type = Option<CommunityKind>)]
    pub community_kind: Option<String>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100_000)]
    pub participants: i32,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100_000)]
    pub volunteers: i32,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100_000)]
    pub volunteer_hours: i32,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub partners: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 10_000)]
    pub outcome: String,
    #[serde(default)]
    #[schema(max_length = 10_000)]
    pub follow_up: String,
}

pub fn log_activity(
    conn: &mut DbConn,
    actor: &Actor,
    input: ActivityInput,
) -> DomainResult<ActivityView> {
    actor.require(&[Role::CommunityOrganizer])?;
    let m = actor.home()?.to_string();
    let mut check = Check::new();
    check.text("title", &input.title, 1, 300);
    check.require(
        ActivityKind::parse(&input.kind).is_some(),
        "kind",
        "error-activity-kind",
    );
    check.require(
        Dimension::parse(&input.dimension).is_some(),
        "dimension",
        "error-dimension",
    );
    check.require(input.date <= today(), "date", "error-date-future");
    for (field, n) in [
        ("participants", input.participants),
        ("volunteers", input.volunteers),
        ("volunteer_hours", input.volunteer_hours),
    ] {
        check.require((0..=100_000).contains(&n), field, "error-count");
    }
    check.require(input.partners.len() <= 50, "partners", "error-too-many");
    check.text("outcome", &input.outcome, 0, 10_000);
    check.text("follow_up", &input.follow_up, 0, 10_000);
    check.finish()?;
    let community: Option<CommunityId> = communities::table
        .filter(communities::municipality.eq(&m))
        .filter(
            communities::id
                .eq(&input.community)
                .or(communities::name.eq(input.community.trim())),
        )
        .select(communities::id)
        .first(conn)
        .optional()?;
    let community = match community {
        Some(id) => id,
        None => {
            // API clients name the community as free text: the first
            // activity starts its plan, filled in later.
            let name = input.community.trim();
            let mut check = Check::new();
            check.text("community", name, 1, 200);
            check.finish()?;
            let new = CommunityInput {
                name: name.to_string(),
                kind: input
                    .community_kind
                    .clone()
                    .unwrap_or_else(|| "territorial".to_string()),
                diagnosis: String::new(),
                resources: String::new(),
                goals: String::new(),
                stages: vec![],
            };
            create_community(conn, actor, new)?.row.id
        }
    };
    let partners: Vec<String> = input
        .partners
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    let id = ActivityId::new();
    diesel::insert_into(activities::table)
        .values((
            activities::id.eq(&id),
            activities::municipality.eq(&m),
            activities::community_id.eq(&community),
            activities::day.eq(input.date),
            activities::title.eq(input.title.trim()),
            activities::kind.eq(&input.kind),
            activities::dimension.eq(&input.dimension),
            activities::participants.eq(input.participants),
            activities::volunteers.eq(input.volunteers),
            activities::volunteer_hours.eq(input.volunteer_hours),
            activities::partners
                .eq(serde_json::to_string(&partners).unwrap_or_else(|_| "[]".into())),
            activities::outcome.eq(input.outcome.trim()),
            activities::follow_up.eq(input.follow_up.trim()),
            activities::created_by.eq(&actor.user_id),
            activities::created_at.eq(now()),
        ))
        .execute(conn)?;
    audit_in(conn, actor, &m, "activity.create", "activity", &id)?;
    let filter = ActivityFilter {
        community: Some(community.to_string()),
        ..Default::default()
    };
    list_activities(conn, actor, &filter)?
        .into_iter()
        .find(|a| a.activity.id == id)
        .ok_or(DomainError::NotFound)
}

cus_db::text_enum! {
    /// How the activity log is sorted (`?sort=`).
    pub enum ActivitySort {
        /// The latest day first.
        Newest = "newest",
        /// The earliest day first.
        Oldest = "oldest",
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
pub struct ActivityFilter {
    #[param(value_type = Option<cus_db::openapi::CivilDate>)]
    pub from: Option<NaiveDate>,
    #[param(value_type = Option<cus_db::openapi::CivilDate>)]
    pub to: Option<NaiveDate>,
    #[param(value_type = Option<ActivityKind>)]
    pub kind: Option<String>,
    #[param(value_type = Option<Dimension>)]
    pub dimension: Option<String>,
    /// A community's id or name.
    pub community: Option<String>,
    #[param(required = false, value_type = ActivitySort, inline)]
    pub sort: Option<String>,
}

/// Every activity of the staff member's municipality that `f` asks for,
/// sorted (the CSV, continuity).
pub fn list_activities(
    conn: &mut DbConn,
    actor: &Actor,
    f: &ActivityFilter,
) -> DomainResult<Vec<ActivityView>> {
    Ok(select_activities(conn, actor, f, None)?.0)
}

/// One page of the activities of the staff member's municipality that `f`
/// asks for, and how many in all.
pub fn find_activities(
    conn: &mut DbConn,
    actor: &Actor,
    f: &ActivityFilter,
    paging: &Paging,
) -> DomainResult<(Vec<ActivityView>, i64)> {
    select_activities(conn, actor, f, Some(paging))
}

/// The activities `f` asks for, sorted: one page of them (`paging`) or
/// every one; and how many match in all.
fn select_activities(
    conn: &mut DbConn,
    actor: &Actor,
    f: &ActivityFilter,
    paging: Option<&Paging>,
) -> DomainResult<(Vec<ActivityView>, i64)> {
    let m = staff_of(actor)?;
    let window = paging.map(Paging::window).transpose()?;
    // PostgreSQL keeps no date before 4713 BC: refuse what no log holds.
    let mut check = Check::new();
    for (field, day) in [("from", f.from), ("to", f.to)] {
        if let Some(Err(why)) = day.map(cus_db::bounds::check_date) {
            check.fail(field, why);
        }
    }
    check.finish()?;
    let sort = cus_db::todo::choice(&f.sort, "sort")?.unwrap_or(ActivitySort::Newest);
    let scope = || {
        let mut q = activities::table
            .inner_join(communities::table)
            .filter(activities::municipality.eq(m.clone()))
            .into_boxed();
        if let Some(d) = f.from {
            q = q.filter(activities::day.ge(d));
        }
        if let Some(d) = f.to {
            q = q.filter(activities::day.le(d));
        }
        if let Some(k) = f.kind.clone().filter(|k| !k.is_empty()) {
            q = q.filter(activities::kind.eq(k));
        }
        if let Some(d) = f.dimension.clone().filter(|d| !d.is_empty()) {
            q = q.filter(activities::dimension.eq(d));
        }
        if let Some(c) = f.community.clone().filter(|c| !c.is_empty()) {
            q = q.filter(communities::id.eq(c.clone()).or(communities::name.eq(c)));
        }
        q
    };
    let q = scope().select((
        activities::id,
        activities::community_id,
        communities::name,
        activities::day,
        activities::title,
        activities::kind,
        activities::dimension,
        activities::participants,
        activities::volunteers,
        activities::volunteer_hours,
        activities::partners,
        activities::outcome,
        activities::follow_up,
    ));
    let q = match sort {
        ActivitySort::Newest => q.order((
            activities::day.desc(),
            activities::created_at.desc(),
            activities::id,
        )),
        ActivitySort::Oldest => q.order((activities::day, activities::created_at, activities::id)),
    };
    let (rows, total): (Vec<Activity>, i64) = match window {
        Some(w) => (w.of(q).load(conn)?, scope().count().get_result(conn)?),
        None => {
            let rows: Vec<Activity> = q.load(conn)?;
            let total = rows.len() as i64;
            (rows, total)
        }
    };
    let views = rows
        .into_iter()
        .map(|a| ActivityView {
            partners: serde_json::from_str(&a.partners_json).unwrap_or_default(),
            activity: a,
        })
        .collect();
    Ok((views, total))
}

/// A cell a spreadsheet would read as a formula gets a leading apostrophe
/// (CSV injection).
fn cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// The filtered log as CSV (UTF-8 with a header row).
pub fn activities_csv(list: &[ActivityView]) -> String {
    let mut w = csv::Writer::from_writer(vec![]);
    let _ = w.write_record([
        "date",
        "community",
        "title",
        "kind",
        "dimension",
        "participants",
        "volunteers",
        "volunteer_hours",
        "partners",
        "outcome",
        "follow_up",
    ]);
    for a in list {
        let x = &a.activity;
        let _ = w.write_record([
            x.date.to_string(),
            cell(&x.community),
            cell(&x.title),
            x.kind.clone(),
            x.dimension.clone(),
            x.participants.to_string(),
            x.volunteers.to_string(),
            x.volunteer_hours.to_string(),
            cell(&a.partners.join("; ")),
            cell(&x.outcome),
            cell(&x.follow_up),
        ]);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineEntry {
    pub date: NaiveDate,
    pub title: String,
    pub kind: String,
    pub dimension: String,
    /// Nothing else in the community within 60 days either side, and no
    /// follow-up planned: a one-off event.
    pub one_off: bool,
    /// Days since the previous activity in the community.
    pub gap_days: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommunityContinuity {
    pub community_id: CommunityId,
    pub community: String,
    pub activities: usize,
    pub one_off: usize,
    /// Months with at least one activity, out of the months from the first
    /// to the last (or to today).
    pub active_months: usize,
    pub span_months: usize,
    pub longest_gap_days: i64,
    pub timeline: Vec<TimelineEntry>,
}

#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct MonthTotal {
    pub month: String,
    pub activities: i64,
    pub participants: i64,
    pub volunteers: i64,
    pub volunteer_hours: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Continuity {
    pub communities: Vec<CommunityContinuity>,
    pub months: Vec<MonthTotal>,
}

fn month_index(d: NaiveDate) -> i32 {
    d.year() * 12 + d.month0() as i32
}

/// Continuity of the filtered log: per community a timeline with one-off
/// events marked, and monthly totals.
pub fn continuity(list: &[ActivityView]) -> Continuity {
    let mut by_community: BTreeMap<(String, CommunityId), Vec<&Activity>> = BTreeMap::new();
    let mut months: BTreeMap<String, MonthTotal> = BTreeMap::new();
    for a in list {
        let x = &a.activity;
        by_community
            .entry((x.community.clone(), x.community_id.clone()))
            .or_default()
            .push(x);
        let key = format!("{:04}-{:02}", x.date.year(), x.date.month());
        let t = months.entry(key.clone()).or_insert_with(|| MonthTotal {
            month: key,
            ..Default::default()
        });
        t.activities += 1;
        t.participants += i64::from(x.participants);
        t.volunteers += i64::from(x.volunteers);
        t.volunteer_hours += i64::from(x.volunteer_hours);
    }
    let communities = by_community
        .into_iter()
        .map(|((name, id), mut acts)| {
            acts.sort_by_key(|a| a.date);
            let timeline: Vec<TimelineEntry> = acts
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let prev = i.checked_sub(1).map(|j| (a.date - acts[j].date).num_days());
                    let next = acts.get(i + 1).map(|n| (n.date - a.date).num_days());
                    let alone = prev.is_none_or(|g| g > ONE_OFF_DAYS)
                        && next.is_none_or(|g| g > ONE_OFF_DAYS);
                    TimelineEntry {
                        date: a.date,
                        title: a.title.clone(),
                        kind: a.kind.clone(),
                        dimension: a.dimension.clone(),
                        one_off: alone && a.follow_up.trim().is_empty(),
                        gap_days: prev,
                    }
                })
                .collect();
            let first = acts.first().map(|a| a.date).unwrap_or_else(today);
            let last = acts.last().map(|a| a.date).unwrap_or_else(today);
            let active: std::collections::BTreeSet<i32> =
                acts.iter().map(|a| month_index(a.date)).collect();
            CommunityContinuity {
                community_id: id,
                community: name,
                activities: acts.len(),
                one_off: timeline.iter().filter(|t| t.one_off).count(),
                active_months: active.len(),
                span_months: (month_index(last) - month_index(first) + 1).max(1) as usize,
                longest_gap_days: timeline
                    .iter()
                    .filter_map(|t| t.gap_days)
                    .max()
                    .unwrap_or(0),
                timeline,
            }
        })
        .collect();
    Continuity {
        communities,
        months: months.into_values().collect(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_cells_never_start_a_formula() {
        assert_eq!(super::cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(super::cell("-5"), "'-5");
        assert_eq!(super::cell("Spotkanie"), "Spotkanie");
    }
}
