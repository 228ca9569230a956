//! The formulas of computed indicators: each a named function from the
//! platform's records to figures, with the inputs beside every value so a
//! page can explain it and a test can check it by hand (API.md, "The
//! indicator dictionary"). Queries are set-based: a few per formula and
//! municipality, grouped here rather than one per subject.

use chrono::{NaiveDate, NaiveDateTime};
use cus_db::schema::{
    activities, agreements, communities, offers, plan_events, plan_items, plans, reports,
    request_events, requests, services, survey_responses, surveys, tranches,
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

pub const FORMULAS: [Formula; 13] = [
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

/// What a formula computes over: one municipality and one period.
pub struct Scope<'a> {
    pub municipality: &'a str,
    pub period: Period,
    pub min_group: i64,
    pub plan_deadline_days: i64,
    pub today: NaiveDate,
    agreements: Option<Vec<AgreementData>>,
    /// Plans closed in the period and their outcome: two formulas read them.
    closed: Option<BTreeMap<String, Option<String>>>,
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
        }
    }

    fn start(&self) -> NaiveDateTime {
        self.period
            .first_day()
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
    }

    fn end(&self) -> NaiveDateTime {
        (self.period.last_day() + chrono::Duration::days(1))
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
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

/// Computes `formula` for every subject of the scope.
pub fn compute(conn: &mut DbConn, scope: &mut Scope, formula: &str) -> DomainResult<Vec<Figure>> {
    Ok(match formula {
        "ipus_drawn_up_30d" => ipus_drawn_up(conn, scope)?,
        "plan_employment" => plans_closed(conn, scope, &["employment"])?,
        "plan_goals_achieved" => plans_closed(conn, scope, &["goals_achieved", "employment"])?,
        "plan_reviewed_on_time" => plans_reviewed(conn, scope)?,
        "request_routing_days" => routing_days(conn, scope)?,
        "recipients" | "capacity_use" | "cost_per_recipient" | "cost_per_service_hour" => {
            agreement_figures(conn, scope, formula)?
        }
        "own_contribution_share" => own_contribution(conn, scope)?,
        "report_timeliness" => report_timeliness(conn, scope)?,
        "community_continuity" => continuity(conn, scope)?,
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
fn plans_closed(conn: &mut DbConn, s: &mut Scope, outcomes: &[&str]) -> DomainResult<Vec<Figure>> {
    if s.closed.is_none() {
        let rows: Vec<(String, Option<String>)> = plan_events::table
            .inner_join(plans::table)
            .filter(plans::municipality.eq(s.municipality))
            .filter(plan_events::to_status.eq("closed"))
            .filter(plan_events::at.ge(s.start()))
            .filter(plan_events::at.lt(s.end()))
            .select((plans::id, plans::outcome))
            .load(conn)?;
        s.closed = Some(rows.into_iter().collect());
    }
    let closed = s.closed.as_ref().expect("loaded");
    let hits = closed
        .values()
        .filter(|o| o.as_deref().is_some_and(|o| outcomes.contains(&o)))
        .count() as i64;
    Ok(vec![s.share_of_cases(
        ("municipality", s.municipality.into()),
        hits,
        closed.len() as i64,
    )])
}

fn plans_reviewed(conn: &mut DbConn, s: &Scope) -> DomainResult<Vec<Figure>> {
    let last = s.period.last_day().min(s.today - chrono::Duration::days(1));
    let due: Vec<(String, Option<NaiveDate>)> = plans::table
        .filter(plans::municipality.eq(s.municipality))
        .filter(plans::review_date.ge(s.period.first_day()))
        .filter(plans::review_date.le(last))
        .filter(plans::approved_at.is_not_null())
        .select((plans::id, plans::review_date))
        .load(conn)?;
    let ids: Vec<&String> = due.iter().map(|(id, _)| id).collect();
    let reviews: Vec<(String, NaiveDateTime)> = plan_events::table
        .filter(plan_events::plan_id.eq_any(&ids))
        .filter(plan_events::to_status.eq("review"))
        .select((plan_events::plan_id, plan_events::at))
        .load(conn)?;
    let mut first_review: HashMap<String, NaiveDate> = HashMap::new();
    for (id, at) in reviews {
        let e = first_review.entry(id).or_insert(at.date());
        *e = (*e).min(at.date());
    }
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

fn routing_days(conn: &mut DbConn, s: &Scope) -> DomainResult<Vec<Figure>> {
    let rows: Vec<(String, NaiveDateTime, NaiveDateTime)> = request_events::table
        .inner_join(requests::table)
        .filter(requests::municipality.eq(s.municipality))
        .filter(requests::created_at.ge(s.start()))
        .filter(requests::created_at.lt(s.end()))
        .filter(request_events::status.eq("routed"))
        .select((requests::id, requests::created_at, request_events::at))
        .load(conn)?;
    let mut first: HashMap<String, (NaiveDateTime, NaiveDateTime)> = HashMap::new();
    for (id, created, at) in rows {
        let e = first.entry(id).or_insert((created, at));
        e.1 = e.1.min(at);
    }
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
    capacity_unit: Option<String>,
    capacity_per_year: Option<i32>,
    /// Tranches of the period's year, pro rata by days, in grosze.
    money_grosze: f64,
    recipients: i64,
    hours: i64,
}

fn agreement_data<'s>(conn: &mut DbConn, s: &'s mut Scope) -> DomainResult<&'s [AgreementData]> {
    if s.agreements.is_none() {
        let first = s.period.first_day();
        let last = s.period.last_day();
        let rows: Vec<(String, Option<String>, Option<i32>)> = agreements::table
            .filter(agreements::municipality.eq(s.municipality))
            .filter(agreements::status.ne("public_comment"))
            .filter(agreements::start_date.le(last))
            .filter(agreements::end_date.ge(first))
            .order(agreements::number)
            .select((
                agreements::id,
                agreements::capacity_unit,
                agreements::capacity_per_year,
            ))
            .load(conn)?;
        let money: Vec<(String, i64)> = tranches::table
            .inner_join(agreements::table)
            .filter(agreements::municipality.eq(s.municipality))
            .filter(tranches::year.eq(s.period.calendar_year()))
            .select((tranches::agreement_id, tranches::amount_grosze))
            .load(conn)?;
        let mut money_of: HashMap<String, f64> = HashMap::new();
        let share = s.period.share_of_year(s.period.calendar_year());
        for (a, amount) in money {
            *money_of.entry(a).or_default() += amount as f64 * share;
        }
        let items: Vec<(Option<String>, String, Option<i32>, NaiveDate, NaiveDate)> =
            plan_items::table
                .inner_join(plans::table)
                .filter(plans::municipality.eq(s.municipality))
                .filter(plans::approved_at.is_not_null())
                .filter(plan_items::provider_agreement_id.is_not_null())
                .filter(plan_items::start_date.le(last))
                .filter(plan_items::end_date.ge(first))
                .select((
                    plan_items::provider_agreement_id,
                    plans::resident_id,
                    plan_items::hours_per_month,
                    plan_items::start_date,
                    plan_items::end_date,
                ))
                .load(conn)?;
        let mut people: HashMap<String, BTreeSet<String>> = HashMap::new();
        let mut hours: HashMap<String, i64> = HashMap::new();
        for (agreement, resident, per_month, from, to) in items {
            let agreement = agreement.expect("filtered");
            *hours.entry(agreement.clone()).or_default() +=
                per_month.unwrap_or(0) as i64 * s.period.months_touched(from, to);
            people.entry(agreement).or_default().insert(resident);
        }
        s.agreements = Some(
            rows.into_iter()
                .map(|(id, capacity_unit, capacity_per_year)| AgreementData {
                    money_grosze: money_of.get(&id).copied().unwrap_or(0.0),
                    recipients: people.get(&id).map_or(0, |p| p.len() as i64),
                    hours: hours.get(&id).copied().unwrap_or(0),
                    id,
                    capacity_unit,
                    capacity_per_year,
                })
                .collect(),
        );
    }
    Ok(s.agreements.as_deref().expect("loaded"))
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
                json!({"recipients": a.recipients}),
            ),
            "capacity_use" => {
                let capacity = a.capacity_per_year.map(|c| c as f64 * share);
                let used = match a.capacity_unit.as_deref() {
                    Some("hours") => a.hours,
                    _ => a.recipients,
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
    let rows: Vec<(String, i64, Option<i64>, i64, i64)> = agreements::table
        .inner_join(offers::table.on(agreements::offer_id.eq(offers::id.nullable())))
        .filter(agreements::id.eq_any(&ids))
        .select((
            agreements::id,
            offers::requested_grosze,
            offers::awarded_grosze,
            offers::own_contribution_grosze,
            offers::in_kind_grosze,
        ))
        .load(conn)?;
    let by_id: HashMap<String, (i64, i64)> = rows
        .into_iter()
        .map(|(id, requested, awarded, own, in_kind)| {
            (id, (awarded.unwrap_or(requested), own + in_kind))
        })
        .collect();
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

fn report_timeliness(conn: &mut DbConn, s: &Scope) -> DomainResult<Vec<Figure>> {
    let ended: Vec<(String, NaiveDate)> = agreements::table
        .filter(agreements::municipality.eq(s.municipality))
        .filter(agreements::status.ne("public_comment"))
        .filter(agreements::end_date.ge(s.period.first_day()))
        .filter(agreements::end_date.le(s.period.last_day()))
        .select((agreements::id, agreements::end_date))
        .load(conn)?;
    let ids: Vec<&String> = ended.iter().map(|(id, _)| id).collect();
    let finals: Vec<(String, NaiveDateTime)> = reports::table
        .filter(reports::agreement_id.eq_any(&ids))
        .filter(reports::kind.eq("final"))
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
