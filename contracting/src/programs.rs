//! The cooperation program with NGOs (program współpracy), annual or
//! multi-year: drafted by the organizer, consulted with NGOs, submitted to
//! the council, adopted or rejected by resolution (UDPP art. 5a).

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use cus_db::audit::audit_in;
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{
    agreements, competitions, offers, organizations, program_comments, programs, reports, tranches,
    users,
};
use cus_db::{new_id, now, today, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

use crate::competitions::CompetitionStatus;
use crate::organizations::OrganizationId;
use crate::{check_money, from_json_list, to_json};
pub use cus_db::ids::CooperationProgramId;
use cus_db::{Lifecycle, TextEnum};

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = programs)]
pub struct ProgramRow {
    pub id: CooperationProgramId,
    pub municipality: String,
    pub title: String,
    pub year_from: i32,
    pub year_to: i32,
    pub goals: String,
    #[serde(skip)]
    pub priorities: String,
    pub forms: String,
    #[serde(skip)]
    pub yearly_funds: String,
    pub budget_grosze: i64,
    pub competition_rules: String,
    pub status: ProgramStatus,
    pub consultation_until: Option<NaiveDate>,
    pub resolution_number: Option<String>,
    pub resolution_date: Option<NaiveDate>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
}

cus_db::text_enum! {
    /// A cooperation program's status, and the targets of a transition:
    /// draft → consultation → submitted → adopted | rejected; rejected → draft.
    pub enum ProgramStatus {
        Draft = "draft",
        Consultation = "consultation",
        Submitted = "submitted",
        Adopted = "adopted",
        Rejected = "rejected",
    }
}

impl Lifecycle for ProgramStatus {
    fn moves(self) -> &'static [Self] {
        use ProgramStatus::*;
        match self {
            Draft => &[Consultation],
            Consultation => &[Submitted],
            Submitted => &[Adopted, Rejected],
            Rejected => &[Draft],
            Adopted => &[],
        }
    }
}

impl ProgramStatus {
    /// Who makes the move into `self`: only the council adopts or rejects,
    /// with its resolution's number and date; the organizer does the rest.
    pub fn mover(self) -> &'static [Role] {
        match self {
            ProgramStatus::Adopted | ProgramStatus::Rejected => &[Role::Council],
            ProgramStatus::Draft | ProgramStatus::Consultation | ProgramStatus::Submitted => {
                &[Role::Organizer]
            }
        }
    }

    /// Whether the move records the council's resolution.
    pub fn decides(self) -> bool {
        matches!(self, ProgramStatus::Adopted | ProgramStatus::Rejected)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct YearFunds {
    #[schema(minimum = 2000, maximum = 2104)]
    pub year: i32,
    #[schema(minimum = 0, maximum = 1e12)]
    pub amount_grosze: i64,
}

#[derive(Debug, Clone, Serialize, Queryable, ToSchema)]
pub struct Comment {
    pub id: String,
    pub author: String,
    pub organization_id: Option<OrganizationId>,
    pub body: String,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Program {
    #[serde(flatten)]
    pub row: ProgramRow,
    pub priorities: Vec<String>,
    pub yearly_funds: Vec<YearFunds>,
    pub currency: &'static str,
    /// UDPP art. 5a: adopted by 30 November of the year before it starts.
    pub adoption_deadline: NaiveDate,
    /// Not adopted and the deadline is within 30 days or past.
    pub deadline_warning: bool,
    pub comments: Vec<Comment>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramInput {
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    #[schema(minimum = 2000, maximum = 2100)]
    pub year_from: i32,
    /// From `year_from`, at most 5 years in all.
    #[schema(minimum = 2000, maximum = 2104)]
    pub year_to: i32,
    #[serde(default)]
    #[schema(max_length = 10_000)]
    pub goals: String,
    /// At least one that is not blank.
    #[schema(min_items = 1, max_items = 50)]
    pub priorities: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 10_000)]
    pub forms: String,
    /// Planned funds per year (each year of the program at most once);
    /// when given, the budget is their sum.
    #[serde(default)]
    #[schema(max_items = 5)]
    pub yearly_funds: Vec<YearFunds>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1e12)]
    pub budget_grosze: Option<i64>,
    /// How competitions are announced and commissions work.
    #[serde(default)]
    #[schema(max_length = 10_000)]
    pub competition_rules: String,
    #[serde(default)]
    #[schema(value_type = Option<cus_db::openapi::Currency>)]
    pub currency: Option<String>,
}

