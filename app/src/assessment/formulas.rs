//! The formulas of computed indicators: each a named function from the
//! platform's records to figures, with the inputs beside every value so a
//! page can explain it and a test can check it by hand (API.md, "The
//! indicator dictionary"). Queries are set-based: a few per formula and
//! municipality, grouped here rather than one per subject; in a [`Batch`]
//! (every municipality, one period) the costliest are read once for all
//! municipalities, by the same loaders.

use crate::plans::{PlanOutcome, PlanStatus};
use crate::window::RequestStatus;
use chrono::{NaiveDate, NaiveDateTime};
use contracting::agreements::{AgreementStatus, CapacityUnit, ReportKind};
use cus_db::schema::{
    activities, agreements, communities, offers, plan_events, plan_items, plans, reports,
    request_events, requests, services, social_contracts, survey_responses, surveys, tranches,
};
use cus_db::{DbConn, DomainResult};
use diesel::prelude::*;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::*;

pub const SATISFACTION: &str = "recipient_satisfaction";
/// Days after an agreement ends within which its final report is on time
/// (public benefit act art. 18 with the model agreement: 30 days).
pub const REPORT_DAYS: i64 = 30;

pub struct Formula {
    pub code: &'static str,
    pub subjects: &'static [&'static str],
}

pub const FORMULAS: [Formula; 16] = [
    Formula {
        code: "ipus_drawn_up_30d",
        subjects: &["municipality"],
    },
    Formula {
        code: "plan_employment",
        subjects: &["municipality"],
    },
    Formula {
        code: "plan_goals_achieved",
        subjects: &["municipality"],
    },
    Formula {
        code: "plan_reviewed_on_time",
        subjects: &["municipality"],
    },
    Formula {
        code: "request_routing_days",
        subjects: &["municipality"],
    },
    Formula {
        code: "recipients",
        subjects: &["agreement"],
    },
    Formula {
        code: "capacity_use",
        subjects: &["agreement"],
    },
    Formula {
        code: "cost_per_recipient",
        subjects: &["agreement", "municipality"],
    },
    Formula {
        code: "cost_per_service_hour",
        subjects: &["agreement"],
    },
    Formula {
        code: "own_contribution_share",
        subjects: &["agreement"],
    },
    Formula {
        code: "report_timeliness",
        subjects: &["municipality"],
    },
    Formula {
        code: "community_continuity",
        subjects: &["municipality"],
    },
    Formula {
        code: "social_contracts_completed",
        subjects: &["municipality"],
    },
    Formula {
        code: "social_contracts_per_100_clients",
        subjects: &["municipality"],
    },
    Formula {
        code: "households_per_social_worker",
        subjects: &["municipality"],
    },
    Formula {
        code: SATISFACTION,
        subjects: &["agreement", "service", "municipality"],
    },
];

pub fn known(code: &str) -> Option<&'static Formula> {
    FORMULAS.iter().find(|f| f.code == code)
}

/// One computed value about one subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub subject_type: &'static str,
    pub subject_id: String,
    /// `None`: no data, or suppressed.
    pub value: Option<f64>,
    pub suppressed: bool,
    pub inputs: Value,
}

/// What the runs of one batch (every municipality, one period: the
/// `assess` command, the scheduled job) share: the inputs of the costliest
/// formulas, read for all municipalities at once by the first run that needs
/// them, in one grouped query each instead of one per municipality. The
/// loaders are the ones a lone run uses, without the municipality filter.
#[derive(Default)]
pub struct Batch {
    /// What the loaded inputs were read for; another period or day starts over.
    key: Option<(Period, NaiveDate)>,
    closed: Option<HashMap<String, BTreeMap<String, Option<PlanOutcome>>>>,
    reviewed: Option<HashMap<String, Reviewed>>,
    routed: Option<HashMap<String, Routed>>,
    agreements: Option<HashMap<String, Vec<AgreementData>>>,
    contributions: Option<HashMap<String, Contributions>>,
}

impl Batch {
    pub fn new() -> Batch {
        Batch::default()
    }
}

/// What a formula computes over: one municipality and one period.
pub struct Scope<'a> {
    pub municipality: &'a str,
    pub period: Period,
    pub min_group: i64,
    pub plan_deadline_days: i64,
    pub today: NaiveDate,
    agreements: Option<Vec<AgreementData>>,
    /// Plans closed in the period and their outcome: two formulas read them.
    closed: Option<BTreeMap<String, Option<PlanOutcome>>>,
    batch: Option<&'a mut Batch>,
}

