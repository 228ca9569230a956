//! The diagnosis of the community's needs and potential (CUS act art. 4):
//! needs and potential written by the organizer, and figures computed from
//! the platform's records for the diagnosis period, each with the period and
//! the query it came from. Recomputed on every read while a draft, frozen
//! when published.

use crate::plans::PlanStatus;
use crate::window::RequestStatus;
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use contracting::agreements::AgreementStatus;
use cus_db::audit::audit_in;
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{
    activities, agreements, communities, diagnoses, plan_events, plan_items, plans, requests,
    residents, services, survey_responses, surveys,
};
use cus_db::{now, Actor, DbConn, DomainError, DomainResult};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;

use super::{guarded, is_insider, organizer, visible};
use crate::assessment::{from_centi, Period};
pub use cus_db::ids::DiagnosisId;

/// One computed figure. `data`'s shape depends on `key`; counts of people
/// or of their cases that could single someone out are `null`, and what
/// was withheld is named in `suppressed`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Figure {
    pub key: String,
    /// In the reader's language.
    #[serde(default)]
    pub label: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// The records and the rule the figure was computed by.
    pub source: String,
    /// A map of counts, or a list of rows (`places_used`,
    /// `activities_by_community`, `surveys`, `indicator_values`).
    pub data: Value,
    #[serde(default)]
    pub suppressed: Vec<String>,
}

cus_db::text_enum! {
    /// A diagnosis is drafted, then published (frozen) for the program.
    pub enum DiagnosisStatus {
        Draft = "draft",
        Published = "published",
    }
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = diagnoses)]
pub struct DiagnosisRow {
    pub id: DiagnosisId,
    pub municipality: String,
    pub title: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub needs: String,
    pub potential: String,
    pub status: DiagnosisStatus,
    #[serde(skip)]
    pub figures: Option<String>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub updated_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    pub published_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Diagnosis {
    #[serde(flatten)]
    pub row: DiagnosisRow,
    /// Whether `figures` are frozen (published) or computed now.
    pub frozen: bool,
    pub figures: Vec<Figure>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnosisInput {
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    #[serde(deserialize_with = "cus_db::bounds::date")]
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub period_from: NaiveDate,
    /// Not before `period_from`, at most 10 years later.
    #[serde(deserialize_with = "cus_db::bounds::date")]
    #[schema(value_type = cus_db::openapi::CivilDate)]
    pub period_to: NaiveDate,
    /// The community's needs: residents' groups and their numbers, waiting
    /// lists, what is missing.
    #[serde(default)]
    #[schema(max_length = 50_000)]
    pub needs: String,
    /// The community's potential: existing services and providers, its own
    /// resources.
    #[serde(default)]
    #[schema(max_length = 50_000)]
    pub potential: String,
}

/// Changes to a draft diagnosis; absent fields stay.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiagnosisPatch {
    #[serde(default)]
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "cus_db::bounds::opt_date")]
    #[schema(value_type = Option<cus_db::openapi::CivilDate>)]
    pub period_from: Option<NaiveDate>,
    #[serde(default, deserialize_with = "cus_db::bounds::opt_date")]
    #[schema(value_type = Option<cus_db::openapi::CivilDate>)]
    pub period_to: Option<NaiveDate>,
    #[serde(default)]
    #[schema(max_length = 50_000)]
    pub needs: Option<String>,
    #[serde(default)]
    #[schema(max_length = 50_000)]
    pub potential: Option<String>,
}

fn check_input(input: &DiagnosisInput) -> DomainResult<()> {
    let mut check = Check::new();
    check.text("title", &input.title, 1, 300);
    check.text("needs", &input.needs, 0, 50_000);
    check.text("potential", &input.potential, 0, 50_000);
    check.require(
        (Period::MIN_YEAR..=Period::MAX_YEAR).contains(&input.period_from.year()),
        "period_from",
        "error-year",
    );
    check.require(
        input.period_to >= input.period_from
            && input.period_to.year() - input.period_from.year() < super::MAX_YEARS
            && input.period_to.year() <= Period::MAX_YEAR,
        "period_to",
        "error-dates-order",
    );
    check.finish()
}