fn adoption_deadline(year_from: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year_from - 1, 11, 30).expect("30 November exists")
}

pub fn create(conn: &mut DbConn, actor: &Actor, input: ProgramInput) -> DomainResult<Program> {
    actor.require(&[Role::Organizer])?;
    let municipality = actor.home()?.to_string();
    let mut check = Check::new();
    check.text("title", &input.title, 1, 300);
    check.text("goals", &input.goals, 0, 10_000);
    check.text("forms", &input.forms, 0, 10_000);
    check.text("competition_rules", &input.competition_rules, 0, 10_000);
    check.require(
        (2000..=2100).contains(&input.year_from),
        "year_from",
        "error-year",
    );
    check.require(
        input.year_to >= input.year_from
            && i64::from(input.year_to) - i64::from(input.year_from) < 5,
        "year_to",
        "error-program-years",
    );
    let priorities: Vec<String> = input
        .priorities
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    check.require(
        !priorities.is_empty() && priorities.len() <= 50,
        "priorities",
        "error-required",
    );
    crate::check_currency(&mut check, &input.currency);
    check.require(
        input.yearly_funds.len() <= 5,
        "yearly_funds",
        "error-too-many",
    );
    let mut years = std::collections::BTreeSet::new();
    for (i, y) in input.yearly_funds.iter().enumerate() {
        check_money(
            &mut check,
            &format!("yearly_funds[{i}].amount_grosze"),
            y.amount_grosze,
        );
        check.require(
            (input.year_from..=input.year_to).contains(&y.year) && years.insert(y.year),
            &format!("yearly_funds[{i}].year"),
            "error-year-outside",
        );
    }
    let budget = if input.yearly_funds.is_empty() {
        input.budget_grosze.unwrap_or(0)
    } else {
        let sum: i64 = input.yearly_funds.iter().fold(0, |sum, y| {
            sum.saturating_add(y.amount_grosze.clamp(0, crate::MAX_GROSZE))
        });
        if input.budget_grosze.is_some_and(|b| b != sum) {
            check.fail("budget_grosze", "error-budget-sum");
        }
        sum
    };
    check_money(&mut check, "budget_grosze", budget);
    check.finish()?;
    let id = CooperationProgramId::new();
    diesel::insert_into(programs::table)
        .values((
            programs::id.eq(&id),
            programs::municipality.eq(&municipality),
            programs::title.eq(input.title.trim()),
            programs::year_from.eq(input.year_from),
            programs::year_to.eq(input.year_to),
            programs::goals.eq(input.goals.trim()),
            programs::priorities.eq(to_json(&priorities)),
            programs::forms.eq(input.forms.trim()),
            programs::yearly_funds.eq(to_json(&input.yearly_funds)),
            programs::budget_grosze.eq(budget),
            programs::competition_rules.eq(input.competition_rules.trim()),
            programs::status.eq(ProgramStatus::Draft),
            programs::created_by.eq(&actor.user_id),
            programs::created_at.eq(now()),
            programs::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit_in(conn, actor, &municipality, "program.create", "program", &id)?;
    get(conn, actor, &id)
}

/// Programs are public documents of the municipality: every signed-in user
/// of it reads them.
pub fn get(conn: &mut DbConn, actor: &Actor, id: &CooperationProgramId) -> DomainResult<Program> {
    let row: ProgramRow = programs::table
        .find(id)
        .select(ProgramRow::as_select())
        .get_result(conn)
        .found()?;
    if !actor.sees_municipality(&row.municipality) {
        return Err(DomainError::NotFound);
    }
    let comments = program_comments::table
        .inner_join(users::table)
        .filter(program_comments::program_id.eq(id))
        .order(program_comments::created_at)
        .select((
            program_comments::id,
            users::display_name,
            program_comments::organization_id,
            program_comments::body,
            program_comments::created_at,
        ))
        .load(conn)?;
    let deadline = adoption_deadline(row.year_from);
    let warning = row.status != ProgramStatus::Adopted && (deadline - today()).num_days() <= 30;
    Ok(Program {
        priorities: from_json_list(&row.priorities),
        yearly_funds: from_json_list(&row.yearly_funds),
        currency: "PLN",
        adoption_deadline: deadline,
        deadline_warning: warning,
        comments,
        row,
    })
}

pub fn list(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<ProgramRow>> {
    Ok(programs::table
        .filter(programs::municipality.eq(actor.home()?.to_string()))
        .order(programs::year_from.desc())
        .select(ProgramRow::as_select())
        .load(conn)?)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CommentInput {
    #[schema(min_length = 1, max_length = 10_000)]
    pub body: String,
}

/// A consultation comment, while the program is under consultation.
pub fn comment(
    conn: &mut DbConn,
    actor: &Actor,
    id: &CooperationProgramId,
    input: CommentInput,
) -> DomainResult<Comment> {
    let program = get(conn, actor, id)?;
    actor.require(&[Role::Ngo, Role::Organizer])?;
    if program.row.status != ProgramStatus::Consultation {
        return Err(DomainError::conflict("error-program-not-in-consultation"));
    }
    if program.row.consultation_until.is_some_and(|d| d < today()) {
        return Err(DomainError::conflict("error-consultation-closed"));
    }
    let mut check = Check::new();
    check.text("body", &input.body, 1, 10_000);
    check.finish()?;
    let c = Comment {
        id: new_id(),
        author: actor.display_name.clone(),
        organization_id: actor.organization_id.clone(),
        body: input.body.trim().to_string(),
        created_at: now(),
    };
    diesel::insert_into(program_comments::table)
        .values((
            program_comments::id.eq(&c.id),
            program_comments::program_id.eq(id),
            program_comments::author_id.eq(&actor.user_id),
            program_comments::organization_id.eq(&c.organization_id),
            program_comments::body.eq(&c.body),
            program_comments::created_at.eq(c.created_at),
        ))
        .execute(conn)?;
    Ok(c)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramTransition {
    #[schema(value_type = ProgramStatus)]
    pub to: String,
    /// Required to adopt or reject.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub resolution_number: Option<String>,
    /// Required to adopt or reject; not in the future.
    #[serde(default, deserialize_with = "cus_db::bounds::opt_date")]
    #[schema(value_type = Option<cus_db::openapi::CivilDate>)]
    pub resolution_date: Option<NaiveDate>,
    /// When opening the consultation: its last day (default: in 14 days
    /// for a cooperation program, 21 for a social services program).
    #[serde(default, deserialize_with = "cus_db::bounds::opt_date")]
    #[schema(value_type = Option<cus_db::openapi::CivilDate>)]
    pub consultation_until: Option<NaiveDate>,
}

/// The fields a program's move carries, checked: a council decision its
/// resolution's number and a date not in the future; the opening of a
/// consultation its last day, not past (default: in `default_days`).
/// Answers that last day. Shared by the cooperation program and the social
/// services program.
pub fn check_move(
    input: &ProgramTransition,
    to: ProgramStatus,
    default_days: i64,
) -> DomainResult<NaiveDate> {
    let mut check = Check::new();
    if to.decides() {
        let number = input.resolution_number.as_deref().unwrap_or("").trim();
        check.text("resolution_number", number, 1, 100);
        match input.resolution_date {
            Some(d) => check.require(d <= today(), "resolution_date", "error-date-future"),
            None => check.fail("resolution_date", "error-required"),
        }
    }
    let until = input
        .consultation_until
        .unwrap_or_else(|| today() + chrono::Duration::days(default_days));
    if to == ProgramStatus::Consultation {
        check.require(until >= today(), "consultation_until", "error-date-past");
    }
    check.finish()?;
    Ok(until)
}

/// draft → consultation → submitted → adopted | rejected; rejected → draft.
/// Only the council adopts or rejects, with its resolution's number and date.
pub fn transition(
    conn: &mut DbConn,
    actor: &Actor,
    id: &CooperationProgramId,
    input: ProgramTransition,
) -> DomainResult<Program> {
    let program = get(conn, actor, id)?;
    // Who may move a program at all is asked before where it stands: a
    // caller with no say learns nothing of its state (403, not 409).
    if !ProgramStatus::ALL
        .iter()
        .any(|s| s.mover().contains(&actor.role))
    {
        return Err(DomainError::Forbidden);
    }
    let to = ProgramStatus::parse_field(&input.to, "to", "error-program-status")?;
    if !ProgramStatus::can_move(program.row.status, to) {
        return Err(DomainError::conflict("error-program-transition"));
    }
    actor.require(to.mover())?;
    let until = check_move(&input, to, 14)?;
    let target = programs::table.find(id);
    diesel::update(target)
        .set((programs::status.eq(to), programs::updated_at.eq(now())))
        .execute(conn)?;
    match to {
        ProgramStatus::Consultation => {
            diesel::update(target)
                .set(programs::consultation_until.eq(until))
                .execute(conn)?;
        }
        ProgramStatus::Adopted | ProgramStatus::Rejected => {
            diesel::update(target)
                .set((
                    programs::resolution_number
                        .eq(input.resolution_number.as_deref().map(str::trim)),
                    programs::resolution_date.eq(input.resolution_date),
                ))
                .execute(conn)?;
        }
        ProgramStatus::Draft | ProgramStatus::Submitted => {}
    }
    audit_in(
        conn,
        actor,
        &program.row.municipality,
        &format!("program.{to}"),
        "program",
        id,
    )?;
    get(conn, actor, id)
}

/// The annual report on the program's implementation (UDPP art. 5a ust. 3),
/// computed from the platform's own data, due to the council by 31 May.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AnnualReport {
    pub program_id: CooperationProgramId,
    pub year: i32,
    pub due_date: NaiveDate,
    pub competitions_announced: i64,
    pub competitions_resolved: i64,
    pub competitions_cancelled: i64,
    pub offers_received: i64,
    pub agreements: i64,
    pub funds_granted_grosze: i64,
    pub reports_filed: i64,
    pub organizations: Vec<String>,
    pub by_mode: BTreeMap<String, i64>,
    pub currency: &'static str,
}

pub fn annual_report(
    conn: &mut DbConn,
    actor: &Actor,
    id: &CooperationProgramId,
    year: i32,
) -> DomainResult<AnnualReport> {
    let program = get(conn, actor, id)?;
    actor.require(&[Role::Organizer, Role::Council, Role::Admin])?;
    if !(program.row.year_from..=program.row.year_to).contains(&year) {
        return Err(DomainError::field("year", "error-year-outside"));
    }
    let m = program.row.municipality.clone();
    let start = NaiveDate::from_ymd_opt(year, 1, 1).expect("date");
    let end = NaiveDate::from_ymd_opt(year, 12, 31).expect("date");
    let comps: Vec<(String, CompetitionStatus, Option<NaiveDateTime>)> = competitions::table
        .filter(competitions::municipality.eq(&m))
        .filter(competitions::status.ne(CompetitionStatus::Draft))
        .select((
            competitions::id,
            competitions::status,
            competitions::published_at,
        ))
        .load(conn)?;
    let in_year: Vec<&(String, CompetitionStatus, Option<NaiveDateTime>)> = comps
        .iter()
        .filter(|c| c.2.is_some_and(|p| p.date().year() == year))
        .collect();
    let ids: Vec<String> = in_year.iter().map(|c| c.0.clone()).collect();
    let offers_received: i64 = offers::table
        .filter(offers::competition_id.eq_any(&ids))
        .count()
        .get_result(conn)?;
    let agreements_in_year: Vec<(String, String, String)> = agreements::table
        .inner_join(organizations::table)
        .inner_join(tranches::table)
        .filter(agreements::municipality.eq(&m))
        .filter(tranches::year.eq(year))
        .filter(agreements::start_date.le(end))
        .filter(agreements::end_date.ge(start))
        .select((agreements::id, agreements::mode, organizations::name))
        .load(conn)?;
    let agreement_ids: Vec<String> = agreements_in_year.iter().map(|a| a.0.clone()).collect();
    // Summed here: SUM(bigint) is numeric on PostgreSQL.
    let granted: i64 = tranches::table
        .filter(tranches::agreement_id.eq_any(&agreement_ids))
        .filter(tranches::year.eq(year))
        .select(tranches::amount_grosze)
        .load::<i64>(conn)?
        .into_iter()
        .sum();
    let reports_filed: i64 = reports::table
        .filter(reports::agreement_id.eq_any(&agreement_ids))
        .count()
        .get_result(conn)?;
    let mut by_mode = BTreeMap::new();
    let mut orgs = std::collections::BTreeSet::new();
    for (_, mode, org) in &agreements_in_year {
        *by_mode.entry(mode.clone()).or_insert(0) += 1;
        orgs.insert(org.clone());
    }
    Ok(AnnualReport {
        program_id: id.clone(),
        year,
        due_date: NaiveDate::from_ymd_opt(year + 1, 5, 31).expect("date"),
        competitions_announced: in_year.len() as i64,
        competitions_resolved: in_year
            .iter()
            .filter(|c| c.1 == CompetitionStatus::Resolved)
            .count() as i64,
        competitions_cancelled: in_year
            .iter()
            .filter(|c| c.1 == CompetitionStatus::Cancelled)
            .count() as i64,
        offers_received,
        agreements: agreement_ids.len() as i64,
        funds_granted_grosze: granted,
        reports_filed,
        organizations: orgs.into_iter().collect(),
        by_mode,
        currency: "PLN",
    })
}