impl<'a> Scope<'a> {
    pub fn new(
        municipality: &'a str,
        period: Period,
        min_group: i64,
        plan_deadline_days: i64,
        today: NaiveDate,
    ) -> Scope<'a> {
        Scope {
            municipality,
            period,
            min_group,
            plan_deadline_days,
            today,
            agreements: None,
            closed: None,
            batch: None,
        }
    }

    /// The scope of one run of `batch`: its formulas read the batch's inputs.
    pub fn in_batch(mut self, batch: &'a mut Batch) -> Scope<'a> {
        let key = Some((self.period, self.today));
        if batch.key != key {
            *batch = Batch {
                key,
                ..Batch::default()
            };
        }
        self.batch = Some(batch);
        self
    }

    fn start(&self) -> NaiveDateTime {
        start_of(self.period)
    }

    fn end(&self) -> NaiveDateTime {
        end_of(self.period)
    }

    /// A figure about the municipality itself.
    fn municipal(&self, value: Option<f64>, suppressed: bool, inputs: Value) -> Figure {
        Figure {
            subject_type: "municipality",
            subject_id: self.municipality.to_string(),
            value: value.map(round2),
            suppressed,
            inputs,
        }
    }

    /// A share `numerator / denominator` of cases: suppressed below
    /// `min_group` cases, no value without any.
    fn share_of_cases(
        &self,
        subject: (&'static str, String),
        numerator: i64,
        denominator: i64,
    ) -> Figure {
        let (subject_type, subject_id) = subject;
        if suppress_count(denominator, self.min_group) {
            return Figure {
                subject_type,
                subject_id,
                value: None,
                suppressed: true,
                inputs: json!({}),
            };
        }
        Figure {
            subject_type,
            subject_id,
            value: (denominator > 0).then(|| round2(100.0 * numerator as f64 / denominator as f64)),
            suppressed: false,
            inputs: json!({"numerator": numerator, "denominator": denominator}),
        }
    }
}

fn start_of(period: Period) -> NaiveDateTime {
    period.first_day().and_hms_opt(0, 0, 0).expect("midnight")
}

fn end_of(period: Period) -> NaiveDateTime {
    (period.last_day() + chrono::Duration::days(1))
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
}

/// Inputs keyed by municipality, as a loader returns them.
type ByMunicipality<T> = HashMap<String, T>;
type Loader<T> =
    fn(&mut DbConn, Option<&str>, Period, NaiveDate) -> DomainResult<ByMunicipality<T>>;

/// The scope's municipality's part of what `load` reads: from the batch
/// (loaded there for every municipality on first use), or read for this
/// municipality alone.
fn shared<T: Clone + Default>(
    conn: &mut DbConn,
    s: &mut Scope,
    slot: fn(&mut Batch) -> &mut Option<ByMunicipality<T>>,
    load: Loader<T>,
) -> DomainResult<T> {
    let (municipality, period, today) = (s.municipality, s.period, s.today);
    match s.batch.as_deref_mut() {
        Some(batch) => {
            let slot = slot(batch);
            if slot.is_none() {
                *slot = Some(load(conn, None, period, today)?);
            }
            Ok(slot
                .as_ref()
                .and_then(|all| all.get(municipality))
                .cloned()
                .unwrap_or_default())
        }
        None => Ok(load(conn, Some(municipality), period, today)?
            .remove(municipality)
            .unwrap_or_default()),
    }
}

/// Computes `formula` for every subject of the scope.
pub fn compute(conn: &mut DbConn, scope: &mut Scope, formula: &str) -> DomainResult<Vec<Figure>> {
    Ok(match formula {
        "ipus_drawn_up_30d" => ipus_drawn_up(conn, scope)?,
        "plan_employment" => plans_closed(conn, scope, &[PlanOutcome::Employment])?,
        "plan_goals_achieved" => plans_closed(
            conn,
            scope,
            &[PlanOutcome::GoalsAchieved, PlanOutcome::Employment],
        )?,
        "plan_reviewed_on_time" => plans_reviewed(conn, scope)?,
        "request_routing_days" => routing_days(conn, scope)?,
        "recipients" | "capacity_use" | "cost_per_recipient" | "cost_per_service_hour" => {
            agreement_figures(conn, scope, formula)?
        }
        "own_contribution_share" => own_contribution(conn, scope)?,
        "report_timeliness" => report_timeliness(conn, scope)?,
        "community_continuity" => continuity(conn, scope)?,
        "social_contracts_completed" => contracts_completed(conn, scope)?,
        "social_contracts_per_100_clients" => contracts_per_clients(conn, scope)?,
        "households_per_social_worker" => households_per_worker(conn, scope)?,
        SATISFACTION => surveyed(conn, scope, None)?,
        other => surveyed(conn, scope, Some(other))?,
    })
}

fn ipus_drawn_up(conn: &mut DbConn, s: &Scope) -> DomainResult<Vec<Figure>> {
    let rows: Vec<(NaiveDate, Option<NaiveDateTime>)> = plans::table
        .filter(plans::municipality.eq(s.municipality))
        .filter(plans::approved_at.ge(s.start()))
        .filter(plans::approved_at.lt(s.end()))
        .select((plans::application_date, plans::approved_at))
        .load(conn)?;
    let on_time = rows
        .iter()
        .filter(|(applied, approved)| {
            approved.is_some_and(|a| (a.date() - *applied).num_days() <= s.plan_deadline_days)
        })
        .count() as i64;
    let mut f = s.share_of_cases(
        ("municipality", s.municipality.into()),
        on_time,
        rows.len() as i64,
    );
    if let Some(o) = f.inputs.as_object_mut() {
        if !o.is_empty() {
            o.insert("days".into(), json!(s.plan_deadline_days));
        }
    }
    Ok(vec![f])
}

/// Plans whose closing falls in the period, and how many closed with one of `outcomes`.
fn plans_closed(
    conn: &mut DbConn,
    s: &mut Scope,
    outcomes: &[PlanOutcome],
) -> DomainResult<Vec<Figure>> {
    if s.closed.is_none() {
        s.closed = Some(shared(conn, s, |b| &mut b.closed, load_closed)?);
    }
    let closed = s.closed.as_ref().expect("loaded");
    let hits = closed
        .values()
        .filter(|o| o.is_some_and(|o| outcomes.contains(&o)))
        .count() as i64;
    Ok(vec![s.share_of_cases(
        ("municipality", s.municipality.into()),
        hits,
        closed.len() as i64,
    )])
}

/// Plans closed in the period (by municipality): plan id → outcome.
fn load_closed(
    conn: &mut DbConn,
    municipality: Option<&str>,
    period: Period,
    _today: NaiveDate,
) -> DomainResult<ByMunicipality<BTreeMap<String, Option<PlanOutcome>>>> {
    let mut query = plan_events::table
        .inner_join(plans::table)
        .filter(plan_events::to_status.eq(PlanStatus::Closed))
        .filter(plan_events::at.ge(start_of(period)))
        .filter(plan_events::at.lt(end_of(period)))
        .select((plans::municipality, plans::id, plans::outcome))
        .into_boxed();
    if let Some(m) = municipality {
        query = query.filter(plans::municipality.eq(m));
    }
    let rows: Vec<(String, String, Option<PlanOutcome>)> = query.load(conn)?;
    let mut out: ByMunicipality<BTreeMap<String, Option<PlanOutcome>>> = HashMap::new();
    for (m, id, outcome) in rows {
        out.entry(m).or_default().insert(id, outcome);
    }
    Ok(out)
}

/// Approved plans whose review fell due in the period (up to yesterday),
/// with their review date, and the first review of each that had one.
#[derive(Debug, Clone, Default)]
struct Reviewed {
    due: Vec<(String, Option<NaiveDate>)>,
    first_review: HashMap<String, NaiveDate>,
}

fn load_reviewed(
    conn: &mut DbConn,
    municipality: Option<&str>,
    period: Period,
    today: NaiveDate,
) -> DomainResult<ByMunicipality<Reviewed>> {
    let last = period.last_day().min(today - chrono::Duration::days(1));
    let mut query = plans::table
        .filter(plans::review_date.ge(period.first_day()))
        .filter(plans::review_date.le(last))
        .filter(plans::approved_at.is_not_null())
        .select((plans::municipality, plans::id, plans::review_date))
        .into_boxed();
    if let Some(m) = municipality {
        query = query.filter(plans::municipality.eq(m));
    }
    let due: Vec<(String, String, Option<NaiveDate>)> = query.load(conn)?;
    let reviews: Vec<(String, NaiveDateTime)> = match municipality {
        // One municipality's few plans: looked up by id.
        Some(_) => {
            let ids: Vec<&String> = due.iter().map(|(_, id, _)| id).collect();
            plan_events::table
                .filter(plan_events::plan_id.eq_any(ids))
                .filter(plan_events::to_status.eq(PlanStatus::Review))
                .select((plan_events::plan_id, plan_events::at))
                .load(conn)?
        }
        // Every municipality's: the same plans as a subquery (no bind limit).
        None => plan_events::table
            .filter(
                plan_events::plan_id.eq_any(
                    plans::table
                        .filter(plans::review_date.ge(period.first_day()))
                        .filter(plans::review_date.le(last))
                        .filter(plans::approved_at.is_not_null())
                        .select(plans::id),
                ),
            )
            .filter(plan_events::to_status.eq(PlanStatus::Review))
            .select((plan_events::plan_id, plan_events::at))
            .load(conn)?,
    };
    let mut first_review: HashMap<String, NaiveDate> = HashMap::new();
    for (id, at) in reviews {
        let e = first_review.entry(id).or_insert(at.date());
        *e = (*e).min(at.date());
    }
    let mut out: ByMunicipality<Reviewed> = HashMap::new();
    for (m, id, review) in due {
        let r = out.entry(m).or_default();
        if let Some(d) = first_review.get(&id) {
            r.first_review.insert(id.clone(), *d);
        }
        r.due.push((id, review));
    }
    Ok(out)
}

fn plans_reviewed(conn: &mut DbConn, s: &mut Scope) -> DomainResult<Vec<Figure>> {
    let Reviewed { due, first_review } = shared(conn, s, |b| &mut b.reviewed, load_reviewed)?;
    let on_time = due
        .iter()
        .filter(|(id, review)| {
            first_review
                .get(id)
                .zip(*review)
                .is_some_and(|(done, by)| *done <= by)
        })
        .count() as i64;
    Ok(vec![s.share_of_cases(
        ("municipality", s.municipality.into()),
        on_time,
        due.len() as i64,
    )])
}

/// Requests filed in the period that were routed: id → (filed, first routed).
type Routed = HashMap<String, (NaiveDateTime, NaiveDateTime)>;

fn load_routed(
    conn: &mut DbConn,
    municipality: Option<&str>,
    period: Period,
    _today: NaiveDate,
) -> DomainResult<ByMunicipality<Routed>> {
    let mut query = request_events::table
        .inner_join(requests::table)
        .filter(requests::created_at.ge(start_of(period)))
        .filter(requests::created_at.lt(end_of(period)))
        .filter(request_events::status.eq(RequestStatus::Routed))
        .select((
            requests::municipality,
            requests::id,
            requests::created_at,
            request_events::at,
        ))
        .into_boxed();
    if let Some(m) = municipality {
        query = query.filter(requests::municipality.eq(m));
    }
    let rows: Vec<(String, String, NaiveDateTime, NaiveDateTime)> = query.load(conn)?;
    let mut out: ByMunicipality<Routed> = HashMap::new();
    for (m, id, created, at) in rows {
        let e = out.entry(m).or_default().entry(id).or_insert((created, at));
        e.1 = e.1.min(at);
    }
    Ok(out)
}

fn routing_days(conn: &mut DbConn, s: &mut Scope) -> DomainResult<Vec<Figure>> {
    let first = shared(conn, s, |b| &mut b.routed, load_routed)?;
    let n = first.len() as i64;
    if suppress_count(n, s.min_group) {
        return Ok(vec![s.municipal(None, true, json!({}))]);
    }
    let total_days: f64 = first
        .values()
        .map(|(c, a)| (*a - *c).num_seconds().max(0) as f64 / 86_400.0)
        .sum();
    let mean = (n > 0).then(|| total_days / n as f64);
    Ok(vec![s.municipal(
        mean,
        false,
        json!({"requests": n, "total_days": round2(total_days)}),
    )])
}

/// What the agreement formulas share: for every agreement of the
/// municipality in force during the period, its money for the period and
/// the approved plan items linked to it.
#[derive(Debug, Clone)]
struct AgreementData {
    id: String,
    capacity_unit: Option<CapacityUnit>,
    capacity_per_year: Option<i32>,
    /// Tranches of the period's year, pro rata by days, in grosze.
    money_grosze: f64,
    recipients: i64,
    /// The recipients' distinct families (households as they are now).
    families: i64,
    hours: i64,
}

fn agreement_data<'s>(conn: &mut DbConn, s: &'s mut Scope) -> DomainResult<&'s [AgreementData]> {
    if s.agreements.is_none() {
        s.agreements = Some(shared(conn, s, |b| &mut b.agreements, load_agreements)?);
    }
    Ok(s.agreements.as_deref().expect("loaded"))
}