pub fn create(
    conn: &mut DbConn,
    actor: &Actor,
    input: DiagnosisInput,
    min_group: i64,
) -> DomainResult<Diagnosis> {
    let municipality = organizer(actor)?.to_string();
    check_input(&input)?;
    let id = DiagnosisId::new();
    diesel::insert_into(diagnoses::table)
        .values((
            diagnoses::id.eq(&id),
            diagnoses::municipality.eq(&municipality),
            diagnoses::title.eq(input.title.trim()),
            diagnoses::period_from.eq(input.period_from),
            diagnoses::period_to.eq(input.period_to),
            diagnoses::needs.eq(input.needs.trim()),
            diagnoses::potential.eq(input.potential.trim()),
            diagnoses::status.eq(DiagnosisStatus::Draft),
            diagnoses::created_by.eq(&actor.user_id),
            diagnoses::created_at.eq(now()),
            diagnoses::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit_in(
        conn,
        actor,
        &municipality,
        "diagnosis.create",
        "diagnosis",
        &id,
    )?;
    get(conn, actor, &id, min_group)
}

/// The translation key of a figure's label (`requests_by_area` →
/// `figure-requests-by-area`).
pub fn label_key(key: &str) -> String {
    format!("figure-{}", key.replace('_', "-"))
}

fn row(conn: &mut DbConn, actor: &Actor, id: &DiagnosisId) -> DomainResult<DiagnosisRow> {
    let row: DiagnosisRow = diagnoses::table
        .find(id)
        .select(DiagnosisRow::as_select())
        .get_result(conn)
        .found()?;
    visible(actor, &row.municipality)?;
    // A published diagnosis is a public document of the municipality; a
    // draft is the center's and the council's.
    if !is_insider(actor) && row.status != DiagnosisStatus::Published {
        return Err(DomainError::NotFound);
    }
    Ok(row)
}

/// A diagnosis with its figures: computed now while a draft, as frozen once
/// published; labels in the reader's language.
pub fn get(
    conn: &mut DbConn,
    actor: &Actor,
    id: &DiagnosisId,
    min_group: i64,
) -> DomainResult<Diagnosis> {
    let row = row(conn, actor, id)?;
    let (frozen, figures) = match &row.figures {
        Some(text) => (true, serde_json::from_str(text).unwrap_or_default()),
        None => (
            false,
            compute(
                conn,
                &row.municipality,
                row.period_from,
                row.period_to,
                min_group,
            )?,
        ),
    };
    Ok(Diagnosis {
        row,
        frozen,
        figures,
    })
}

pub fn list(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<DiagnosisRow>> {
    let mut q = diagnoses::table
        .filter(diagnoses::municipality.eq(actor.home()?.to_string()))
        .into_boxed();
    if !is_insider(actor) {
        q = q.filter(diagnoses::status.eq(DiagnosisStatus::Published));
    }
    Ok(q.order(diagnoses::created_at.desc())
        .select(DiagnosisRow::as_select())
        .load(conn)?)
}

/// Edits a draft; a published diagnosis is frozen (409).
pub fn patch(
    conn: &mut DbConn,
    actor: &Actor,
    id: &DiagnosisId,
    patch: DiagnosisPatch,
    min_group: i64,
) -> DomainResult<Diagnosis> {
    let current = row(conn, actor, id)?;
    organizer(actor)?;
    if current.status != DiagnosisStatus::Draft {
        return Err(DomainError::conflict("error-diagnosis-published"));
    }
    let input = DiagnosisInput {
        title: patch.title.unwrap_or(current.title),
        period_from: patch.period_from.unwrap_or(current.period_from),
        period_to: patch.period_to.unwrap_or(current.period_to),
        needs: patch.needs.unwrap_or(current.needs),
        potential: patch.potential.unwrap_or(current.potential),
    };
    check_input(&input)?;
    diesel::update(diagnoses::table.find(id))
        .set((
            diagnoses::title.eq(input.title.trim()),
            diagnoses::period_from.eq(input.period_from),
            diagnoses::period_to.eq(input.period_to),
            diagnoses::needs.eq(input.needs.trim()),
            diagnoses::potential.eq(input.potential.trim()),
            diagnoses::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit_in(
        conn,
        actor,
        &current.municipality,
        "diagnosis.edit",
        "diagnosis",
        id,
    )?;
    get(conn, actor, id, min_group)
}

/// Publishes a draft: its figures computed one last time and frozen. A
/// second publication is 409.
pub fn publish(
    conn: &mut DbConn,
    actor: &Actor,
    id: &DiagnosisId,
    min_group: i64,
) -> DomainResult<Diagnosis> {
    let current = row(conn, actor, id)?;
    organizer(actor)?;
    if current.status != DiagnosisStatus::Draft {
        return Err(DomainError::conflict("error-diagnosis-published"));
    }
    let mut figures = compute(
        conn,
        &current.municipality,
        current.period_from,
        current.period_to,
        min_group,
    )?;
    for f in &mut figures {
        f.label.clear();
    }
    diesel::update(diagnoses::table.find(id))
        .set((
            diagnoses::status.eq(DiagnosisStatus::Published),
            diagnoses::figures.eq(serde_json::to_string(&figures).ok()),
            diagnoses::published_at.eq(now()),
            diagnoses::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit_in(
        conn,
        actor,
        &current.municipality,
        "diagnosis.publish",
        "diagnosis",
        id,
    )?;
    get(conn, actor, id, min_group)
}

/// A map of counts with the ones that could single someone out withheld
/// (`null`), and their keys.
fn guarded_map(counts: BTreeMap<String, i64>, min_group: i64) -> (Value, Vec<String>) {
    let mut data = Map::new();
    let mut suppressed = vec![];
    for (key, n) in counts {
        let shown = guarded(n, min_group);
        if shown.is_none() {
            suppressed.push(key.clone());
        }
        data.insert(key, json!(shown));
    }
    (Value::Object(data), suppressed)
}

/// The rows of a list figure whose `field` counts people: `(key, count,
/// row)`; a count that could single someone out is withheld (`null`) and
/// its row's key named.
fn guarded_rows(
    rows: Vec<(String, i64, Value)>,
    field: &str,
    min_group: i64,
) -> (Value, Vec<String>) {
    let mut suppressed = vec![];
    let list: Vec<Value> = rows
        .into_iter()
        .map(|(key, n, mut row)| {
            let shown = guarded(n, min_group);
            if shown.is_none() {
                suppressed.push(key);
            }
            row[field] = json!(shown);
            row
        })
        .collect();
    (Value::Array(list), suppressed)
}

/// Every figure of a municipality's diagnosis over `from..=to`.
pub fn compute(
    conn: &mut DbConn,
    municipality: &str,
    from: NaiveDate,
    to: NaiveDate,
    min_group: i64,
) -> DomainResult<Vec<Figure>> {
    let start = from.and_hms_opt(0, 0, 0).expect("midnight");
    let end = (to + chrono::Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    let figure = |key: &str, source: &str, data: Value, suppressed: Vec<String>| Figure {
        key: key.to_string(),
        label: String::new(),
        period_from: from,
        period_to: to,
        source: source.to_string(),
        data,
        suppressed,
    };
    let mut out = vec![];

    // The period's requests, read once: by area and month, the open ones,
    // and who filed them.
    let filed: Vec<(NaiveDateTime, Option<String>, RequestStatus, String)> = requests::table
        .left_join(services::table)
        .filter(requests::municipality.eq(municipality))
        .filter(requests::created_at.ge(start))
        .filter(requests::created_at.lt(end))
        .select((
            requests::created_at,
            services::area.nullable(),
            requests::status,
            requests::resident_id,
        ))
        .load(conn)?;
    let mut by_area: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_month: BTreeMap<String, i64> = BTreeMap::new();
    for (at, area, _, _) in &filed {
        *by_area
            .entry(area.clone().unwrap_or_else(|| "unspecified".to_string()))
            .or_default() += 1;
        *by_month.entry(at.format("%Y-%m").to_string()).or_default() += 1;
    }
    let open = filed
        .iter()
        .filter(|(_, _, status, _)| *status != RequestStatus::Closed)
        .count() as i64;
    let filers: BTreeSet<&str> = filed.iter().map(|(_, _, _, r)| r.as_str()).collect();
    let (data, s) = guarded_map(by_area, min_group);
    out.push(figure(
        "requests_by_area",
        "requests filed in the period (requests.created_at), by the area of the requested catalogue service; 'unspecified' without one",
        data,
        s,
    ));
    let (data, s) = guarded_map(by_month, min_group);
    out.push(figure(
        "requests_by_month",
        "requests filed in the period (requests.created_at), by calendar month",
        data,
        s,
    ));

    // Unmet needs: requests of the period not yet closed, and plan items
    // still waiting for a place at the period's end. A client's refusal to
    // cooperate is no unmet need (seed 002).
    let waiting: i64 = plan_items::table
        .inner_join(plans::table)
        .filter(plans::municipality.eq(municipality))
        .filter(plan_items::status.eq(crate::plans::ItemStatus::Waiting))
        .filter(plan_items::created_at.lt(end))
        .count()
        .get_result(conn)?;
    let (data, s) = guarded_map(
        BTreeMap::from([("open".to_string(), open), ("waiting".to_string(), waiting)]),
        min_group,
    );
    out.push(figure(
        "requests_unmet",
        "requests filed in the period and not closed (open); IPUS items waiting for a place on an agreement (plan_items.status 'waiting'), added before the period's end (waiting)",
        data,
        s,
    ));

    // Families served: distinct households (a resident in none is a family
    // of one) and residents with a request filed or a plan open in the period.
    let (families, residents) =
        crate::social_work::households::families_served(conn, municipality, start, end, &filers)?;
    let (data, s) = guarded_map(
        BTreeMap::from([
            ("families".to_string(), families),
            ("residents".to_string(), residents),
        ]),
        min_group,
    );
    out.push(figure(
        "families_served",
        "residents with a request filed in the period or a plan open in it (residents), and their distinct households as they are now, a resident in none counting as one (families)",
        data,
        s,
    ));

    // IPUS: drawn up (approved) and closed in the period, and the outcomes.
    let drawn_up: i64 = plans::table
        .filter(plans::municipality.eq(municipality))
        .filter(plans::approved_at.ge(start))
        .filter(plans::approved_at.lt(end))
        .count()
        .get_result(conn)?;
    let closed: Vec<(String, Option<String>)> = plan_events::table
        .inner_join(plans::table)
        .filter(plans::municipality.eq(municipality))
        .filter(plan_events::to_status.eq(PlanStatus::Closed))
        .filter(plan_events::at.ge(start))
        .filter(plan_events::at.lt(end))
        .select((plans::id, plans::outcome))
        .distinct()
        .load(conn)?;
    let (data, s) = guarded_map(
        BTreeMap::from([
            ("drawn_up".to_string(), drawn_up),
            ("closed".to_string(), closed.len() as i64),
        ]),
        min_group,
    );
    out.push(figure(
        "plans",
        "IPUS approved in the period (plans.approved_at: drawn_up) and closed in the period (plan_events to 'closed')",
        data,
        s,
    ));
    let mut by_outcome: BTreeMap<String, i64> = BTreeMap::new();
    for (_, outcome) in &closed {
        *by_outcome
            .entry(outcome.clone().unwrap_or_else(|| "unspecified".to_string()))
            .or_default() += 1;
    }
    let (data, s) = guarded_map(by_outcome, min_group);
    out.push(figure(
        "plans_closed_by_outcome",
        "IPUS closed in the period (plan_events to 'closed'), by the plan's outcome",
        data,
        s,
    ));

    // People the platform served: residents with a request in the period.
    let served = filers.len() as i64;
    let registered: i64 = residents::table
        .filter(residents::municipality.eq(municipality))
        .count()
        .get_result(conn)?;
    let (data, s) = guarded_map(
        BTreeMap::from([
            ("registered".to_string(), registered),
            ("with_request".to_string(), served),
        ]),
        min_group,
    );
    out.push(figure(
        "residents",
        "residents on file (registered) and residents with a request filed in the period (with_request)",
        data,
        s,
    ));

    // Places used against capacity in the agreements running in the period.
    let running: Vec<(String, String, String, Option<String>, Option<i32>)> = agreements::table
        .filter(agreements::municipality.eq(municipality))
        .filter(agreements::status.ne(AgreementStatus::PublicComment))
        .filter(agreements::start_date.le(to))
        .filter(agreements::end_date.ge(from))
        .order(agreements::number)
        .select((
            agreements::id,
            agreements::number,
            agreements::title,
            agreements::capacity_unit,
            agreements::capacity_per_year,
        ))
        .load(conn)?;
    let items: Vec<(Option<String>, String)> = plan_items::table
        .inner_join(plans::table)
        .filter(plans::municipality.eq(municipality))
        .filter(plans::approved_at.is_not_null())
        .filter(plan_items::provider_agreement_id.is_not_null())
        .filter(plan_items::start_date.le(to))
        .filter(plan_items::end_date.ge(from))
        .select((plan_items::provider_agreement_id, plans::resident_id))
        .load(conn)?;
    let mut recipients: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (agreement, resident) in items {
        if let Some(a) = agreement {
            recipients.entry(a).or_default().insert(resident);
        }
    }
    let (places, suppressed) = guarded_rows(
        running
            .into_iter()
            .map(|(id, number, title, unit, capacity)| {
                let n = recipients.get(&id).map_or(0, |r| r.len() as i64);
                let row = json!({"agreement_id": id, "number": number, "title": title,
                                 "capacity": capacity, "capacity_unit": unit});
                (number, n, row)
            })
            .collect(),
        "recipients",
        min_group,
    );
    out.push(figure(
        "places_used",
        "agreements running in the period: capacity per year, and distinct residents with an IPUS item of an approved plan naming the agreement and overlapping the period",
        json!(places),
        suppressed,
    ));

    // Community work by community.
    let done: Vec<(String, i32)> = activities::table
        .inner_join(communities::table)
        .filter(activities::municipality.eq(municipality))
        .filter(activities::day.ge(from))
        .filter(activities::day.le(to))
        .select((communities::name, activities::participants))
        .load(conn)?;
    let mut by_community: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (name, participants) in done {
        let e = by_community.entry(name).or_default();
        e.0 += 1;
        e.1 += i64::from(participants);
    }
    let (work, suppressed) = guarded_rows(
        by_community
            .into_iter()
            .map(|(community, (n, participants))| {
                let row = json!({"community": community, "activities": n});
                (community, participants, row)
            })
            .collect(),
        "participants",
        min_group,
    );
    out.push(figure(
        "activities_by_community",
        "community work activities in the period (activities.day), by community: their number and participants",
        json!(work),
        suppressed,
    ));

    // Recipient surveys answered in the period.
    let answered: Vec<(String, String)> = survey_responses::table
        .inner_join(surveys::table)
        .filter(surveys::municipality.eq(municipality))
        .filter(survey_responses::day.ge(from))
        .filter(survey_responses::day.le(to))
        .select((surveys::id, surveys::title))
        .load(conn)?;
    let mut by_survey: BTreeMap<(String, String), i64> = BTreeMap::new();
    for key in answered {
        *by_survey.entry(key).or_default() += 1;
    }
    let (list, suppressed) = guarded_rows(
        by_survey
            .into_iter()
            .map(|((id, title), n)| {
                let row = json!({"survey_id": id, "title": title});
                (id, n, row)
            })
            .collect(),
        "responses",
        min_group,
    );
    out.push(figure(
        "surveys",
        "recipient survey responses given in the period, by survey",
        json!(list),
        suppressed,
    ));

    // The municipality's assessed indicators for periods inside this one.
    let own = [municipality.to_string()];
    let results = crate::assessment::runs::load(
        conn,
        crate::assessment::runs::Select {
            municipalities: Some(&own),
            subject_type: Some("municipality"),
            latest: true,
            ..Default::default()
        },
    )?;
    let values: Vec<Value> = results
        .into_iter()
        .filter(|r| {
            Period::parse(&r.period).is_some_and(|p| p.first_day() >= from && p.last_day() <= to)
        })
        .map(|r| {
            json!({"code": r.indicator, "period": r.period, "value": r.value_centi.map(from_centi), "suppressed": r.suppressed})
        })
        .collect();
    out.push(figure(
        "indicator_values",
        "the assessment module's latest municipal results for periods inside the diagnosis period",
        json!(values),
        vec![],
    ));
    Ok(out)
}
