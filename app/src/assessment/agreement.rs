//! An agreement's assessment (ocena umowy przed decyzją o kontynuacji):
//! its results across its years, reports, places used and surveys, beside
//! the other providers of the same services in the municipality.

use cus_db::schema::{agreements, organizations, plan_items, plans, survey_responses, surveys};
use cus_db::text::Translate;
use cus_db::{Actor, DbConn, DomainResult};
use diesel::prelude::*;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap};
use utoipa::ToSchema;

use super::indicators::Indicator;
use super::runs::{explain, ResultRow};
use super::*;
use contracting::agreements::Agreement;

/// The agreement indicators shown per year and compared across providers.
pub const SHOWN: [&str; 7] = [
    "recipients",
    "capacity_use",
    "cost_per_recipient",
    "cost_per_service_hour",
    "own_contribution_share",
    "recipient_satisfaction",
    "report_timeliness",
];

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Cell {
    pub value: Option<f64>,
    pub suppressed: bool,
    pub explanation: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct YearRow {
    pub year: i32,
    /// Indicator code → the year's latest result (absent: not computed).
    #[schema(value_type = Object)]
    pub results: HashMap<String, Cell>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Peer {
    pub agreement_id: String,
    pub name: String,
    /// The agreement being assessed.
    pub current: bool,
    #[schema(value_type = Object)]
    pub results: HashMap<String, Cell>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveyLine {
    pub id: String,
    pub title: String,
    pub period: String,
    /// 0 when withheld.
    pub responses: i64,
    /// Fewer than `min_group` answered: the count is not shown.
    pub withheld: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgreementAssessment {
    #[schema(value_type = Object)]
    pub agreement: Agreement,
    pub indicators: Vec<Indicator>,
    pub years: Vec<YearRow>,
    /// The year the providers are compared in (the latest with results).
    pub peer_year: Option<i32>,
    pub peers: Vec<Peer>,
    pub surveys: Vec<SurveyLine>,
}

fn cells(
    rows: &[ResultRow],
    subject: &str,
    period: &str,
    by_code: &HashMap<String, Indicator>,
    tr: &dyn Translate,
    min: i64,
) -> HashMap<String, Cell> {
    rows.iter()
        .filter(|r| r.subject_id == subject && r.period == period)
        .map(|r| {
            let code = &r.indicator;
            let value = r.value_centi.map(from_centi);
            let formula = by_code
                .get(code)
                .and_then(|i| i.formula.clone())
                .unwrap_or_else(|| code.clone());
            (
                code.clone(),
                Cell {
                    value,
                    suppressed: r.suppressed,
                    explanation: explain(tr, &formula, &r.inputs, value, r.suppressed, min),
                },
            )
        })
        .collect()
}

pub fn assess(
    conn: &mut DbConn,
    actor: &Actor,
    id: &contracting::agreements::AgreementId,
    tr: &dyn Translate,
    min_group: i64,
) -> DomainResult<AgreementAssessment> {
    let agreement = contracting::agreements::get(conn, actor, id)?;
    let municipality = agreement.row.municipality.clone();
    let dictionary: Vec<Indicator> = super::indicators::all(conn)?
        .into_iter()
        .filter(|i| SHOWN.contains(&i.code.as_str()) && i.applies_to("agreement"))
        .collect();
    let by_code: HashMap<String, Indicator> = dictionary
        .iter()
        .map(|i| (i.code.clone(), i.clone()))
        .collect();
    // Peers: the municipality's agreements whose plan items use one of this one's services.
    let services: BTreeSet<String> = plan_items::table
        .filter(plan_items::provider_agreement_id.eq(id))
        .select(plan_items::service_id)
        .distinct()
        .load::<String>(conn)?
        .into_iter()
        .collect();
    let mut peer_ids: BTreeSet<String> = plan_items::table
        .inner_join(plans::table)
        .filter(plans::municipality.eq(&municipality))
        .filter(plan_items::service_id.eq_any(&services))
        .filter(plan_items::provider_agreement_id.is_not_null())
        .select(plan_items::provider_agreement_id)
        .distinct()
        .load::<Option<String>>(conn)?
        .into_iter()
        .flatten()
        .collect();
    peer_ids.insert(id.to_string());
    let mut peer_ids: Vec<String> = peer_ids.into_iter().collect();
    // An NGO compares only its own agreements: the other providers'
    // numbers, names and recipient figures are the municipality's to see.
    if actor.role == cus_db::Role::Ngo {
        let own: BTreeSet<String> = agreements::table
            .filter(agreements::id.eq_any(&peer_ids))
            .filter(
                agreements::organization_id
                    .nullable()
                    .eq(actor.organization_id.as_ref()),
            )
            .select(agreements::id)
            .load::<String>(conn)?
            .into_iter()
            .collect();
        peer_ids.retain(|p| own.contains(p));
    }
    use chrono::Datelike;
    let year_range = agreement.row.start_date.year()..=agreement.row.end_date.year();
    let periods: Vec<String> = year_range.clone().map(|y| y.to_string()).collect();
    let rows = super::runs::load(
        conn,
        super::runs::Select {
            municipalities: Some(std::slice::from_ref(&municipality)),
            periods: Some(&periods),
            subject_type: Some("agreement"),
            subject_ids: Some(&peer_ids),
            latest: true,
            inputs: true,
            ..Default::default()
        },
    )?;
    let years: Vec<YearRow> = year_range
        .map(|year| YearRow {
            year,
            results: cells(
                &rows,
                id.as_str(),
                &year.to_string(),
                &by_code,
                tr,
                min_group,
            ),
        })
        .collect();
    let peer_year = years
        .iter()
        .rev()
        .find(|y| !y.results.is_empty())
        .map(|y| y.year);
    let names: HashMap<String, String> = agreements::table
        .inner_join(organizations::table)
        .filter(agreements::id.eq_any(&peer_ids))
        .select((agreements::id, agreements::number, organizations::name))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(a, n, o)| (a, format!("{o} ({n})")))
        .collect();
    let mut peers: Vec<Peer> = match peer_year {
        Some(y) => peer_ids
            .iter()
            .map(|p| Peer {
                agreement_id: p.clone(),
                name: names.get(p).cloned().unwrap_or_else(|| p.clone()),
                current: p == id.as_str(),
                results: cells(&rows, p, &y.to_string(), &by_code, tr, min_group),
            })
            .collect(),
        None => vec![],
    };
    peers.sort_by(|a, b| b.current.cmp(&a.current).then_with(|| a.name.cmp(&b.name)));
    let lines: Vec<(String, String, String)> = surveys::table
        .filter(surveys::agreement_id.eq(id))
        .order(surveys::created_at.desc())
        .select((surveys::id, surveys::title, surveys::period))
        .load(conn)?;
    let mut counted = vec![];
    for (sid, title, period) in lines {
        let n: i64 = survey_responses::table
            .filter(survey_responses::survey_id.eq(&sid))
            .count()
            .get_result(conn)?;
        let withheld = suppress_count(n, min_group);
        counted.push(SurveyLine {
            id: sid,
            title,
            period,
            responses: if withheld { 0 } else { n },
            withheld,
        });
    }
    Ok(AgreementAssessment {
        agreement,
        indicators: dictionary,
        years,
        peer_year,
        peers,
        surveys: counted,
    })
}
