//! A social services program's versions: drafting (goals and the planned
//! services with their yearly volume and budget), public consultation with
//! an answer to every comment, submission, the council's resolution, and
//! amendments that go through the same steps while the adopted version
//! stays frozen.

use chrono::{NaiveDate, NaiveDateTime};
use cus_db::audit::audit_in;
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{
    diagnoses, indicators, services, social_program_comments as comments,
    social_program_events as events, social_program_services as planned, social_programs,
};
use cus_db::{new_id, now, today, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;

use super::{is_insider, organizer, visible, Delivery, MAX_YEAR, MAX_YEARS, MIN_YEAR};
use contracting::programs::ProgramStatus;
use contracting::{from_json_list as json_list, to_json};
pub use cus_db::ids::{DiagnosisId, PlannedServiceId, ProgramCommentId, ProgramId};
use cus_db::Lifecycle;

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = social_programs)]
pub struct SocialProgramRow {
    pub id: ProgramId,
    pub municipality: String,
    /// The first version's id, shared by every version of the program.
    pub lineage: ProgramId,
    pub version: i32,
    /// The adopted version this one amends.
    pub amends: Option<ProgramId>,
    pub diagnosis_id: Option<DiagnosisId>,
    pub title: String,
    pub year_from: i32,
    pub year_to: i32,
    #[serde(skip)]
    pub goals: String,
    pub status: SocialProgramStatus,
    pub consultation_until: Option<NaiveDate>,
    pub resolution_number: Option<String>,
    pub resolution_date: Option<NaiveDate>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub updated_at: NaiveDateTime,
}

cus_db::text_enum! {
    /// A program version's status: the cooperation program's lifecycle, and
    /// an adopted version is superseded when its amendment is adopted.
    pub enum SocialProgramStatus {
        Draft = "draft",
        Consultation = "consultation",
        Submitted = "submitted",
        Adopted = "adopted",
        Rejected = "rejected",
        Superseded = "superseded",
    }
}

impl Lifecycle for SocialProgramStatus {
    fn moves(self) -> &'static [Self] {
        use SocialProgramStatus::*;
        match self {
            Draft => &[Consultation],
            Consultation => &[Submitted],
            Submitted => &[Adopted, Rejected],
            Rejected => &[Draft],
            Adopted => &[Superseded],
            Superseded => &[],
        }
    }
}

impl SocialProgramStatus {
    /// The cooperation program's step a move into `self` is (its checks and
    /// who makes it); superseding is the platform's, never a request's.
    pub fn as_program_step(self) -> Option<ProgramStatus> {
        match self {
            SocialProgramStatus::Draft => Some(ProgramStatus::Draft),
            SocialProgramStatus::Consultation => Some(ProgramStatus::Consultation),
            SocialProgramStatus::Submitted => Some(ProgramStatus::Submitted),
            SocialProgramStatus::Adopted => Some(ProgramStatus::Adopted),
            SocialProgramStatus::Rejected => Some(ProgramStatus::Rejected),
            SocialProgramStatus::Superseded => None,
        }
    }

    /// A version on its way to the council (one amendment at a time).
    fn under_way(self) -> bool {
        use SocialProgramStatus::*;
        matches!(self, Draft | Consultation | Submitted)
    }
}

/// What a service plans for one year of the program.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ServiceYear {
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// People to be served.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 10_000_000)]
    pub people: i64,
    /// Service hours.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100_000_000)]
    pub hours: i64,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1e12)]
    pub budget_grosze: i64,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceInput {
    /// When editing a draft: the id of a service it keeps (links from
    /// competitions and agreements follow it). New services leave it out.
    #[serde(default)]
    pub id: Option<String>,
    /// A code of the municipality's service catalogue.
    #[schema(min_length = 1, max_length = 50)]
    pub service_code: String,
    /// Who the service is for.
    #[schema(min_length = 1, max_length = 2000)]
    pub target_group: String,
    #[schema(value_type = Delivery)]
    pub delivery: String,
    /// One entry per year it runs, inside the program's years, in order.
    #[schema(min_items = 1, max_items = 10)]
    pub years: Vec<ServiceYear>,
    /// Codes of the indicator dictionary by which it is evaluated.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub indicators: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SocialProgramInput {
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    #[schema(minimum = 2000, maximum = 2100)]
    pub year_from: i32,
    /// From `year_from`, at most 10 years in all.
    #[schema(minimum = 2000, maximum = 2100)]
    pub year_to: i32,
    /// A diagnosis of the same municipality it rests on.
    #[serde(default)]
    pub diagnosis_id: Option<String>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub goals: Vec<String>,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub services: Vec<ServiceInput>,
}