/// Every municipality's agreements in force during the period (by number),
/// with their money for the period and the approved plan items of the
/// municipality's plans linked to them.
fn load_agreements(
    conn: &mut DbConn,
    municipality: Option<&str>,
    period: Period,
    _today: NaiveDate,
) -> DomainResult<ByMunicipality<Vec<AgreementData>>> {
    let first = period.first_day();
    let last = period.last_day();
    let mut query = agreements::table
        .filter(agreements::status.ne(AgreementStatus::PublicComment))
        .filter(agreements::start_date.le(last))
        .filter(agreements::end_date.ge(first))
        .order(agreements::number)
        .select((
            agreements::municipality,
            agreements::id,
            agreements::capacity_unit,
            agreements::capacity_per_year,
        ))
        .into_boxed();
    if let Some(m) = municipality {
        query = query.filter(agreements::municipality.eq(m));
    }
    let rows: Vec<(String, String, Option<CapacityUnit>, Option<i32>)> = query.load(conn)?;
    let mut query = tranches::table
        .inner_join(agreements::table)
        .filter(tranches::year.eq(period.calendar_year()))
        .select((
            agreements::municipality,
            tranches::agreement_id,
            tranches::amount_grosze,
        ))
        .into_boxed();
    if let Some(m) = municipality {
        query = query.filter(agreements::municipality.eq(m));
    }
    let money: Vec<(String, String, i64)> = query.load(conn)?;
    let mut money_of: HashMap<(String, String), f64> = HashMap::new();
    let share = period.share_of_year(period.calendar_year());
    for (m, a, amount) in money {
        *money_of.entry((m, a)).or_default() += amount as f64 * share;
    }
    let mut query = plan_items::table
        .inner_join(plans::table)
        .filter(plans::approved_at.is_not_null())
        .filter(plan_items::provider_agreement_id.is_not_null())
        .filter(plan_items::start_date.le(last))
        .filter(plan_items::end_date.ge(first))
        .select((
            plans::municipality,
            plan_items::provider_agreement_id,
            plans::resident_id,
            plan_items::hours_per_month,
            plan_items::start_date,
            plan_items::end_date,
        ))
        .into_boxed();
    if let Some(m) = municipality {
        query = query.filter(plans::municipality.eq(m));
    }
    let items: Vec<(
        String,
        Option<String>,
        String,
        Option<i32>,
        NaiveDate,
        NaiveDate,
    )> = query.load(conn)?;
    // (municipality of the plan, agreement) → residents, hours
    let mut people: HashMap<(String, String), BTreeSet<String>> = HashMap::new();
    let mut hours: HashMap<(String, String), i64> = HashMap::new();
    for (m, agreement, resident, per_month, from, to) in items {
        let key = (m, agreement.expect("filtered"));
        *hours.entry(key.clone()).or_default() +=
            per_month.unwrap_or(0) as i64 * period.months_touched(from, to);
        people.entry(key).or_default().insert(resident);
    }
    let families = crate::social_work::households::Families::load(conn, municipality)?;
    let mut out: ByMunicipality<Vec<AgreementData>> = HashMap::new();
    for (m, id, capacity_unit, capacity_per_year) in rows {
        let key = (m, id);
        let data = AgreementData {
            money_grosze: money_of.get(&key).copied().unwrap_or(0.0),
            recipients: people.get(&key).map_or(0, |p| p.len() as i64),
            families: people
                .get(&key)
                .map_or(0, |p| families.count(p.iter().map(String::as_str))),
            hours: hours.get(&key).copied().unwrap_or(0),
            id: key.1.clone(),
            capacity_unit,
            capacity_per_year,
        };
        out.entry(key.0).or_default().push(data);
    }
    Ok(out)
}

