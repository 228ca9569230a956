//! Assessment runs (ocena okresowa): every computed indicator for every
//! subject of a municipality and period, stored with its inputs. A run is
//! claimed by a `running` row that a partial unique index keeps single per
//! municipality, committed before the computation starts, so a second run
//! meanwhile is refused with 409.

use chrono::NaiveDateTime;
use cus_db::audit::audit;
use cus_db::error::OptionalFound;
pub use cus_db::ids::RunId;
use cus_db::schema::{
    assessment_result_sets, assessment_results, assessment_runs, indicators, municipalities,
};
use cus_db::Lifecycle;
use cus_db::{now, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::formulas::{self, Batch, Figure, Scope};
use super::indicators::{Indicator, READERS};
use super::*;
use cus_db::text::{Arg, Translate};

/// What a run needs from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    pub min_group: i64,
    pub plan_deadline_days: i64,
    pub stale_run_minutes: i64,
}

cus_db::text_enum! {
    /// Where an assessment run stands.
    pub enum RunStatus {
        Running = "running",
        Done = "done",
        Failed = "failed",
    }
}

impl Lifecycle for RunStatus {
    fn moves(self) -> &'static [Self] {
        match self {
            // A run left running past `stale_run_minutes` is marked failed.
            RunStatus::Running => &[RunStatus::Done, RunStatus::Failed],
            RunStatus::Done | RunStatus::Failed => &[],
        }
    }
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = assessment_runs)]
pub struct Run {
    pub id: RunId,
    pub municipality: String,
    pub period: String,
    pub status: RunStatus,
    /// `manual` or `scheduled`.
    pub origin: String,
    #[serde(skip)]
    pub started_by: Option<String>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub started_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    pub finished_at: Option<NaiveDateTime>,
    /// How many results it stored.
    pub results: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    /// Default: the current year.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2026", pattern = r"^(20[0-9]{2}|2100)(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$")]
    pub period: Option<String>,
}

