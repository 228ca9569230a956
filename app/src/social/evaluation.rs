//! Planned against actual per service and year, the yearly evaluation the
//! council receives (frozen when the organizer publishes it), and the
//! public face: programs in force, superseded ones, and their published
//! evaluations, with counts of people that could single someone out
//! withheld.

use super::programs::{PlannedServiceId, ProgramId, SocialProgramStatus};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use cus_db::audit::audit_in;
use cus_db::schema::{
    agreements, corrective_actions, indicators, municipalities, plan_items, plans, services,
    social_program_evaluations as evaluations, social_programs, tranches,
};
use cus_db::{now, today, Actor, DbConn, DomainError, DomainResult};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;

use super::programs::{self, PlannedService, SocialProgramRow};
use super::{guarded, is_insider, organizer};
use crate::assessment::{from_centi, mean, round2, Period};

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Planned {
    pub people: i64,
    pub hours: i64,
    pub budget_grosze: i64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Actual {
    /// Distinct residents with an item of the service overlapping the year
    /// in a plan that reached `approved`; `null` on the public face when it
    /// could single someone out.
    pub people: Option<i64>,
    /// The distinct families (households as they are now; a resident in
    /// none is a family of one) of those people; suppressed as people are.
    #[serde(default)]
    pub families: Option<i64>,
    /// Hours per month of those items times the months of the year they
    /// touch (as the `cost_per_service_hour` indicator counts them).
    pub hours: i64,
    /// The year's tranches of agreements naming the program service.
    pub committed_grosze: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ServiceProgress {
    pub id: PlannedServiceId,
    pub service_code: String,
    pub service_name: Option<String>,
    pub area: Option<String>,
    pub delivery: String,
    pub planned: Planned,
    pub actual: Actual,
    /// Agreements naming the service that run in the year.
    pub agreements: i64,
    #[serde(default)]
    pub suppressed: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Progress {
    pub program_id: ProgramId,
    pub year: i32,
    pub services: Vec<ServiceProgress>,
    pub currency: String,
}

/// Planned against actual for `year` of a version (staff and the council
/// of its municipality). A year outside the program is 422.
pub fn progress(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ProgramId,
    year: i32,
) -> DomainResult<Progress> {
    let row = insider_row(conn, actor, id)?;
    check_year(&row, year)?;
    compute_progress(conn, &row, year)
}

fn insider_row(conn: &mut DbConn, actor: &Actor, id: &ProgramId) -> DomainResult<SocialProgramRow> {
    let row = programs::row(conn, actor, id)?;
    if !is_insider(actor) {
        return Err(DomainError::Forbidden);
    }
    Ok(row)
}

fn check_year(row: &SocialProgramRow, year: i32) -> DomainResult<()> {
    if (row.year_from..=row.year_to).contains(&year) {
        Ok(())
    } else {
        Err(DomainError::field("year", "error-year-outside"))
    }
}

pub fn compute_progress(
    conn: &mut DbConn,
    row: &SocialProgramRow,
    year: i32,
) -> DomainResult<Progress> {
    let planned = programs::services_of(conn, &row.id, &row.municipality)?;
    progress_of(conn, row, year, planned)
}

/// Planned against actual for `year` of the version's services `planned`.
fn progress_of(
    conn: &mut DbConn,
    row: &SocialProgramRow,
    year: i32,
    planned_services: Vec<PlannedService>,
) -> DomainResult<Progress> {
    let period = Period::year(year);
    let (first, last) = (period.first_day(), period.last_day());
    let codes: Vec<String> = planned_services
        .iter()
        .map(|s| s.service_code.clone())
        .collect();
    // Items of the planned services' catalogue entries in approved plans.
    let items: Vec<(String, String, Option<i32>, NaiveDate, NaiveDate)> = plan_items::table
        .inner_join(plans::table)
        .inner_join(services::table)
        .filter(plans::municipality.eq(&row.municipality))
        .filter(plans::approved_at.is_not_null())
        .filter(services::code.eq_any(&codes))
        .filter(plan_items::start_date.le(last))
        .filter(plan_items::end_date.ge(first))
        .select((
            services::code,
            plans::resident_id,
            plan_items::hours_per_month,
            plan_items::start_date,
            plan_items::end_date,
        ))
        .load(conn)?;
    let mut people: HashMap<String, BTreeSet<String>> = HashMap::new();
    let mut hours: HashMap<String, i64> = HashMap::new();
    for (code, resident, per_month, from, to) in items {
        *hours.entry(code.clone()).or_default() +=
            i64::from(per_month.unwrap_or(0)) * period.months_touched(from, to);
        people.entry(code).or_default().insert(resident);
    }
    let families = crate::social_work::households::Families::load(conn, Some(&row.municipality))?;
    let ids: Vec<PlannedServiceId> = planned_services.iter().map(|s| s.id.clone()).collect();
    let money: Vec<(Option<PlannedServiceId>, i64)> = tranches::table
        .inner_join(agreements::table)
        .filter(agreements::municipality.eq(&row.municipality))
        .filter(agreements::program_service_id.eq_any(&ids))
        .filter(tranches::year.eq(year))
        .select((agreements::program_service_id, tranches::amount_grosze))
        .load(conn)?;
    let mut committed: HashMap<PlannedServiceId, (i64, i64)> = HashMap::new();
    for (service, amount) in money {
        if let Some(s) = service {
            let e = committed.entry(s).or_default();
            e.0 += amount;
            e.1 += 1;
        }
    }
    let services = planned_services
        .into_iter()
        .map(|s: PlannedService| {
            let plan = s.years.iter().find(|y| y.year == year);
            let (money, agreements) = committed.get(&s.id).copied().unwrap_or_default();
            ServiceProgress {
                planned: Planned {
                    people: plan.map_or(0, |p| p.people),
                    hours: plan.map_or(0, |p| p.hours),
                    budget_grosze: plan.map_or(0, |p| p.budget_grosze),
                },
                actual: Actual {
                    people: Some(people.get(&s.service_code).map_or(0, |p| p.len() as i64)),
                    families: Some(
                        people
                            .get(&s.service_code)
                            .map_or(0, |p| families.count(p.iter().map(String::as_str))),
                    ),
                    hours: hours.get(&s.service_code).copied().unwrap_or(0),
                    committed_grosze: money,
                },
                agreements,
                suppressed: vec![],
                id: s.id,
                service_code: s.service_code,
                service_name: s.service_name,
                area: s.area,
                delivery: s.delivery,
            }
        })
        .collect();
    Ok(Progress {
        program_id: row.id.clone(),
        year,
        services,
        currency: "PLN".to_string(),
    })
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IndicatorOutcome {
    pub code: String,
    pub name: String,
    pub unit: String,
    /// The program service it evaluates.
    pub service_id: PlannedServiceId,
    pub target: Option<f64>,
    /// The municipality's assessed value for the year; for an indicator
    /// about agreements only, the mean over the agreements naming the
    /// service. `null` when not assessed (or withheld).
    pub value: Option<f64>,
    /// Whether the value meets the target in the indicator's direction.
    pub met: Option<bool>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CorrectiveRef {
    pub id: String,
    pub indicator: String,
    /// The indicator's name (evaluations published before it was kept
    /// show the code).
    #[serde(default)]
    pub indicator_name: String,
    pub period: String,
    pub title: String,
    pub status: String,
    pub due_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ConsultationSummary {
    pub comments: usize,
    pub accepted: usize,
    pub rejected: usize,
}

/// The yearly evaluation of a program version, as the council receives it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Evaluation {
    pub program_id: ProgramId,
    pub title: String,
    pub version: i32,
    pub year: i32,
    pub services: Vec<ServiceProgress>,
    pub indicators: Vec<IndicatorOutcome>,
    pub corrective_actions: Vec<CorrectiveRef>,
    pub history: Vec<HistoryOut>,
    pub consultation: ConsultationSummary,
    pub planned_budget_grosze: i64,
    pub committed_grosze: i64,
    pub currency: String,
    /// Whether this is the published (frozen) report.
    #[serde(default)]
    pub published: bool,
    /// RFC 3339.
    #[serde(default)]
    pub published_at: Option<String>,
    /// RFC 3339: when the figures were computed.
    pub computed_at: String,
}

/// A move of the program (any version), as a frozen report keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HistoryOut {
    pub version: i32,
    pub status: SocialProgramStatus,
    /// RFC 3339.
    pub at: String,
    pub resolution_number: Option<String>,
    pub resolution_date: Option<NaiveDate>,
}

fn rfc3339(t: NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The evaluation of `year`: the published one when there is one, else
/// computed now.
pub fn evaluation(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ProgramId,
    year: i32,
) -> DomainResult<Evaluation> {
    let row = insider_row(conn, actor, id)?;
    check_year(&row, year)?;
    match published(conn, id, year)? {
        Some(e) => Ok(e),
        None => compute_evaluation(conn, &row, year),
    }
}

fn published(conn: &mut DbConn, id: &ProgramId, year: i32) -> DomainResult<Option<Evaluation>> {
    let stored: Option<(String, NaiveDateTime)> = evaluations::table
        .find((id, year))
        .select((evaluations::report, evaluations::published_at))
        .first(conn)
        .optional()?;
    Ok(stored.and_then(frozen))
}

/// A published evaluation read back from its stored report.
fn frozen((text, at): (String, NaiveDateTime)) -> Option<Evaluation> {
    let mut e: Evaluation = serde_json::from_str(&text).ok()?;
    e.published = true;
    e.published_at = Some(rfc3339(at));
    Some(e)
}

pub fn compute_evaluation(
    conn: &mut DbConn,
    row: &SocialProgramRow,
    year: i32,
) -> DomainResult<Evaluation> {
    let planned_services = programs::services_of(conn, &row.id, &row.municipality)?;
    let progress = progress_of(conn, row, year, planned_services.clone())?;
    let period = year.to_string();
    let dictionary: HashMap<String, (String, String, bool, Option<i64>)> = indicators::table
        .select((
            indicators::code,
            indicators::name,
            indicators::unit,
            indicators::higher_is_better,
            indicators::target_centi,
        ))
        .load::<(String, String, String, bool, Option<i64>)>(conn)?
        .into_iter()
        .map(|(c, n, u, h, t)| (c, (n, u, h, t)))
        .collect();
    let codes: BTreeSet<String> = planned_services
        .iter()
        .flat_map(|s| s.indicators.iter().cloned())
        .collect();
    let codes: Vec<String> = codes.into_iter().collect();
    let own = [row.municipality.clone()];
    let results: Vec<(String, String, String, Option<i64>)> = crate::assessment::runs::load(
        conn,
        crate::assessment::runs::Select {
            municipalities: Some(&own),
            periods: Some(std::slice::from_ref(&period)),
            indicators: Some(&codes),
            latest: true,
            ..Default::default()
        },
    )?
    .into_iter()
    .map(|r| (r.indicator, r.subject_type, r.subject_id, r.value_centi))
    .collect();
    let naming: Vec<(String, Option<PlannedServiceId>)> = agreements::table
        .filter(agreements::municipality.eq(&row.municipality))
        .filter(agreements::program_service_id.is_not_null())
        .select((agreements::id, agreements::program_service_id))
        .load(conn)?;
    let mut indicators_out = vec![];
    for s in &planned_services {
        let of_service: BTreeSet<&str> = naming
            .iter()
            .filter(|(_, p)| p.as_ref() == Some(&s.id))
            .map(|(a, _)| a.as_str())
            .collect();
        for code in &s.indicators {
            let Some((name, unit, higher, target)) = dictionary.get(code) else {
                continue;
            };
            let municipal = results
                .iter()
                .find(|r| &r.0 == code && r.1 == "municipality")
                .and_then(|r| r.3.map(from_centi));
            let value = municipal.or_else(|| {
                let values: Vec<f64> = results
                    .iter()
                    .filter(|r| &r.0 == code && r.1 == "agreement")
                    .filter(|r| of_service.contains(r.2.as_str()))
                    .filter_map(|r| r.3.map(from_centi))
                    .collect();
                mean(&values).map(round2)
            });
            let target = target.map(from_centi);
            indicators_out.push(IndicatorOutcome {
                code: code.clone(),
                name: name.clone(),
                unit: unit.clone(),
                service_id: s.id.clone(),
                met: match (value, target) {
                    (Some(v), Some(t)) => Some(if *higher { v >= t } else { v <= t }),
                    _ => None,
                },
                target,
                value,
            });
        }
    }
    let actions: Vec<(String, String, String, String, String, NaiveDate)> =
        corrective_actions::table
            .filter(corrective_actions::municipality.eq(&row.municipality))
            .filter(corrective_actions::indicator.eq_any(&codes))
            .order(corrective_actions::created_at)
            .select((
                corrective_actions::id,
                corrective_actions::indicator,
                corrective_actions::period,
                corrective_actions::title,
                corrective_actions::status,
                corrective_actions::due_date,
            ))
            .load(conn)?;
    let indicator_names: std::collections::HashMap<String, String> = indicators::table
        .select((indicators::code, indicators::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let corrective = actions
        .into_iter()
        .filter(|a| Period::parse(&a.2).is_some_and(|p| p.calendar_year() == year))
        .map(
            |(id, indicator, period, title, status, due_date)| CorrectiveRef {
                id,
                indicator_name: indicator_names
                    .get(&indicator)
                    .cloned()
                    .unwrap_or_else(|| indicator.clone()),
                indicator,
                period,
                title,
                status,
                due_date,
            },
        )
        .collect();
    let history = programs::history(conn, &row.lineage)?;
    let report = programs::report_of(conn, row)?;
    Ok(Evaluation {
        program_id: row.id.clone(),
        title: row.title.clone(),
        version: row.version,
        year,
        planned_budget_grosze: progress
            .services
            .iter()
            .map(|s| s.planned.budget_grosze)
            .sum(),
        committed_grosze: progress
            .services
            .iter()
            .map(|s| s.actual.committed_grosze)
            .sum(),
        services: progress.services,
        indicators: indicators_out,
        corrective_actions: corrective,
        history: history
            .into_iter()
            .map(|h| HistoryOut {
                version: h.version,
                status: h.status,
                at: rfc3339(h.at),
                resolution_number: h.resolution_number,
                resolution_date: h.resolution_date,
            })
            .collect(),
        consultation: ConsultationSummary {
            comments: report.comments,
            accepted: report.accepted,
            rejected: report.rejected,
        },
        currency: "PLN".to_string(),
        published: false,
        published_at: None,
        computed_at: rfc3339(now()),
    })
}

/// Freezes the evaluation of a year that has ended, of a version the
/// council adopted (or that a later amendment superseded). A second
/// publication is 409.
pub fn publish(
    conn: &mut DbConn,
    actor: &Actor,
    id: &ProgramId,
    year: i32,
) -> DomainResult<Evaluation> {
    let row = insider_row(conn, actor, id)?;
    organizer(actor)?;
    check_year(&row, year)?;
    if !matches!(
        row.status,
        SocialProgramStatus::Adopted | SocialProgramStatus::Superseded
    ) {
        return Err(DomainError::conflict("error-social-program-not-adopted"));
    }
    if year >= today().year() {
        return Err(DomainError::conflict("error-year-not-over"));
    }
    if published(conn, id, year)?.is_some() {
        return Err(DomainError::conflict("error-evaluation-published"));
    }
    let report = compute_evaluation(conn, &row, year)?;
    diesel::insert_into(evaluations::table)
        .values((
            evaluations::program_id.eq(id),
            evaluations::year.eq(year),
            evaluations::report.eq(serde_json::to_string(&report).unwrap_or_default()),
            evaluations::published_by.eq(&actor.user_id),
            evaluations::published_at.eq(now()),
        ))
        .execute(conn)?;
    audit_in(
        conn,
        actor,
        &row.municipality,
        "social_program.evaluate",
        "social_program",
        id,
    )?;
    evaluation(conn, actor, id, year)
}

/// A program as the public sees it: no comments' authors, no people.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicProgram {
    pub id: ProgramId,
    pub municipality: String,
    pub municipality_name: String,
    pub title: String,
    pub version: i32,
    pub year_from: i32,
    pub year_to: i32,
    /// `adopted` or `superseded`.
    pub status: SocialProgramStatus,
    pub superseded: bool,
    pub in_force: bool,
    pub resolution_number: Option<String>,
    pub resolution_date: Option<NaiveDate>,
    pub goals: Vec<String>,
    pub services: Vec<PlannedService>,
    pub budget_grosze: i64,
    /// Published evaluations, counts of people withheld below the
    /// assessment's minimum group.
    pub evaluations: Vec<Evaluation>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub adopted_at: NaiveDateTime,
}

/// Adopted and superseded versions of every municipality (or one), newest
/// adoption first, with their published evaluations.
pub fn public_list(
    conn: &mut DbConn,
    municipality: Option<&str>,
    min_group: i64,
) -> DomainResult<Vec<PublicProgram>> {
    let mut q = social_programs::table
        .inner_join(municipalities::table)
        .filter(social_programs::status.eq_any([
            SocialProgramStatus::Adopted,
            SocialProgramStatus::Superseded,
        ]))
        .into_boxed();
    if let Some(m) = municipality {
        q = q.filter(social_programs::municipality.eq(m.to_string()));
    }
    let rows: Vec<(SocialProgramRow, String)> = q
        .order((social_programs::updated_at.desc(), social_programs::id))
        .select((SocialProgramRow::as_select(), municipalities::name))
        .load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (row, municipality_name) in rows {
        let program = programs::assemble(conn, None, row)?;
        let adopted_at = program
            .history
            .iter()
            .rev()
            .find(|h| h.status == SocialProgramStatus::Adopted && h.version == program.row.version)
            .map_or(program.row.updated_at, |h| h.at);
        let stored: Vec<(String, NaiveDateTime)> = evaluations::table
            .filter(evaluations::program_id.eq(&program.row.id))
            .order(evaluations::year)
            .select((evaluations::report, evaluations::published_at))
            .load(conn)?;
        let mut evaluations_out = vec![];
        for report in stored {
            if let Some(mut e) = frozen(report) {
                for s in &mut e.services {
                    if let Some(n) = s.actual.people {
                        s.actual.people = guarded(n, min_group);
                        if s.actual.people.is_none() {
                            s.suppressed.push("actual.people".to_string());
                        }
                    }
                    if let Some(n) = s.actual.families {
                        s.actual.families = guarded(n, min_group);
                        if s.actual.families.is_none() {
                            s.suppressed.push("actual.families".to_string());
                        }
                    }
                }
                evaluations_out.push(e);
            }
        }
        let r = &program.row;
        out.push(PublicProgram {
            id: r.id.clone(),
            municipality: r.municipality.clone(),
            municipality_name,
            title: r.title.clone(),
            version: r.version,
            year_from: r.year_from,
            year_to: r.year_to,
            status: r.status,
            superseded: r.status == SocialProgramStatus::Superseded,
            in_force: program.in_force,
            resolution_number: r.resolution_number.clone(),
            resolution_date: r.resolution_date,
            goals: program.goals.clone(),
            budget_grosze: program.budget_grosze,
            services: program.services.clone(),
            evaluations: evaluations_out,
            adopted_at,
        });
    }
    Ok(out)
}