fn agreement_figures(conn: &mut DbConn, s: &mut Scope, formula: &str) -> DomainResult<Vec<Figure>> {
    let min_group = s.min_group;
    let share = s.period.share_of_year(s.period.calendar_year());
    let municipality = s.municipality.to_string();
    let data = agreement_data(conn, s)?.to_vec();
    let mut out = Vec::with_capacity(data.len() + 1);
    for a in &data {
        let few = suppress_count(a.recipients, min_group);
        let zl = round2(a.money_grosze / 100.0);
        let (value, inputs) = match formula {
            "recipients" => (
                Some(a.recipients as f64),
                json!({"recipients": a.recipients, "families": a.families}),
            ),
            "capacity_use" => {
                let capacity = a.capacity_per_year.map(|c| c as f64 * share);
                let used = match a.capacity_unit {
                    Some(CapacityUnit::Hours) => a.hours,
                    Some(CapacityUnit::Places) | None => a.recipients,
                };
                (
                    capacity
                        .filter(|c| *c > 0.0)
                        .map(|c| 100.0 * used as f64 / c),
                    json!({"used": used, "unit": a.capacity_unit, "capacity": capacity.map(round2)}),
                )
            }
            "cost_per_recipient" => (
                (a.recipients > 0).then(|| a.money_grosze / 100.0 / a.recipients as f64),
                json!({"money": zl, "recipients": a.recipients}),
            ),
            _ => (
                (a.hours > 0).then(|| a.money_grosze / 100.0 / a.hours as f64),
                json!({"money": zl, "hours": a.hours}),
            ),
        };
        out.push(Figure {
            subject_type: "agreement",
            subject_id: a.id.clone(),
            value: if few { None } else { value.map(round2) },
            suppressed: few,
            inputs: if few { json!({}) } else { inputs },
        });
    }
    if formula == "cost_per_recipient" {
        // The municipality's: its agreements' money over their recipients;
        // suppressed agreements still count in the totals.
        let money: f64 = data.iter().map(|a| a.money_grosze).sum::<f64>() / 100.0;
        let people: i64 = data.iter().map(|a| a.recipients).sum();
        let few = suppress_count(people, min_group);
        out.push(Figure {
            subject_type: "municipality",
            subject_id: municipality,
            value: if few {
                None
            } else {
                (people > 0).then(|| round2(money / people as f64))
            },
            suppressed: few,
            inputs: if few {
                json!({})
            } else {
                json!({"money": round2(money), "recipients": people, "agreements": data.len()})
            },
        });
    }
    Ok(out)
}