/// Changes to a draft; absent fields stay. `services`, when given, replaces
/// the list (services named by `id` keep it).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SocialProgramPatch {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    #[serde(default)]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year_from: Option<i32>,
    #[serde(default)]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year_to: Option<i32>,
    /// An empty string unlinks the diagnosis.
    #[serde(default)]
    pub diagnosis_id: Option<String>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub goals: Option<Vec<String>>,
    #[serde(default)]
    #[schema(max_items = 100)]
    pub services: Option<Vec<ServiceInput>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlannedService {
    /// Stable across versions: competitions and agreements name it.
    pub id: PlannedServiceId,
    pub service_code: String,
    /// The catalogue entry's name and statutory area (absent when the entry
    /// is gone from the catalogue).
    pub service_name: Option<String>,
    pub area: Option<String>,
    pub target_group: String,
    #[schema(value_type = Delivery)]
    pub delivery: String,
    pub years: Vec<ServiceYear>,
    pub indicators: Vec<String>,
    /// The budget of all its years.
    pub budget_grosze: i64,
}

#[derive(Debug, Clone, Serialize, Queryable, ToSchema)]
pub struct HistoryEntry {
    pub version: i32,
    pub status: SocialProgramStatus,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub at: NaiveDateTime,
    pub resolution_number: Option<String>,
    pub resolution_date: Option<NaiveDate>,
}