/// Takes the municipality's run slot for `period`: 409 while another run of
/// it is in progress. A `running` row older than `stale_run_minutes` is
/// a run whose server died; it is marked failed and no longer blocks.
pub fn claim(
    conn: &mut DbConn,
    municipality: &str,
    period: Period,
    origin: &str,
    started_by: Option<&str>,
    settings: Settings,
) -> DomainResult<Run> {
    let stale = now() - chrono::Duration::minutes(settings.stale_run_minutes);
    diesel::update(
        assessment_runs::table
            .filter(assessment_runs::municipality.eq(municipality))
            .filter(assessment_runs::status.eq(RunStatus::Running))
            .filter(assessment_runs::started_at.lt(stale)),
    )
    .set((
        assessment_runs::status.eq(RunStatus::Failed),
        assessment_runs::error.eq("abandoned: its server stopped mid-run"),
        assessment_runs::finished_at.eq(now()),
    ))
    .execute(conn)?;
    let run = Run {
        id: RunId::new(),
        municipality: municipality.to_string(),
        period: period.to_string(),
        status: RunStatus::Running,
        origin: origin.into(),
        started_by: started_by.map(str::to_string),
        started_at: now(),
        finished_at: None,
        results: 0,
        error: None,
    };
    let inserted = diesel::insert_into(assessment_runs::table)
        .values((
            assessment_runs::id.eq(&run.id),
            assessment_runs::municipality.eq(&run.municipality),
            assessment_runs::period.eq(&run.period),
            assessment_runs::status.eq(run.status),
            assessment_runs::origin.eq(&run.origin),
            assessment_runs::started_by.eq(&run.started_by),
            assessment_runs::started_at.eq(run.started_at),
            assessment_runs::results.eq(0),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(run),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Err(DomainError::conflict("error-run-in-progress")),
        Err(e) => Err(e.into()),
    }
}

/// The organizer's on-demand run: checks and claims (commit this first).
pub fn claim_manual(
    conn: &mut DbConn,
    actor: &Actor,
    input: RunRequest,
    settings: Settings,
) -> DomainResult<Run> {
    actor.require(&[Role::Organizer])?;
    let municipality = actor.home()?.to_string();
    let period = match input.period.as_deref() {
        Some(p) => Period::from_field(p, "period")?,
        None => Period::year(cus_db::today().year()),
    };
    let run = claim(
        conn,
        &municipality,
        period,
        "manual",
        Some(&actor.user_id),
        settings,
    )?;
    audit(conn, actor, "assessment.run", "assessment_run", &run.id)?;
    Ok(run)
}

/// The figures of one run, per indicator code.
pub type Computed = Vec<(String, Vec<Figure>)>;

/// Computes the indicators `only` (all computed and surveyed ones when
/// `None`) for the run's municipality and period. Reads only, so it runs
/// outside the writer; [`store`] writes what it found.
pub fn compute(
    conn: &mut DbConn,
    run: &Run,
    only: Option<&[String]>,
    settings: Settings,
) -> DomainResult<Computed> {
    compute_in(conn, run, only, settings, None)
}

/// [`compute`] as one run of `batch` (runs of many municipalities for one
/// period), whose inputs it reads and fills.
pub fn compute_in(
    conn: &mut DbConn,
    run: &Run,
    only: Option<&[String]>,
    settings: Settings,
    batch: Option<&mut Batch>,
) -> DomainResult<Computed> {
    let period = Period::parse(&run.period).expect("a run's period is valid");
    let dictionary: Vec<Indicator> = super::indicators::all(conn)?
        .into_iter()
        .filter(|i| i.source != "entered")
        .filter(|i| only.is_none_or(|o| o.contains(&i.code)))
        .collect();
    let mut scope = Scope::new(
        &run.municipality,
        period,
        settings.min_group,
        settings.plan_deadline_days,
        cus_db::today(),
    );
    if let Some(batch) = batch {
        scope = scope.in_batch(batch);
    }
    let mut out = Vec::with_capacity(dictionary.len());
    for indicator in &dictionary {
        let formula = indicator.formula.as_deref().unwrap_or(&indicator.code);
        let started = std::time::Instant::now();
        let figures: Vec<Figure> = formulas::compute(conn, &mut scope, formula)?
            .into_iter()
            .filter(|f| indicator.applies_to(f.subject_type))
            .collect();
        tracing::debug!(
            indicator = indicator.code,
            figures = figures.len(),
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "computed"
        );
        out.push((indicator.code.clone(), figures));
    }
    Ok(out)
}

/// Stores a run's figures as the latest results and finishes the run.
pub fn store(conn: &mut DbConn, run: &Run, computed: &Computed) -> DomainResult<Run> {
    for (code, _) in computed {
        supersede(conn, &run.municipality, code, &run.period, false)?;
    }
    let stored = insert(conn, run, computed)?;
    diesel::update(assessment_runs::table.find(&run.id))
        .set((
            assessment_runs::status.eq(RunStatus::Done),
            assessment_runs::results.eq(stored as i32),
            assessment_runs::finished_at.eq(now()),
        ))
        .execute(conn)?;
    get_run(conn, &run.id)
}

/// Marks a run failed (its computation returned an error).
pub fn fail(conn: &mut DbConn, run_id: &RunId, error: &str) -> DomainResult<()> {
    diesel::update(assessment_runs::table.find(run_id))
        .set((
            assessment_runs::status.eq(RunStatus::Failed),
            assessment_runs::error.eq(error),
            assessment_runs::finished_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Stores every figure of the run, one set per (indicator, subject type):
/// a handful of rows a run instead of one per figure (see migration 19).
fn insert(conn: &mut DbConn, run: &Run, computed: &Computed) -> DomainResult<usize> {
    let at = now();
    let mut n = 0;
    for (indicator, figures) in computed {
        let mut by_type: Vec<(&str, Vec<Packed<&str, &Value>>)> = vec![];
        for f in figures {
            let packed = Packed(
                f.subject_id.as_str(),
                f.value.map(to_centi),
                f.suppressed,
                &f.inputs,
            );
            match by_type.iter_mut().find(|(t, _)| *t == f.subject_type) {
                Some((_, set)) => set.push(packed),
                None => by_type.push((f.subject_type, vec![packed])),
            }
        }
        for (subject_type, set) in by_type {
            n += set.len();
            let packed = serde_json::to_string(&set).expect("JSON values serialize");
            diesel::insert_into(assessment_result_sets::table)
                .values((
                    assessment_result_sets::run_id.eq(&run.id),
                    assessment_result_sets::indicator.eq(indicator),
                    assessment_result_sets::subject_type.eq(subject_type),
                    assessment_result_sets::municipality.eq(&run.municipality),
                    assessment_result_sets::period.eq(&run.period),
                    assessment_result_sets::latest.eq(true),
                    assessment_result_sets::figures.eq(packed),
                    assessment_result_sets::computed_at.eq(at),
                ))
                .execute(conn)?;
        }
    }
    Ok(n)
}

/// One figure of a set as stored: `[subject_id, value_centi, suppressed,
/// inputs]`.
#[derive(Serialize, Deserialize)]
struct Packed<S, I>(S, Option<i64>, bool, I);

/// The latest results of (indicator, period) of a municipality become
/// history: its sets, and the rows of their own (entered values, earlier
/// builds' runs). With `own_only`, only those about the municipality itself,
/// before a value entered by staff replaces them (a run has one such
/// subject, so its `municipality` set is exactly that subject).
pub fn supersede(
    conn: &mut DbConn,
    municipality: &str,
    indicator: &str,
    period: &str,
    own_only: bool,
) -> DomainResult<()> {
    let mut sets = diesel::update(assessment_result_sets::table)
        .filter(assessment_result_sets::municipality.eq(municipality))
        .filter(assessment_result_sets::indicator.eq(indicator))
        .filter(assessment_result_sets::period.eq(period))
        .filter(assessment_result_sets::latest.eq(true))
        .into_boxed();
    let mut rows = diesel::update(assessment_results::table)
        .filter(assessment_results::municipality.eq(municipality))
        .filter(assessment_results::indicator.eq(indicator))
        .filter(assessment_results::period.eq(period))
        .filter(assessment_results::latest.eq(true))
        .into_boxed();
    if own_only {
        sets = sets.filter(assessment_result_sets::subject_type.eq("municipality"));
        rows = rows
            .filter(assessment_results::subject_type.eq("municipality"))
            .filter(assessment_results::subject_id.eq(municipality));
    }
    sets.set(assessment_result_sets::latest.eq(false))
        .execute(conn)?;
    rows.set(assessment_results::latest.eq(false))
        .execute(conn)?;
    Ok(())
}

/// Which stored results to read ([`load`]); `None` leaves a column open.
#[derive(Debug, Clone, Copy, Default)]
pub struct Select<'a> {
    pub run_id: Option<&'a RunId>,
    pub municipalities: Option<&'a [String]>,
    pub indicators: Option<&'a [String]>,
    pub periods: Option<&'a [String]>,
    pub subject_type: Option<&'a str>,
    pub subject_ids: Option<&'a [String]>,
    /// Only the latest result of each (indicator, period, subject), not
    /// the history.
    pub latest: bool,
    /// Whether to read the inputs (`Value::Null` otherwise).
    pub inputs: bool,
}

/// The stored results `q` selects, from the sets of runs and from the
/// per-figure rows (entered values, earlier builds' runs), ordered by
/// municipality, indicator, period, subject type and subject.
pub fn load(conn: &mut DbConn, q: Select) -> DomainResult<Vec<ResultRow>> {
    let mut sets = assessment_result_sets::table.into_boxed();
    let mut rows = assessment_results::table.into_boxed();
    if let Some(id) = q.run_id {
        sets = sets.filter(assessment_result_sets::run_id.eq(id));
        rows = rows.filter(assessment_results::run_id.eq(id));
    }
    if let Some(m) = q.municipalities {
        sets = sets.filter(assessment_result_sets::municipality.eq_any(m));
        rows = rows.filter(assessment_results::municipality.eq_any(m));
    }
    if let Some(i) = q.indicators {
        sets = sets.filter(assessment_result_sets::indicator.eq_any(i));
        rows = rows.filter(assessment_results::indicator.eq_any(i));
    }
    if let Some(p) = q.periods {
        sets = sets.filter(assessment_result_sets::period.eq_any(p));
        rows = rows.filter(assessment_results::period.eq_any(p));
    }
    if let Some(t) = q.subject_type {
        sets = sets.filter(assessment_result_sets::subject_type.eq(t));
        rows = rows.filter(assessment_results::subject_type.eq(t));
    }
    if let Some(s) = q.subject_ids {
        rows = rows.filter(assessment_results::subject_id.eq_any(s));
    }
    if q.latest {
        sets = sets.filter(assessment_result_sets::latest.eq(true));
        rows = rows.filter(assessment_results::latest.eq(true));
    }
    let mut out: Vec<ResultRow> = rows
        .select(StoredRow::as_select())
        .load::<StoredRow>(conn)?
        .into_iter()
        .map(|r| r.into_result(q.inputs))
        .collect();
    let wanted: Option<std::collections::HashSet<&str>> = q
        .subject_ids
        .map(|s| s.iter().map(String::as_str).collect());
    for set in sets.select(SetRow::as_select()).load::<SetRow>(conn)? {
        let figures: Vec<Packed<String, Value>> = if q.inputs {
            serde_json::from_str(&set.figures).map_err(unreadable)?
        } else {
            serde_json::from_str::<Vec<Packed<String, serde::de::IgnoredAny>>>(&set.figures)
                .map_err(unreadable)?
                .into_iter()
                .map(|Packed(s, v, x, _)| Packed(s, v, x, Value::Null))
                .collect()
        };
        for Packed(subject_id, value_centi, suppressed, inputs) in figures {
            if wanted
                .as_ref()
                .is_some_and(|w| !w.contains(subject_id.as_str()))
            {
                continue;
            }
            out.push(ResultRow {
                run_id: Some(set.run_id.clone()),
                municipality: set.municipality.clone(),
                indicator: set.indicator.clone(),
                period: set.period.clone(),
                subject_type: set.subject_type.clone(),
                subject_id,
                value_centi,
                suppressed,
                inputs,
                computed_at: set.computed_at,
            });
        }
    }
    out.sort_by(|a, b| a.order().cmp(&b.order()));
    Ok(out)
}

/// A stored set that does not parse: the database's content is broken.
fn unreadable(e: serde_json::Error) -> DomainError {
    DomainError::Database(diesel::result::Error::DeserializationError(Box::new(e)))
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = assessment_result_sets)]
struct SetRow {
    run_id: RunId,
    municipality: String,
    indicator: String,
    period: String,
    subject_type: String,
    figures: String,
    computed_at: NaiveDateTime,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = assessment_results)]
struct StoredRow {
    run_id: Option<RunId>,
    municipality: String,
    indicator: String,
    period: String,
    subject_type: String,
    subject_id: String,
    value_centi: Option<i64>,
    suppressed: bool,
    inputs: String,
    computed_at: NaiveDateTime,
}

impl StoredRow {
    fn into_result(self, inputs: bool) -> ResultRow {
        ResultRow {
            inputs: if inputs {
                serde_json::from_str(&self.inputs).unwrap_or(Value::Null)
            } else {
                Value::Null
            },
            run_id: self.run_id,
            municipality: self.municipality,
            indicator: self.indicator,
            period: self.period,
            subject_type: self.subject_type,
            subject_id: self.subject_id,
            value_centi: self.value_centi,
            suppressed: self.suppressed,
            computed_at: self.computed_at,
        }
    }
}

pub fn get_run(conn: &mut DbConn, id: &RunId) -> DomainResult<Run> {
    Ok(assessment_runs::table
        .find(id)
        .select(Run::as_select())
        .first(conn)
        .found()?)
}

/// A run of the caller's municipality, with its results.
pub fn read_run(
    conn: &mut DbConn,
    actor: &Actor,
    id: &RunId,
    tr: &dyn Translate,
    min_group: i64,
) -> DomainResult<(Run, Vec<ResultView>)> {
    actor.require(&READERS)?;
    let run = get_run(conn, id)?;
    if actor.home()? != run.municipality {
        return Err(DomainError::NotFound);
    }
    let rows = load(
        conn,
        Select {
            run_id: Some(id),
            inputs: true,
            ..Select::default()
        },
    )?;
    let views = views(conn, rows, tr, min_group)?;
    Ok((run, views))
}

pub fn recent_runs(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<Run>> {
    actor.require(&READERS)?;
    Ok(assessment_runs::table
        .filter(assessment_runs::municipality.eq(actor.home()?))
        .order(assessment_runs::started_at.desc())
        .limit(20)
        .select(Run::as_select())
        .load(conn)?)
}

/// A stored result: a figure of a run's set, or a row of its own.
#[derive(Debug, Clone)]
pub struct ResultRow {
    pub run_id: Option<RunId>,
    pub municipality: String,
    pub indicator: String,
    pub period: String,
    pub subject_type: String,
    pub subject_id: String,
    pub value_centi: Option<i64>,
    pub suppressed: bool,
    pub inputs: Value,
    pub computed_at: NaiveDateTime,
}

impl ResultRow {
    /// How [`load`] orders results.
    fn order(&self) -> (&str, &str, &str, &str, &str) {
        (
            &self.municipality,
            &self.indicator,
            &self.period,
            &self.subject_type,
            &self.subject_id,
        )
    }
}

/// A stored result, explained in the reader's language.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ResultView {
    pub indicator: String,
    #[schema(value_type = String)]
    pub period: String,
    pub subject_type: String,
    pub subject_id: String,
    pub value: Option<f64>,
    pub suppressed: bool,
    #[schema(value_type = Object)]
    pub inputs: Value,
    /// "12 of 15 plans drawn up within 30 days".
    pub explanation: String,
    pub run_id: Option<RunId>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub computed_at: NaiveDateTime,
}

fn views(
    conn: &mut DbConn,
    rows: Vec<ResultRow>,
    tr: &dyn Translate,
    min_group: i64,
) -> DomainResult<Vec<ResultView>> {
    let formulas: std::collections::HashMap<String, Option<String>> = indicators::table
        .select((indicators::code, indicators::formula))
        .load::<(String, Option<String>)>(conn)?
        .into_iter()
        .collect();
    Ok(rows
        .into_iter()
        .map(|r| {
            let value = r.value_centi.map(from_centi);
            let formula = formulas
                .get(&r.indicator)
                .cloned()
                .flatten()
                .unwrap_or_else(|| r.indicator.clone());
            ResultView {
                explanation: explain(tr, &formula, &r.inputs, value, r.suppressed, min_group),
                indicator: r.indicator,
                period: r.period,
                subject_type: r.subject_type,
                subject_id: r.subject_id,
                value,
                suppressed: r.suppressed,
                inputs: r.inputs,
                run_id: r.run_id,
                computed_at: r.computed_at,
            }
        })
        .collect())
}

/// The sentence under a figure, from its inputs.
pub fn explain(
    tr: &dyn Translate,
    formula: &str,
    inputs: &Value,
    value: Option<f64>,
    suppressed: bool,
    min_group: i64,
) -> String {
    if suppressed {
        return tr.say(
            "explain-suppressed",
            &[("min", Arg::Number(min_group as f64))],
        );
    }
    if let Some(v) = inputs.get("entered").and_then(Value::as_f64) {
        return tr.say("explain-entered", &[("value", Arg::Number(v))]);
    }
    if value.is_none() {
        return tr.t("explain-no-data");
    }
    let args: Vec<(&str, Arg)> = inputs
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::Number(n) => Arg::Number(n.as_f64().unwrap_or(0.0)),
                        Value::String(s) => Arg::Text(s.clone()),
                        _ => Arg::Text("–".to_string()),
                    };
                    (k.as_str(), v)
                })
                .collect()
        })
        .unwrap_or_default();
    let key = format!("explain-{formula}");
    let text = tr.say(&key, &args);
    if text == key {
        tr.say("explain-question", &args)
    } else {
        text
    }
}

