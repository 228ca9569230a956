//! The competition page's forms in the page's own terms (złoty, rows,
//! radio buttons, a field per commission candidate or per criterion), read
//! by `Form` and converted into the API's inputs.

use chrono::NaiveDate;
use contracting::competitions::{CompetitionInput, CriterionInput};
use contracting::evaluation::{ScoreInput, ScoreItem};
use contracting::offers::{BudgetLine, OfferInput};
use serde::Deserialize;
use std::collections::BTreeMap;

use super::forms::{parse_pln, yes, Count, FromRow, Lines, Rows, Zloty};
use crate::web::extract::checkbox;

/// A competition as the manage page asks for it: the funds in złoty, the
/// criteria as "name | weight | max points" rows.
#[derive(Deserialize)]
pub struct CompetitionForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub task: String,
    #[serde(default)]
    pub service_code: Option<String>,
    #[serde(default)]
    pub program_id: Option<String>,
    #[serde(default)]
    pub program_service_id: Option<String>,
    #[serde(default)]
    pub financing: String,
    #[serde(default)]
    pub funds: Zloty,
    #[serde(deserialize_with = "cus_db::bounds::date")]
    pub period_start: NaiveDate,
    #[serde(deserialize_with = "cus_db::bounds::date")]
    pub period_end: NaiveDate,
    #[serde(deserialize_with = "cus_db::bounds::date")]
    pub offer_deadline: NaiveDate,
    #[serde(default)]
    pub award_rules: String,
    #[serde(default)]
    pub conditions: String,
    #[serde(default)]
    pub award_procedure: String,
    #[serde(default)]
    pub prior_funding: String,
    #[serde(default)]
    pub criteria: Rows<CriterionInput>,
}

impl FromRow for CriterionInput {
    fn from_row(cells: &[&str]) -> Option<Self> {
        Some(CriterionInput {
            name: cells.first()?.to_string(),
            weight: cells.get(1)?.parse().ok()?,
            max_points: cells.get(2)?.parse().ok()?,
        })
    }
}

impl From<CompetitionForm> for CompetitionInput {
    fn from(f: CompetitionForm) -> Self {
        CompetitionInput {
            title: f.title,
            task: f.task,
            service_code: f.service_code,
            program_id: f.program_id,
            program_service_id: f.program_service_id,
            financing: f.financing,
            funds_grosze: f.funds.0,
            period_start: f.period_start,
            period_end: f.period_end,
            offer_deadline: f.offer_deadline,
            award_rules: f.award_rules,
            conditions: f.conditions,
            award_procedure: f.award_procedure,
            prior_funding: f.prior_funding,
            criteria: f.criteria.0,
            currency: None,
        }
    }
}

/// An NGO's offer as the page asks for it: amounts in złoty, indicators one
/// a line, the budget as "year | category | item | złoty" rows, the
/// statements as a checkbox.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OfferForm {
    pub title: String,
    pub description: String,
    pub schedule: String,
    pub expected_results: String,
    pub indicators: Lines,
    pub bidder_profile: String,
    pub budget: Rows<BudgetLine>,
    pub own_contribution: Zloty,
    pub in_kind: Zloty,
    pub volunteer_hours: Count,
    #[serde(deserialize_with = "checkbox")]
    pub declarations: bool,
}

impl FromRow for BudgetLine {
    fn from_row(cells: &[&str]) -> Option<Self> {
        Some(BudgetLine {
            year: cells.first()?.parse().ok()?,
            category: cells.get(1)?.to_string(),
            name: cells.get(2)?.to_string(),
            amount_grosze: parse_pln(cells.get(3)?)?,
        })
    }
}

impl From<OfferForm> for OfferInput {
    fn from(f: OfferForm) -> Self {
        OfferInput {
            title: f.title,
            description: f.description,
            schedule: f.schedule,
            expected_results: f.expected_results,
            indicators: f.indicators.0,
            bidder_profile: f.bidder_profile,
            budget_lines: f.budget.0,
            own_contribution_grosze: f.own_contribution.0,
            in_kind_grosze: f.in_kind.0,
            volunteer_hours: f.volunteer_hours.0,
            declarations: f.declarations,
            currency: None,
        }
    }
}

/// The organizer's formal check of an offer (radio buttons "yes"/"no").
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FormalForm {
    #[serde(deserialize_with = "yes")]
    pub passed: bool,
    pub note: String,
}

/// A commission member's declaration (radio buttons "yes"/"no").
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DeclarationForm {
    #[serde(deserialize_with = "yes")]
    pub no_conflict: bool,
    pub statement: Option<String>,
}

/// The commission: a `member_<user id>` checkbox for each candidate (the
/// field names carry the ids).
#[derive(Deserialize)]
pub struct CommissionForm {
    #[serde(flatten)]
    pub checked: BTreeMap<String, String>,
}

/// A member's scores: a `points_<criterion>` field for each criterion.
#[derive(Deserialize)]
pub struct ScoreForm {
    #[serde(default)]
    pub note: String,
    #[serde(flatten)]
    pub points: BTreeMap<String, String>,
}

impl From<ScoreForm> for ScoreInput {
    fn from(f: ScoreForm) -> Self {
        let scores = (f.points.into_iter())
            .filter_map(|(k, v)| {
                Some(ScoreItem {
                    criterion: k.strip_prefix("points_")?.to_string(),
                    // No number is out of every range: the service says so.
                    points: v.trim().parse().unwrap_or(-1),
                })
            })
            .collect();
        ScoreInput {
            scores,
            note: f.note,
        }
    }
}