fn own_contribution(conn: &mut DbConn, s: &mut Scope) -> DomainResult<Vec<Figure>> {
    let ids: Vec<String> = agreement_data(conn, s)?
        .iter()
        .map(|a| a.id.clone())
        .collect();
    let by_id = shared(conn, s, |b| &mut b.contributions, load_contributions)?;
    Ok(ids
        .into_iter()
        .map(|id| {
            let (value, inputs) = match by_id.get(&id) {
                Some(&(public, own)) if public + own > 0 => (
                    Some(round2(100.0 * own as f64 / (public + own) as f64)),
                    json!({"own": round2(own as f64 / 100.0), "total": round2((public + own) as f64 / 100.0)}),
                ),
                _ => (None, json!({})),
            };
            Figure { subject_type: "agreement", subject_id: id, value, suppressed: false, inputs }
        })
        .collect())
}

/// Agreement id → (public money, own contribution with in-kind), from the offer.
type Contributions = HashMap<String, (i64, i64)>;

/// The offers' money of every agreement of the municipality (a superset of
/// those in force, which the formula looks up).
fn load_contributions(
    conn: &mut DbConn,
    municipality: Option<&str>,
    _period: Period,
    _today: NaiveDate,
) -> DomainResult<ByMunicipality<Contributions>> {
    let mut query = agreements::table
        .inner_join(offers::table.on(agreements::offer_id.eq(offers::id.nullable())))
        .select((
            agreements::municipality,
            agreements::id,
            offers::requested_grosze,
            offers::awarded_grosze,
            offers::own_contribution_grosze,
            offers::in_kind_grosze,
        ))
        .into_boxed();
    if let Some(m) = municipality {
        query = query.filter(agreements::municipality.eq(m));
    }
    let rows: Vec<(String, String, i64, Option<i64>, i64, i64)> = query.load(conn)?;
    let mut out: ByMunicipality<Contributions> = HashMap::new();
    for (m, id, requested, awarded, own, in_kind) in rows {
        out.entry(m)
            .or_default()
            .insert(id, (awarded.unwrap_or(requested), own + in_kind));
    }
    Ok(out)
}