pub fn result_by_id(conn: &mut DbConn, id: &str, tr: &dyn Translate) -> DomainResult<ResultView> {
    let row = assessment_results::table
        .find(id)
        .select(StoredRow::as_select())
        .first(conn)
        .found()?
        .into_result(true);
    Ok(views(conn, vec![row], tr, 0)?.remove(0))
}

#[derive(Debug, Clone, Deserialize, utoipa::IntoParams)]
pub struct ResultsQuery {
    pub indicator: String,
    #[param(
        example = "2026",
        pattern = r"^(20[0-9]{2}|2100)(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$"
    )]
    pub period: String,
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
}

/// The latest results of the caller's municipality for an indicator and period.
pub fn results(
    conn: &mut DbConn,
    actor: &Actor,
    q: &ResultsQuery,
    tr: &dyn Translate,
    min_group: i64,
) -> DomainResult<Vec<ResultView>> {
    actor.require(&READERS)?;
    let municipality = actor.home()?.to_string();
    let period = Period::from_field(&q.period, "period")?.to_string();
    super::indicators::get(conn, &q.indicator)?;
    let subject_ids = q.subject_id.clone().map(|s| vec![s]);
    let rows = load(
        conn,
        Select {
            municipalities: Some(std::slice::from_ref(&municipality)),
            indicators: Some(std::slice::from_ref(&q.indicator)),
            periods: Some(std::slice::from_ref(&period)),
            subject_type: q.subject_type.as_deref(),
            subject_ids: subject_ids.as_deref(),
            latest: true,
            inputs: true,
            ..Select::default()
        },
    )?;
    views(conn, rows, tr, min_group)
}

