//! The indicator dictionary (słownik wskaźników), one for the deployment,
//! the indicator sets (narzędzia badawcze WKUS) and entered values.

use cus_db::audit::audit;
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{assessment_results, indicator_sets, indicators};
use cus_db::{new_id, now, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::*;

/// Who reads indicators, results and benchmarks: the municipality's staff.
pub const READERS: [Role; 9] = [
    Role::Admin,
    Role::Desk,
    Role::Organizer,
    Role::Coordinator,
    Role::SocialWorker,
    Role::Benefits,
    Role::CommunityOrganizer,
    Role::Commission,
    Role::Council,
];
cus_db::text_enum! {
    /// An indicator's unit.
    pub enum Unit {
        Percent = "%",
        Pln = "PLN",
        Days = "days",
        People = "people",
        Hours = "hours",
        Points = "points",
        Count = "count",
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = indicators)]
pub struct IndicatorRow {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub unit: String,
    pub higher_is_better: bool,
    pub subjects: String,
    pub source: String,
    pub formula: Option<String>,
    pub target_centi: Option<i64>,
    pub description: String,
}

/// An indicator of the dictionary.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    /// `quality` or `efficiency`.
    pub kind: String,
    pub unit: String,
    pub higher_is_better: bool,
    /// What a value is about first: `municipality`, `agreement` or `service`.
    pub subject: String,
    /// Every kind of subject it is computed for.
    pub subjects: Vec<String>,
    /// `computed`, `entered` or `surveyed`.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub formula: Option<String>,
    pub target: Option<f64>,
    pub description: String,
}

impl From<IndicatorRow> for Indicator {
    fn from(r: IndicatorRow) -> Indicator {
        let subjects: Vec<String> = r.subjects.split(',').map(str::to_string).collect();
        Indicator {
            code: r.code,
            name: r.name,
            kind: r.kind,
            unit: r.unit,
            higher_is_better: r.higher_is_better,
            subject: subjects[0].clone(),
            subjects,
            source: r.source,
            formula: r.formula,
            target: r.target_centi.map(from_centi),
            description: r.description,
        }
    }
}

impl Indicator {
    pub fn applies_to(&self, subject: &str) -> bool {
        self.subjects.iter().any(|s| s == subject)
    }

    /// Whether `value` is worse than `reference` in this indicator's direction.
    pub fn worse(&self, value: f64, reference: f64) -> bool {
        if self.higher_is_better {
            value < reference
        } else {
            value > reference
        }
    }
}

pub fn all(conn: &mut DbConn) -> DomainResult<Vec<Indicator>> {
    Ok(indicators::table
        .order(indicators::code)
        .select(IndicatorRow::as_select())
        .load(conn)?
        .into_iter()
        .map(Indicator::from)
        .collect())
}