fn report_timeliness(conn: &mut DbConn, s: &Scope) -> DomainResult<Vec<Figure>> {
    let ended: Vec<(String, NaiveDate)> = agreements::table
        .filter(agreements::municipality.eq(s.municipality))
        .filter(agreements::status.ne(AgreementStatus::PublicComment))
        .filter(agreements::end_date.ge(s.period.first_day()))
        .filter(agreements::end_date.le(s.period.last_day()))
        .select((agreements::id, agreements::end_date))
        .load(conn)?;
    let ids: Vec<&String> = ended.iter().map(|(id, _)| id).collect();
    let finals: Vec<(String, NaiveDateTime)> = reports::table
        .filter(reports::agreement_id.eq_any(&ids))
        .filter(reports::kind.eq(ReportKind::Final))
        .select((reports::agreement_id, reports::submitted_at))
        .load(conn)?;
    let first: HashMap<String, NaiveDate> =
        finals.into_iter().fold(HashMap::new(), |mut m, (id, at)| {
            let e = m.entry(id).or_insert(at.date());
            *e = (*e).min(at.date());
            m
        });
    // An agreement whose report is not yet due and not yet in is not counted.
    let mut due = 0;
    let mut on_time = 0;
    for (id, end) in &ended {
        let by = *end + chrono::Duration::days(REPORT_DAYS);
        match first.get(id) {
            Some(d) => {
                due += 1;
                on_time += (*d <= by) as i64;
            }
            None if s.today > by => due += 1,
            None => {}
        }
    }
    Ok(vec![s.municipal(
        (due > 0).then(|| 100.0 * on_time as f64 / due as f64),
        false,
        json!({"numerator": on_time, "denominator": due}),
    )])
}