/// The latest stored values of an indicator and period about subjects of
/// `subject_type`, for the municipalities given (`None`: all): the input of
/// benchmarks. `(municipality, subject_id) → (value, suppressed)`.
pub fn latest_values(
    conn: &mut DbConn,
    indicator: &str,
    period: &str,
    subject_type: &str,
    municipalities: Option<&[String]>,
) -> DomainResult<Vec<(String, String, Option<f64>, bool)>> {
    let (indicator, period) = (indicator.to_string(), period.to_string());
    Ok(load(
        conn,
        Select {
            municipalities,
            indicators: Some(std::slice::from_ref(&indicator)),
            periods: Some(std::slice::from_ref(&period)),
            subject_type: Some(subject_type),
            latest: true,
            ..Select::default()
        },
    )?
    .into_iter()
    .map(|r| {
        (
            r.municipality,
            r.subject_id,
            r.value_centi.map(from_centi),
            r.suppressed,
        )
    })
    .collect())
}

/// Every municipality's TERYT code, for scheduled runs.
pub fn municipality_codes(conn: &mut DbConn) -> DomainResult<Vec<String>> {
    Ok(municipalities::table
        .order(municipalities::teryt)
        .select(municipalities::teryt)
        .load(conn)?)
}

/// A whole run for one municipality and period on one connection: claim
/// (committed), compute, store (committed). For jobs and commands; the web
/// handler does the same steps through the writer.
pub fn run_now(
    conn: &mut DbConn,
    municipality: &str,
    period: Period,
    only: Option<&[String]>,
    origin: &str,
    settings: Settings,
) -> DomainResult<Run> {
    run_in(conn, municipality, period, only, origin, settings, None)
}