/// A consultation comment as everyone sees it: the author's kind, never
/// their name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentView {
    pub id: ProgramCommentId,
    /// `resident`, `ngo` or `organizer`.
    pub author_kind: String,
    pub body: String,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    pub answer: Option<String>,
    pub accepted: Option<bool>,
    /// Whether the caller wrote it.
    pub mine: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VersionRef {
    pub id: ProgramId,
    pub version: i32,
    pub status: SocialProgramStatus,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SocialProgram {
    #[serde(flatten)]
    pub row: SocialProgramRow,
    pub goals: Vec<String>,
    pub services: Vec<PlannedService>,
    /// The budget of every service and year.
    pub budget_grosze: i64,
    pub currency: &'static str,
    /// Adopted, and today falls within its years.
    pub in_force: bool,
    pub comments: Vec<CommentView>,
    /// Every version's moves, oldest first.
    pub history: Vec<HistoryEntry>,
    /// Every version of the program, oldest first.
    pub versions: Vec<VersionRef>,
}

/// Loads a version the actor may see: staff and the council see every
/// version of their municipality; its residents and NGOs see versions once
/// they leave the draft (to read and comment on them in consultation).
/// Another municipality's, or a draft to an outsider, is 404.
pub fn row(conn: &mut DbConn, actor: &Actor, id: &ProgramId) -> DomainResult<SocialProgramRow> {
    let row: SocialProgramRow = social_programs::table
        .find(id)
        .select(SocialProgramRow::as_select())
        .get_result(conn)
        .found()?;
    visible(actor, &row.municipality)?;
    if !is_insider(actor) && row.status == SocialProgramStatus::Draft {
        return Err(DomainError::NotFound);
    }
    Ok(row)
}

pub fn get(conn: &mut DbConn, actor: &Actor, id: &ProgramId) -> DomainResult<SocialProgram> {
    let row = row(conn, actor, id)?;
    assemble(conn, Some(actor), row)
}

/// A version with its services, comments and history. `actor` marks the
/// caller's own comments; `None` (the public face) leaves comments out.
pub fn assemble(
    conn: &mut DbConn,
    actor: Option<&Actor>,
    row: SocialProgramRow,
) -> DomainResult<SocialProgram> {
    let services = services_of(conn, &row.id, &row.municipality)?;
    let comments = match actor {
        Some(a) => comment_views(conn, &row.id, Some(&a.user_id))?,
        None => vec![],
    };
    let history = history(conn, &row.lineage)?;
    let versions = social_programs::table
        .filter(social_programs::lineage.eq(&row.lineage))
        .order(social_programs::version)
        .select((
            social_programs::id,
            social_programs::version,
            social_programs::status,
        ))
        .load::<(ProgramId, i32, SocialProgramStatus)>(conn)?
        .into_iter()
        .filter(|v| actor.is_some_and(is_insider) || v.2 != SocialProgramStatus::Draft)
        .map(|(id, version, status)| VersionRef {
            id,
            version,
            status,
        })
        .collect();
    let year = chrono::Datelike::year(&today());
    Ok(SocialProgram {
        goals: json_list(&row.goals),
        budget_grosze: services.iter().map(|s| s.budget_grosze).sum(),
        currency: "PLN",
        in_force: row.status == SocialProgramStatus::Adopted
            && (row.year_from..=row.year_to).contains(&year),
        services,
        comments,
        history,
        versions,
        row,
    })
}

/// The planned services of a version, in their order, with the catalogue
/// entry's name and area.
pub fn services_of(
    conn: &mut DbConn,
    program_id: &ProgramId,
    municipality: &str,
) -> DomainResult<Vec<PlannedService>> {
    type Planned = (PlannedServiceId, String, String, String, String, String);
    let rows: Vec<Planned> = planned::table
        .filter(planned::program_id.eq(program_id))
        .order(planned::position)
        .select((
            planned::id,
            planned::service_code,
            planned::target_group,
            planned::delivery,
            planned::years,
            planned::indicators,
        ))
        .load(conn)?;
    let catalogue: HashMap<String, (String, String)> = services::table
        .filter(services::municipality.eq(municipality))
        .select((services::code, services::name, services::area))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(code, name, area)| (code, (name, area)))
        .collect();
    Ok(rows
        .into_iter()
        .map(|(id, code, target_group, delivery, years, indicators)| {
            let years: Vec<ServiceYear> = json_list(&years);
            let entry = catalogue.get(&code);
            PlannedService {
                id,
                service_name: entry.map(|e| e.0.clone()),
                area: entry.map(|e| e.1.clone()),
                service_code: code,
                target_group,
                delivery,
                budget_grosze: years.iter().map(|y| y.budget_grosze).sum(),
                years,
                indicators: json_list(&indicators),
            }
        })
        .collect())
}

/// Every move of every version of the program, oldest first.
pub fn history(conn: &mut DbConn, lineage: &ProgramId) -> DomainResult<Vec<HistoryEntry>> {
    Ok(events::table
        .inner_join(social_programs::table)
        .filter(social_programs::lineage.eq(lineage))
        .order((events::at, social_programs::version))
        .select((
            social_programs::version,
            events::status,
            events::at,
            events::resolution_number,
            events::resolution_date,
        ))
        .load(conn)?)
}

fn comment_views(
    conn: &mut DbConn,
    program_id: &ProgramId,
    me: Option<&str>,
) -> DomainResult<Vec<CommentView>> {
    type Row = (
        ProgramCommentId,
        String,
        String,
        String,
        NaiveDateTime,
        Option<String>,
        Option<bool>,
    );
    let rows: Vec<Row> = comments::table
        .filter(comments::program_id.eq(program_id))
        .order((comments::created_at, comments::id))
        .select((
            comments::id,
            comments::author_id,
            comments::author_kind,
            comments::body,
            comments::created_at,
            comments::answer,
            comments::accepted,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, author, author_kind, body, created_at, answer, accepted)| CommentView {
                mine: me == Some(author.as_str()),
                id,
                author_kind,
                body,
                created_at,
                answer,
                accepted,
            },
        )
        .collect())
}