fn continuity(conn: &mut DbConn, s: &Scope) -> DomainResult<Vec<Figure>> {
    let last = s.period.last_day().min(s.today);
    let communities: Vec<(String, NaiveDateTime)> = communities::table
        .filter(communities::municipality.eq(s.municipality))
        .select((communities::id, communities::created_at))
        .load(conn)?;
    let days: Vec<(String, NaiveDate)> = activities::table
        .filter(activities::municipality.eq(s.municipality))
        .filter(activities::day.ge(s.period.first_day()))
        .filter(activities::day.le(last))
        .select((activities::community_id, activities::day))
        .load(conn)?;
    let month = |d: NaiveDate| d.year() * 12 + d.month() as i32;
    let active: BTreeSet<(String, i32)> = days.into_iter().map(|(c, d)| (c, month(d))).collect();
    let mut expected = 0;
    let mut held = 0;
    if last >= s.period.first_day() {
        for (id, created) in &communities {
            let from = month(created.date().max(s.period.first_day()));
            for m in from..=month(last) {
                expected += 1;
                held += active.contains(&(id.clone(), m)) as i64;
            }
        }
    }
    Ok(vec![s.municipal(
        (expected > 0).then(|| 100.0 * held as f64 / expected as f64),
        false,
        json!({"numerator": held, "denominator": expected}),
    )])
}

/// Mean Likert answer over the responses in the period: to the questions
/// marked `satisfaction` (`question: None`), or to those keyed `question`.
/// Per agreement and per service of the surveys, and for the municipality.
/// Of the social contracts that ended in the period as completed or
/// broken, the share completed (cancelled ones are neither).
fn contracts_completed(conn: &mut DbConn, s: &Scope) -> DomainResult<Vec<Figure>> {
    use crate::social_work::contracts::ContractStatus;
    let ended: Vec<ContractStatus> = social_contracts::table
        .filter(social_contracts::municipality.eq(s.municipality))
        .filter(social_contracts::ended_on.ge(s.period.first_day()))
        .filter(social_contracts::ended_on.le(s.period.last_day()))
        .filter(
            social_contracts::status.eq_any([ContractStatus::Completed, ContractStatus::Broken]),
        )
        .select(social_contracts::status)
        .load(conn)?;
    let completed = ended
        .iter()
        .filter(|c| **c == ContractStatus::Completed)
        .count() as i64;
    Ok(vec![s.share_of_cases(
        ("municipality", s.municipality.into()),
        completed,
        ended.len() as i64,
    )])
}