pub fn list(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<Indicator>> {
    actor.require(&READERS)?;
    all(conn)
}

/// One indicator by code, 404 when unknown.
pub fn get(conn: &mut DbConn, code: &str) -> DomainResult<Indicator> {
    Ok(indicators::table
        .find(code)
        .select(IndicatorRow::as_select())
        .first(conn)
        .found()?
        .into())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIndicator {
    /// `[a-z0-9_]{2,64}`, unique in the deployment.
    pub code: String,
    pub name: String,
    pub kind: String,
    /// One of `%`, `PLN`, `days`, `people`, `hours`, `points`, `count`.
    pub unit: String,
    pub higher_is_better: bool,
    /// `municipality` (default), `agreement` or `service`.
    #[serde(default)]
    pub subject: Option<String>,
    pub source: String,
    /// For `computed`: a formula the server knows. For `surveyed`: the key of
    /// the Likert questions it averages (or `recipient_satisfaction`).
    #[serde(default)]
    pub formula: Option<String>,
    #[serde(default)]
    pub target: Option<f64>,
    #[serde(default)]
    pub description: String,
}

pub fn valid_code(code: &str) -> bool {
    (2..=64).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn check_target(check: &mut Check, target: Option<f64>) {
    if let Some(t) = target {
        check.require(
            t.is_finite() && t.abs() <= 1e12,
            "target",
            "error-out-of-range",
        );
    }
}

pub fn create(conn: &mut DbConn, actor: &Actor, input: NewIndicator) -> DomainResult<Indicator> {
    actor.require(&[Role::Organizer])?;
    let mut check = Check::new();
    check.require(valid_code(&input.code), "code", "error-indicator-code");
    check.text("name", &input.name, 1, 200);
    check.text("description", &input.description, 0, 2000);
    check.one_of::<IndicatorKind>(&input.kind, "kind", "error-indicator-kind");
    check.one_of::<Unit>(&input.unit, "unit", "error-indicator-unit");
    let subject = input
        .subject
        .clone()
        .unwrap_or_else(|| "municipality".into());
    check.one_of::<SubjectType>(&subject, "subject", "error-indicator-subject");
    let source = check.one_of::<Source>(&input.source, "source", "error-indicator-source");
    check_target(&mut check, input.target);
    let formula = input
        .formula
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty());
    match (source, formula) {
        (Some(Source::Computed), Some(f)) => check.require(
            formulas::known(f).is_some_and(|k| k.subjects.contains(&subject.as_str())),
            "formula",
            "error-indicator-formula",
        ),
        (Some(Source::Computed), None) => check.fail("formula", "error-indicator-formula"),
        (Some(Source::Surveyed), Some(f)) => check.require(
            f == formulas::SATISFACTION || valid_code(f),
            "formula",
            "error-indicator-question",
        ),
        (Some(Source::Surveyed), None) => check.fail("formula", "error-indicator-question"),
        (Some(Source::Entered), Some(_)) => {
            check.fail("formula", "error-indicator-entered-formula")
        }
        (Some(Source::Entered), None) | (None, _) => {}
    }
    if source == Some(Source::Entered) {
        check.require(
            subject == "municipality",
            "subject",
            "error-indicator-entered-subject",
        );
    }
    if valid_code(&input.code)
        && indicators::table
            .find(&input.code)
            .count()
            .get_result::<i64>(conn)?
            > 0
    {
        check.fail("code", "error-indicator-code-taken");
    }
    check.finish()?;
    diesel::insert_into(indicators::table)
        .values((
            indicators::code.eq(&input.code),
            indicators::name.eq(input.name.trim()),
            indicators::kind.eq(&input.kind),
            indicators::unit.eq(&input.unit),
            indicators::higher_is_better.eq(input.higher_is_better),
            indicators::subjects.eq(&subject),
            indicators::source.eq(&input.source),
            indicators::formula.eq(formula),
            indicators::target_centi.eq(input.target.map(to_centi)),
            indicators::description.eq(input.description.trim()),
            indicators::created_at.eq(now()),
            indicators::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit(conn, actor, "indicator.create", "indicator", &input.code)?;
    get(conn, &input.code)
}

/// `PATCH`: the fields given change; `target: null` removes the target.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorPatch {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::assessment::present")]
    #[schema(value_type = Option<f64>)]
    pub target: Option<Option<f64>>,
    #[serde(default)]
    pub description: Option<String>,
}

pub fn patch(
    conn: &mut DbConn,
    actor: &Actor,
    code: &str,
    input: IndicatorPatch,
) -> DomainResult<Indicator> {
    actor.require(&[Role::Organizer])?;
    let before = get(conn, code)?;
    let mut check = Check::new();
    if let Some(n) = &input.name {
        check.text("name", n, 1, 200);
    }
    if let Some(d) = &input.description {
        check.text("description", d, 0, 2000);
    }
    check_target(&mut check, input.target.flatten());
    check.finish()?;
    diesel::update(indicators::table.find(code))
        .set((
            indicators::name.eq(input.name.as_deref().map(str::trim).unwrap_or(&before.name)),
            indicators::description.eq(input
                .description
                .as_deref()
                .map(str::trim)
                .unwrap_or(&before.description)),
            indicators::target_centi.eq(match input.target {
                Some(t) => t.map(to_centi),
                None => before.target.map(to_centi),
            }),
            indicators::updated_at.eq(now()),
        ))
        .execute(conn)?;
    audit(conn, actor, "indicator.update", "indicator", code)?;
    get(conn, code)
}

/// An indicator set: a research tool of the WKUS model.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IndicatorSet {
    pub code: String,
    pub name: String,
    /// `monthly`, `quarterly`, `half_yearly` or `yearly`.
    pub cadence: String,
    pub indicators: Vec<String>,
}

pub fn sets(conn: &mut DbConn) -> DomainResult<Vec<IndicatorSet>> {
    let rows: Vec<(String, String, String, String)> = indicator_sets::table
        .order(indicator_sets::code)
        .select((
            indicator_sets::code,
            indicator_sets::name,
            indicator_sets::cadence,
            indicator_sets::indicators,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(code, name, cadence, list)| IndicatorSet {
            code,
            name,
            cadence,
            indicators: json_list(&list),
        })
        .collect())
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnteredValue {
    /// TERYT code of the municipality; staff enter only their own.
    pub municipality: String,
    #[schema(value_type = String, example = "2026", pattern = r"^(20[0-9]{2}|2100)(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$")]
    pub period: String,
    pub value: f64,
}

/// Records an `entered` indicator's value for the caller's municipality;
/// it becomes the latest result of (indicator, period, municipality).
pub fn enter_value(
    conn: &mut DbConn,
    actor: &Actor,
    code: &str,
    input: EnteredValue,
    tr: &dyn cus_db::text::Translate,
) -> DomainResult<runs::ResultView> {
    actor.require(&[Role::Organizer])?;
    let indicator = get(conn, code)?;
    if actor.home()? != input.municipality {
        return Err(DomainError::Forbidden);
    }
    if indicator.source != "entered" {
        return Err(DomainError::conflict("error-indicator-not-entered"));
    }
    let mut check = Check::new();
    let period = Period::parse(&input.period);
    check.require(period.is_some(), "period", "error-period");
    check.require(
        input.value.is_finite() && input.value.abs() <= 1e12,
        "value",
        "error-out-of-range",
    );
    check.finish()?;
    let period = period.expect("checked").to_string();
    let inputs = serde_json::json!({"entered": round2(input.value)});
    let id = new_id();
    runs::supersede(conn, &input.municipality, code, &period, true)?;
    diesel::insert_into(assessment_results::table)
        .values((
            assessment_results::id.eq(&id),
            assessment_results::municipality.eq(&input.municipality),
            assessment_results::indicator.eq(code),
            assessment_results::period.eq(&period),
            assessment_results::subject_type.eq("municipality"),
            assessment_results::subject_id.eq(&input.municipality),
            assessment_results::value_centi.eq(Some(to_centi(input.value))),
            assessment_results::suppressed.eq(false),
            assessment_results::inputs.eq(inputs.to_string()),
            assessment_results::latest.eq(true),
            assessment_results::entered_by.eq(&actor.user_id),
            assessment_results::computed_at.eq(now()),
        ))
        .execute(conn)?;
    audit(conn, actor, "indicator.enter", "indicator", code)?;
    runs::result_by_id(conn, &id, tr)
}

/// Every indicator's name by its code: for pages that show a code's meaning.
pub fn names(conn: &mut DbConn) -> DomainResult<std::collections::HashMap<String, String>> {
    Ok(indicators::table
        .select((indicators::code, indicators::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}