/// The versions of the actor's municipality, newest first; outsiders see
/// no drafts.
pub fn list(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<SocialProgramRow>> {
    let mut q = social_programs::table
        .filter(social_programs::municipality.eq(actor.home()?.to_string()))
        .into_boxed();
    if !is_insider(actor) {
        q = q.filter(social_programs::status.ne(SocialProgramStatus::Draft));
    }
    Ok(q.order((
        social_programs::year_from.desc(),
        social_programs::lineage,
        social_programs::version.desc(),
    ))
    .select(SocialProgramRow::as_select())
    .load(conn)?)
}

/// Checks a whole version's content; every field's errors at once.
fn check_content(
    conn: &mut DbConn,
    municipality: &str,
    input: &SocialProgramInput,
) -> DomainResult<Vec<String>> {
    let mut check = Check::new();
    check.text("title", &input.title, 1, 300);
    check.require(
        (MIN_YEAR..=MAX_YEAR).contains(&input.year_from),
        "year_from",
        "error-year",
    );
    check.require(
        (MIN_YEAR..=MAX_YEAR).contains(&input.year_to)
            && input.year_to >= input.year_from
            && i64::from(input.year_to) - i64::from(input.year_from) < i64::from(MAX_YEARS),
        "year_to",
        "error-social-program-years",
    );
    let goals: Vec<String> = input
        .goals
        .iter()
        .map(|g| g.trim().to_string())
        .filter(|g| !g.is_empty())
        .collect();
    check.require(goals.len() <= 50, "goals", "error-too-many");
    for (i, g) in goals.iter().enumerate() {
        check.text(&format!("goals[{i}]"), g, 1, 2000);
    }
    if let Some(d) = input.diagnosis_id.as_deref().filter(|d| !d.is_empty()) {
        // An id that is no UUID names no diagnosis.
        let known: i64 = match DiagnosisId::parse(d) {
            Some(d) => diagnoses::table
                .find(d)
                .filter(diagnoses::municipality.eq(municipality))
                .count()
                .get_result(conn)?,
            None => 0,
        };
        check.require(known == 1, "diagnosis_id", "error-diagnosis-unknown");
    }
    check.require(input.services.len() <= 100, "services", "error-too-many");
    let catalogue: BTreeSet<String> = services::table
        .filter(services::municipality.eq(municipality))
        .select(services::code)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let dictionary: BTreeSet<String> = indicators::table
        .select(indicators::code)
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let mut ids = BTreeSet::new();
    for (i, s) in input.services.iter().enumerate() {
        let f = |name: &str| format!("services[{i}].{name}");
        if let Some(id) = &s.id {
            check.require(ids.insert(id.clone()), &f("id"), "error-duplicate");
        }
        check.require(
            catalogue.contains(s.service_code.trim()),
            &f("service_code"),
            "error-service-unknown",
        );
        check.text(&f("target_group"), &s.target_group, 1, 2000);
        check.require(
            Delivery::parse(&s.delivery).is_some(),
            &f("delivery"),
            "error-delivery",
        );
        check.require(
            !s.years.is_empty() && s.years.len() <= MAX_YEARS as usize,
            &f("years"),
            "error-required",
        );
        let mut last = None;
        for (j, y) in s.years.iter().enumerate() {
            let g = |name: &str| format!("services[{i}].years[{j}].{name}");
            check.require(
                (input.year_from..=input.year_to).contains(&y.year)
                    && last.is_none_or(|l| y.year > l),
                &g("year"),
                "error-service-year",
            );
            last = Some(y.year);
            check.require(
                (0..=10_000_000).contains(&y.people),
                &g("people"),
                "error-volume",
            );
            check.require(
                (0..=100_000_000).contains(&y.hours),
                &g("hours"),
                "error-volume",
            );
            contracting::check_money(&mut check, &g("budget_grosze"), y.budget_grosze);
        }
        check.require(s.indicators.len() <= 20, &f("indicators"), "error-too-many");
        let mut seen = BTreeSet::new();
        for (j, code) in s.indicators.iter().enumerate() {
            check.require(
                dictionary.contains(code) && seen.insert(code.clone()),
                &format!("services[{i}].indicators[{j}]"),
                "error-indicator-not-in-dictionary",
            );
        }
    }
    check.finish()?;
    Ok(goals)
}

fn insert_services(
    conn: &mut DbConn,
    program_id: &ProgramId,
    list: &[ServiceInput],
) -> DomainResult<()> {
    for (i, s) in list.iter().enumerate() {
        diesel::insert_into(planned::table)
            .values((
                planned::program_id.eq(program_id),
                planned::id.eq(s.id.clone().unwrap_or_else(new_id)),
                planned::position.eq(i as i32),
                planned::service_code.eq(s.service_code.trim()),
                planned::target_group.eq(s.target_group.trim()),
                planned::delivery.eq(&s.delivery),
                planned::years.eq(to_json(&s.years)),
                planned::indicators.eq(to_json(&s.indicators)),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn event(
    conn: &mut DbConn,
    actor: &Actor,
    program_id: &ProgramId,
    status: SocialProgramStatus,
    resolution: Option<(&str, NaiveDate)>,
) -> DomainResult<()> {
    diesel::insert_into(events::table)
        .values((
            events::id.eq(new_id()),
            events::program_id.eq(program_id),
            events::status.eq(status),
            events::actor_id.eq(&actor.user_id),
            events::resolution_number.eq(resolution.map(|r| r.0)),
            events::resolution_date.eq(resolution.map(|r| r.1)),
            events::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    mut input: SocialProgramInput,
) -> DomainResult<SocialProgram> {
    let municipality = organizer(actor)?.to_string();
    // A new program's services are new: ids are given only when editing.
    for s in &mut input.services {
        s.id = None;
    }
    let goals = check_content(conn, &municipality, &input)?;
    let id = ProgramId::new();
    diesel::insert_into(social_programs::table)
        .values((
            social_programs::id.eq(&id),
            social_programs::municipality.eq(&municipality),
            social_programs::lineage.eq(&id),
            social_programs::version.eq(1),
            social_programs::diagnosis_id
                .eq(input.diagnosis_id.as_deref().filter(|d| !d.is_empty())),
            social_programs::title.eq(input.title.trim()),
            social_programs::year_from.eq(input.year_from),
            social_programs::year_to.eq(input.year_to),
            social_programs::goals.eq(to_json(&goals)),
            social_programs::status.eq(SocialProgramStatus::Draft),
            social_programs::created_by.eq(&actor.user_id),
            social_programs::created_at.eq(now()),
            social_programs::updated_at.eq(now()),
        ))
        .execute(conn)?;
    insert_services(conn, &id, &input.services)?;
    event(conn, actor, &id, SocialProgramStatus::Draft, None)?;
    audit_in(
        conn,
        actor,
        &municipality,
        "social_program.create",
        "social_program",
        &id,
    )?;
    get(conn, actor, &id)
}

/// Edits a draft (409 once it has left the draft: an adopted version
/// changes only through an amendment).
pub fn patch(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ProgramId,
    patch: SocialProgramPatch,
) -> DomainResult<SocialProgram> {
    let current = get(conn, actor, id)?;
    organizer(actor)?;
    if current.row.status != SocialProgramStatus::Draft {
        return Err(DomainError::conflict("error-social-program-frozen"));
    }
    let own: BTreeSet<&str> = current.services.iter().map(|s| s.id.as_str()).collect();
    let services = match patch.services {
        Some(list) => {
            // Ids name this version's services; any other is refused.
            for (i, s) in list.iter().enumerate() {
                if s.id.as_deref().is_some_and(|id| !own.contains(id)) {
                    return Err(DomainError::field(
                        &format!("services[{i}].id"),
                        "error-service-unknown",
                    ));
                }
            }
            Some(list)
        }
        None => None,
    };
    let keep = services.is_none();
    let input = SocialProgramInput {
        title: patch.title.unwrap_or(current.row.title.clone()),
        year_from: patch.year_from.unwrap_or(current.row.year_from),
        year_to: patch.year_to.unwrap_or(current.row.year_to),
        diagnosis_id: match patch.diagnosis_id {
            Some(d) => Some(d).filter(|d| !d.is_empty()),
            None => current
                .row
                .diagnosis_id
                .as_ref()
                .map(DiagnosisId::to_string),
        },
        goals: patch.goals.unwrap_or(current.goals.clone()),
        services: services.unwrap_or_else(|| current.services.iter().map(as_input).collect()),
    };
    let goals = check_content(conn, &current.row.municipality, &input)?;
    diesel::update(social_programs::table.find(id))
        .set((
            social_programs::title.eq(input.title.trim()),
            social_programs::year_from.eq(input.year_from),
            social_programs::year_to.eq(input.year_to),
            social_programs::diagnosis_id.eq(&input.diagnosis_id),
            social_programs::goals.eq(to_json(&goals)),
            social_programs::updated_at.eq(now()),
        ))
        .execute(conn)?;
    if !keep || input.year_from != current.row.year_from || input.year_to != current.row.year_to {
        diesel::delete(planned::table.filter(planned::program_id.eq(id))).execute(conn)?;
        insert_services(conn, id, &input.services)?;
    }
    audit_in(
        conn,
        actor,
        &current.row.municipality,
        "social_program.edit",
        "social_program",
        id,
    )?;
    get(conn, actor, id)
}

/// Changes a draft's list of services (adding, removing): `change` gets
/// the current list, each keeping its id; the result is checked as a whole.
pub fn edit_services(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ProgramId,
    change: impl FnOnce(&mut Vec<ServiceInput>),
) -> DomainResult<SocialProgram> {
    let current = get(conn, actor, id)?;
    let mut list: Vec<ServiceInput> = current.services.iter().map(as_input).collect();
    change(&mut list);
    patch(
        conn,
        actor,
        id,
        SocialProgramPatch {
            services: Some(list),
            ..Default::default()
        },
    )
}

/// A planned service as an input that keeps its id.
pub fn as_input(s: &PlannedService) -> ServiceInput {
    ServiceInput {
        id: Some(s.id.to_string()),
        service_code: s.service_code.clone(),
        target_group: s.target_group.clone(),
        delivery: s.delivery.clone(),
        years: s.years.clone(),
        indicators: s.indicators.clone(),
    }
}

/// A move of a program: the same fields as a cooperation program's move.
pub use contracting::programs::ProgramTransition as SocialProgramTransition;

/// draft → consultation → submitted → adopted | rejected; rejected → draft.
/// The organizer submits once every comment is answered; only the council
/// adopts or rejects, with its resolution. Adopting an amendment supersedes
/// the version it amends.
pub fn transition(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ProgramId,
    input: SocialProgramTransition,
) -> DomainResult<SocialProgram> {
    let program = get(conn, actor, id)?;
    let refused = || DomainError::field("to", "error-social-program-status");
    let to = SocialProgramStatus::parse(&input.to).ok_or_else(refused)?;
    let step = to.as_program_step().ok_or_else(refused)?;
    if !SocialProgramStatus::can_move(program.row.status, to) {
        actor.require(&[Role::Organizer, Role::Council])?;
        return Err(DomainError::conflict("error-social-program-transition"));
    }
    actor.require(step.mover())?;
    let until = contracting::programs::check_move(&input, step, 21)?;
    let deciding = step.decides();
    let number = input.resolution_number.as_deref().unwrap_or("").trim();
    if to == SocialProgramStatus::Consultation && program.services.is_empty() {
        return Err(DomainError::conflict("error-social-program-empty"));
    }
    if to == SocialProgramStatus::Submitted && program.comments.iter().any(|c| c.answer.is_none()) {
        return Err(DomainError::conflict("error-comments-unanswered"));
    }
    let target = social_programs::table.find(id);
    diesel::update(target)
        .set((
            social_programs::status.eq(to),
            social_programs::updated_at.eq(now()),
        ))
        .execute(conn)?;
    match to {
        SocialProgramStatus::Consultation => {
            diesel::update(target)
                .set(social_programs::consultation_until.eq(until))
                .execute(conn)?;
        }
        SocialProgramStatus::Adopted | SocialProgramStatus::Rejected => {
            diesel::update(target)
                .set((
                    social_programs::resolution_number.eq(number),
                    social_programs::resolution_date.eq(input.resolution_date),
                ))
                .execute(conn)?;
        }
        SocialProgramStatus::Draft
        | SocialProgramStatus::Submitted
        | SocialProgramStatus::Superseded => {}
    }
    let resolution = input
        .resolution_date
        .filter(|_| deciding)
        .map(|d| (number, d));
    event(conn, actor, id, to, resolution)?;
    if to == SocialProgramStatus::Adopted {
        // One version in force: every other adopted one of the program
        // (the amended one) is superseded.
        let older: Vec<ProgramId> = social_programs::table
            .filter(social_programs::lineage.eq(&program.row.lineage))
            .filter(social_programs::id.ne(id))
            .filter(social_programs::status.eq(SocialProgramStatus::Adopted))
            .select(social_programs::id)
            .load(conn)?;
        for o in &older {
            diesel::update(social_programs::table.find(o))
                .set((
                    social_programs::status.eq(SocialProgramStatus::Superseded),
                    social_programs::updated_at.eq(now()),
                ))
                .execute(conn)?;
            event(conn, actor, o, SocialProgramStatus::Superseded, None)?;
        }
    }
    audit_in(
        conn,
        actor,
        &program.row.municipality,
        &format!("social_program.{to}"),
        "social_program",
        id,
    )?;
    get(conn, actor, id)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    #[schema(min_length = 1, max_length = 10_000)]
    pub body: String,
}

/// A consultation comment by a resident, an NGO or the organizer of the
/// municipality, while the consultation is open (409 otherwise).
pub fn comment(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ProgramId,
    input: CommentInput,
) -> DomainResult<CommentView> {
    let program = row(conn, actor, id)?;
    actor.require(&[Role::Resident, Role::Ngo, Role::Organizer])?;
    if program.status != SocialProgramStatus::Consultation {
        return Err(DomainError::conflict("error-program-not-in-consultation"));
    }
    if program.consultation_until.is_some_and(|d| d < today()) {
        return Err(DomainError::conflict("error-consultation-closed"));
    }
    let mut check = Check::new();
    check.text("body", &input.body, 1, 10_000);
    check.finish()?;
    let c = CommentView {
        id: ProgramCommentId::new(),
        author_kind: actor.role.as_str().to_string(),
        body: input.body.trim().to_string(),
        created_at: now(),
        answer: None,
        accepted: None,
        mine: true,
    };
    diesel::insert_into(comments::table)
        .values((
            comments::id.eq(&c.id),
            comments::program_id.eq(id),
            comments::author_id.eq(&actor.user_id),
            comments::author_kind.eq(&c.author_kind),
            comments::body.eq(&c.body),
            comments::created_at.eq(c.created_at),
        ))
        .execute(conn)?;
    Ok(c)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    #[schema(min_length = 1, max_length = 10_000)]
    pub answer: String,
    /// Whether the program takes the comment in.
    pub accepted: bool,
}

/// The organizer's answer to a comment, while the program is under
/// consultation (it may be revised until submission).
pub fn answer(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ProgramId,
    comment_id: &ProgramCommentId,
    input: AnswerInput,
) -> DomainResult<CommentView> {
    let program = row(conn, actor, id)?;
    organizer(actor)?;
    let exists: i64 = comments::table
        .find(comment_id)
        .filter(comments::program_id.eq(id))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        return Err(DomainError::NotFound);
    }
    if program.status != SocialProgramStatus::Consultation {
        return Err(DomainError::conflict("error-program-not-in-consultation"));
    }
    let mut check = Check::new();
    check.text("answer", &input.answer, 1, 10_000);
    check.finish()?;
    diesel::update(comments::table.find(comment_id))
        .set((
            comments::answer.eq(input.answer.trim()),
            comments::accepted.eq(input.accepted),
            comments::answered_by.eq(&actor.user_id),
            comments::answered_at.eq(now()),
        ))
        .execute(conn)?;
    comment_views(conn, id, Some(&actor.user_id))?
        .into_iter()
        .find(|c| &c.id == comment_id)
        .ok_or(DomainError::NotFound)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportItem {
    pub body: String,
    pub author_kind: String,
    pub answer: Option<String>,
    pub accepted: Option<bool>,
}

/// The consultation report: every comment with its answer, by the kind of
/// author only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsultationReport {
    pub program_id: ProgramId,
    pub title: String,
    pub version: i32,
    pub consultation_until: Option<NaiveDate>,
    pub comments: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub unanswered: usize,
    pub items: Vec<ReportItem>,
}

pub fn consultation_report(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ProgramId,
) -> DomainResult<ConsultationReport> {
    let program = row(conn, actor, id)?;
    report_of(conn, &program)
}

pub fn report_of(
    conn: &mut DbConn,
    program: &SocialProgramRow,
) -> DomainResult<ConsultationReport> {
    let items: Vec<ReportItem> = comment_views(conn, &program.id, None)?
        .into_iter()
        .map(|c| ReportItem {
            body: c.body,
            author_kind: c.author_kind,
            answer: c.answer,
            accepted: c.accepted,
        })
        .collect();
    Ok(ConsultationReport {
        program_id: program.id.clone(),
        title: program.title.clone(),
        version: program.version,
        consultation_until: program.consultation_until,
        comments: items.len(),
        accepted: items.iter().filter(|i| i.accepted == Some(true)).count(),
        rejected: items.iter().filter(|i| i.accepted == Some(false)).count(),
        unanswered: items.iter().filter(|i| i.answer.is_none()).count(),
        items,
    })
}

/// A new draft version amending the adopted one: its content copied, its
/// services keeping their ids. 409 unless the version is adopted, or while
/// another amendment of the program is under way.
pub fn amend(conn: &mut DbConn, actor: &Actor, id: &ProgramId) -> DomainResult<SocialProgram> {
    let current = get(conn, actor, id)?;
    organizer(actor)?;
    if current.row.status != SocialProgramStatus::Adopted {
        return Err(DomainError::conflict("error-social-program-not-adopted"));
    }
    let versions: Vec<(i32, SocialProgramStatus)> = social_programs::table
        .filter(social_programs::lineage.eq(&current.row.lineage))
        .select((social_programs::version, social_programs::status))
        .load(conn)?;
    if versions.iter().any(|(_, s)| s.under_way()) {
        return Err(DomainError::conflict("error-amendment-under-way"));
    }
    let version = versions.iter().map(|v| v.0).max().unwrap_or(1) + 1;
    let new = ProgramId::new();
    let r = &current.row;
    diesel::insert_into(social_programs::table)
        .values((
            social_programs::id.eq(&new),
            social_programs::municipality.eq(&r.municipality),
            social_programs::lineage.eq(&r.lineage),
            social_programs::version.eq(version),
            social_programs::amends.eq(&r.id),
            social_programs::diagnosis_id.eq(&r.diagnosis_id),
            social_programs::title.eq(&r.title),
            social_programs::year_from.eq(r.year_from),
            social_programs::year_to.eq(r.year_to),
            social_programs::goals.eq(&r.goals),
            social_programs::status.eq(SocialProgramStatus::Draft),
            social_programs::created_by.eq(&actor.user_id),
            social_programs::created_at.eq(now()),
            social_programs::updated_at.eq(now()),
        ))
        .execute(conn)?;
    let copies: Vec<ServiceInput> = current.services.iter().map(as_input).collect();
    insert_services(conn, &new, &copies)?;
    event(conn, actor, &new, SocialProgramStatus::Draft, None)?;
    audit_in(
        conn,
        actor,
        &r.municipality,
        "social_program.amend",
        "social_program",
        &new,
    )?;
    get(conn, actor, &new)
}

/// The program services of the municipality's versions that are not
/// superseded, for the competition and agreement forms:
/// `(id, "program title — service code")`, one per service id.
pub fn service_choices(
    conn: &mut DbConn,
    municipality: &str,
) -> DomainResult<Vec<(String, String)>> {
    let rows: Vec<(String, String, String, i32)> = planned::table
        .inner_join(social_programs::table)
        .filter(social_programs::municipality.eq(municipality))
        .filter(social_programs::status.ne(SocialProgramStatus::Superseded))
        .filter(social_programs::status.ne(SocialProgramStatus::Rejected))
        .order((
            social_programs::title,
            social_programs::version.desc(),
            planned::position,
        ))
        .select((
            planned::id,
            social_programs::title,
            planned::service_code,
            social_programs::version,
        ))
        .load(conn)?;
    let mut seen = BTreeSet::new();
    Ok(rows
        .into_iter()
        .filter(|r| seen.insert(r.0.clone()))
        .map(|(id, title, code, _)| (id, format!("{title} — {code}")))
        .collect())
}