/// Social contracts running on any day of the period (from their start to
/// the day they ended or, while active, the period's end) per 100 clients
/// (residents with a request or plan in the period); suppressed below the
/// minimum group of clients.
fn contracts_per_clients(conn: &mut DbConn, s: &Scope) -> DomainResult<Vec<Figure>> {
    let contracts: i64 = social_contracts::table
        .filter(social_contracts::municipality.eq(s.municipality))
        .filter(social_contracts::start_date.le(s.period.last_day()))
        .filter(
            social_contracts::ended_on
                .is_null()
                .or(social_contracts::ended_on.ge(s.period.first_day())),
        )
        .count()
        .get_result(conn)?;
    let clients =
        crate::social_work::clients(conn, Some(s.municipality), s.start(), s.end())?.len() as i64;
    if suppress_count(clients, s.min_group) {
        return Ok(vec![s.municipal(None, true, json!({}))]);
    }
    let value = (clients > 0).then(|| 100.0 * contracts as f64 / clients as f64);
    Ok(vec![s.municipal(
        value,
        false,
        json!({"contracts": contracts, "clients": clients}),
    )])
}

/// The households in every social worker's caseload at the period's end
/// (today while it runs) over the social worker accounts active now. Never
/// suppressed: it counts staff's work, not people.
fn households_per_worker(conn: &mut DbConn, s: &Scope) -> DomainResult<Vec<Figure>> {
    let day = s.period.last_day().min(s.today);
    let families = crate::social_work::households::Families::load(conn, Some(s.municipality))?;
    let households: i64 =
        crate::social_work::caseload::families_on(conn, Some(s.municipality), day, &families)?
            .values()
            .map(|f| f.len() as i64)
            .sum();
    let workers = crate::social_work::caseload::social_workers(conn, s.municipality)?.len() as i64;
    let value = (workers > 0).then(|| households as f64 / workers as f64);
    Ok(vec![s.municipal(
        value,
        false,
        json!({"households": households, "workers": workers, "day": day}),
    )])
}

fn surveyed(conn: &mut DbConn, s: &Scope, question: Option<&str>) -> DomainResult<Vec<Figure>> {
    let rows: Vec<(String, Option<String>, Option<String>, String, String)> =
        survey_responses::table
            .inner_join(surveys::table)
            .filter(surveys::municipality.eq(s.municipality))
            .filter(survey_responses::day.ge(s.period.first_day()))
            .filter(survey_responses::day.le(s.period.last_day()))
            .select((
                surveys::id,
                surveys::agreement_id,
                surveys::service_code,
                surveys::questions,
                survey_responses::answers,
            ))
            .load(conn)?;
    // (subject type, id) → (responses, sum of answers, answers)
    let mut acc: BTreeMap<(&'static str, String), (i64, f64, i64)> = BTreeMap::new();
    let mut keys_of: HashMap<String, Vec<String>> = HashMap::new();
    for (survey, agreement, service, questions, answers) in rows {
        let keys = keys_of
            .entry(survey)
            .or_insert_with(|| crate::assessment::surveys::likert_keys(&questions, question));
        let answers: Value = serde_json::from_str(&answers).unwrap_or(Value::Null);
        let values: Vec<f64> = keys
            .iter()
            .filter_map(|k| answers.get(k)?.as_f64())
            .collect();
        if values.is_empty() {
            continue;
        }
        let mut subjects = vec![("municipality", s.municipality.to_string())];
        if question.is_none() {
            subjects.extend(agreement.map(|a| ("agreement", a)));
            subjects.extend(service.map(|c| ("service", c)));
        }
        for subject in subjects {
            let e = acc.entry(subject).or_default();
            e.0 += 1;
            e.1 += values.iter().sum::<f64>();
            e.2 += values.len() as i64;
        }
    }
    let mut out: Vec<Figure> = acc
        .into_iter()
        .map(|((subject_type, subject_id), (responses, sum, answers))| {
            let few = suppress_count(responses, s.min_group);
            Figure {
                subject_type,
                subject_id,
                value: (!few).then(|| round2(sum / answers as f64)),
                suppressed: few,
                inputs: if few {
                    json!({})
                } else {
                    json!({"responses": responses, "answers": answers})
                },
            }
        })
        .collect();
    if !out.iter().any(|f| f.subject_type == "municipality") {
        out.push(s.municipal(None, false, json!({"responses": 0})));
    }
    Ok(out)
}

/// The service codes of the municipality's catalogue (subjects of service figures).
pub fn service_names(
    conn: &mut DbConn,
    municipality: &str,
) -> DomainResult<HashMap<String, String>> {
    Ok(services::table
        .filter(services::municipality.eq(municipality))
        .select((services::code, services::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}