/// [`run_now`] as one run of `batch`: the runs of every municipality for
/// one period share their inputs (see [`Batch`]).
pub fn run_in(
    conn: &mut DbConn,
    municipality: &str,
    period: Period,
    only: Option<&[String]>,
    origin: &str,
    settings: Settings,
    batch: Option<&mut Batch>,
) -> DomainResult<Run> {
    let run = cus_db::transaction(conn, |c| {
        claim(c, municipality, period, origin, None, settings)
    })?;
    match compute_in(conn, &run, only, settings, batch) {
        Ok(computed) => {
            let started = std::time::Instant::now();
            let stored = cus_db::transaction(conn, |c| store(c, &run, &computed));
            tracing::debug!(
                municipality,
                ms = started.elapsed().as_secs_f64() * 1000.0,
                "stored"
            );
            stored
        }
        Err(e) => {
            cus_db::transaction(conn, |c| fail(c, &run.id, &e.to_string()))?;
            Err(e)
        }
    }
}

/// The scheduled job: every indicator set for its newest completed period
/// (on the 1st of a month, the period that has just ended), every
/// municipality. A municipality whose run is in progress elsewhere is
/// skipped and counted.
pub fn run_sets(
    conn: &mut DbConn,
    settings: Settings,
    today: chrono::NaiveDate,
) -> DomainResult<String> {
    let sets = super::indicators::sets(conn)?;
    let codes = municipality_codes(conn)?;
    let (mut runs, mut results, mut busy) = (0, 0, 0);
    for set in &sets {
        let period = Period::latest_completed(&set.cadence, today);
        let mut batch = Batch::new();
        for m in &codes {
            match run_in(
                conn,
                m,
                period,
                Some(&set.indicators),
                "scheduled",
                settings,
                Some(&mut batch),
            ) {
                Ok(run) => {
                    runs += 1;
                    results += run.results;
                }
                Err(DomainError::Conflict(_)) => busy += 1,
                Err(e) => return Err(e),
            }
        }
    }
    Ok(format!(
        "{runs} runs, {results} results, {busy} skipped (in progress)"
    ))
}
