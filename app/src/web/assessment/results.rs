//! The indicator dictionary, assessment runs and their results, and
//! benchmarks (JSON, CSV, XLSX and the SVG chart): API and pages.

use crate::platform::i18n::Fluent;
use actix_web::{get, patch, post, web, FromRequest, HttpRequest, HttpResponse};
use cus_db::{Actor, DomainError, Role};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::assessment::benchmarks::{self, Benchmark, BenchmarkQuery};
use crate::assessment::indicators::{self, EnteredValue, IndicatorPatch, NewIndicator};
use crate::assessment::runs::{self, ResultsQuery, Run, RunId, RunRequest};
use crate::assessment::Period;
use crate::platform::error::{AppError, AppResult};
use crate::platform::i18n;
use crate::platform::state::AppState;
use crate::web::api::list;
use crate::web::extract::{bearer, ApiJson, ApiUser, Form, MaybeJson, MaybePageUser, PageUser};
use crate::web::view::{flash_of, query_map, values, Flash, RecordPage, View};

type Data = web::Data<AppState>;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(list_indicators)
        .service(create_indicator)
        .service(patch_indicator)
        .service(enter_value)
        .service(list_sets)
        .service(run_assessment)
        .service(list_runs)
        .service(results)
        .service(read_run)
        .service(benchmark_api)
        .service(agreement_assessment);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/indicators", get().to(indicators_page))
        .route("/indicators", post().to(indicator_create))
        .route("/indicators/values", post().to(indicator_value))
        .route("/indicators/{code}/target", post().to(indicator_target))
        .route("/assessments", get().to(assessments_page))
        .route("/assessments/run", post().to(assessment_run))
        .route("/benchmarks/chart.svg", get().to(chart_svg))
        .route("/benchmarks/export.csv", get().to(export_csv))
        .route("/benchmarks/export.xlsx", get().to(export_xlsx))
        .route("/benchmarks", get().to(benchmarks_page))
        .route("/agreements/{id}/assessment", get().to(agreement_page));
}

#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<indicators::Indicator>), (status = 403)), security(("bearer" = [])))]
#[get("/indicators")]
async fn list_indicators(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.db(move |c| indicators::list(c, &user.0)).await?))
}

/// Adds an `entered` or `surveyed` indicator, or a `computed` one naming a known formula.
#[utoipa::path(request_body = NewIndicator, responses((status = 201, body = indicators::Indicator), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/indicators")]
async fn create_indicator(
    st: Data,
    user: ApiUser,
    body: ApiJson<NewIndicator>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(
        st.tx(move |c| indicators::create(c, &user.0, body.0))
            .await?,
    ))
}

/// Sets an indicator's `name`, `target` (`null` removes it) or `description`.
#[utoipa::path(request_body = IndicatorPatch, responses((status = 200, body = indicators::Indicator), (status = 404), (status = 422), (status = 403)), security(("bearer" = [])))]
#[patch("/indicators/{code}")]
async fn patch_indicator(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<IndicatorPatch>,
) -> AppResult<HttpResponse> {
    let code = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| indicators::patch(c, &user.0, &code, body.0))
            .await?,
    ))
}

/// Records an `entered` indicator's value for the caller's municipality.
#[utoipa::path(request_body = EnteredValue, responses((status = 201, body = runs::ResultView), (status = 404), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/indicators/{code}/values")]
async fn enter_value(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<EnteredValue>,
) -> AppResult<HttpResponse> {
    let code = path.into_inner();
    Ok(HttpResponse::Created().json(
        st.tx(move |c| indicators::enter_value(c, &user.0, &code, body.0, &Fluent("en")))
            .await?,
    ))
}

/// The indicator sets (WKUS research tools) and their cadence.
#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<indicators::IndicatorSet>), (status = 403)), security(("bearer" = [])))]
#[get("/indicator-sets")]
async fn list_sets(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(
        st.db(move |c| {
            user.0.require(&indicators::READERS)?;
            indicators::sets(c)
        })
        .await?,
    ))
}

/// Claims the municipality's run (committed: a second run meanwhile gets
/// 409), computes on a reading connection, stores through the writer.
async fn run_for(st: &Data, actor: Actor, input: RunRequest) -> AppResult<Run> {
    let settings = st.assessment();
    let run = st
        .tx(move |c| runs::claim_manual(c, &actor, input, settings))
        .await?;
    let r = run.clone();
    match st.db(move |c| runs::compute(c, &r, None, settings)).await {
        Ok(computed) => {
            let r = run.clone();
            st.tx(move |c| runs::store(c, &r, &computed)).await
        }
        Err(e) => {
            let id = run.id.clone();
            let text = e.to_string();
            st.tx(move |c| runs::fail(c, &id, &text)).await?;
            Err(e)
        }
    }
}

/// Computes every indicator for every subject of the caller's municipality
/// for the period (default: the current year).
#[utoipa::path(request_body = Option<RunRequest>, responses((status = 201, body = Run), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/assessments/run")]
async fn run_assessment(
    st: Data,
    user: ApiUser,
    body: MaybeJson<RunRequest>,
) -> AppResult<HttpResponse> {
    // No body at all: the current year.
    let run = run_for(&st, user.0, body.0.unwrap_or_default()).await?;
    Ok(HttpResponse::Created().json(run))
}

#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<Run>), (status = 403)), security(("bearer" = [])))]
#[get("/assessments")]
async fn list_runs(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.db(move |c| runs::recent_runs(c, &user.0)).await?))
}

/// The latest results of an indicator and period in the caller's municipality.
#[utoipa::path(params(ResultsQuery), responses((status = 200, body = cus_db::openapi::Page<runs::ResultView>), (status = 404), (status = 422), (status = 403)), security(("bearer" = [])))]
#[get("/assessments/results")]
async fn results(
    req: HttpRequest,
    st: Data,
    user: ApiUser,
    q: web::Query<ResultsQuery>,
) -> AppResult<HttpResponse> {
    let lang = i18n::api_lang(&req);
    let min = st.config.assessment.min_group;
    let q = q.into_inner();
    Ok(list(
        st.db(move |c| runs::results(c, &user.0, &q, &Fluent(lang), min))
            .await?,
    ))
}

/// A run with the results it stored.
#[utoipa::path(params(("id" = RunId, Path)), responses((status = 200, body = Run), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/assessments/{id}")]
async fn read_run(
    req: HttpRequest,
    st: Data,
    user: ApiUser,
    path: web::Path<RunId>,
) -> AppResult<HttpResponse> {
    let lang = i18n::api_lang(&req);
    let min = st.config.assessment.min_group;
    let id = path.into_inner();
    let (run, items) = st
        .db(move |c| runs::read_run(c, &user.0, &id, &Fluent(lang), min))
        .await?;
    let mut body = json!(run);
    body["total"] = json!(items.len());
    body["items"] = json!(items);
    Ok(HttpResponse::Ok().json(body))
}

/// A benchmark answered as JSON, CSV or XLSX.
fn benchmark_response(b: &Benchmark, format: Option<&str>, lang: &str) -> AppResult<HttpResponse> {
    let file = format!("benchmark-{}-{}", b.indicator.code, b.period);
    Ok(match format {
        None | Some("json") => HttpResponse::Ok().json(b),
        Some("csv") => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{file}.csv\""),
            ))
            .body(benchmarks::to_csv(b, &Fluent(lang))),
        Some("xlsx") => HttpResponse::Ok()
            .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{file}.xlsx\""),
            ))
            .body(benchmarks::to_xlsx(b, &Fluent(lang)).map_err(AppError::Internal)?),
        Some(_) => return Err(DomainError::field("format", "error-benchmark-format").into()),
    })
}

/// An indicator's latest values across municipalities (of the deployment
/// or a group) or across the caller's agreements; `format=csv|xlsx` for files.
#[utoipa::path(params(BenchmarkQuery), responses((status = 200, body = Benchmark), (status = 404), (status = 422), (status = 403)), security(("bearer" = [])))]
#[get("/benchmarks")]
async fn benchmark_api(
    req: HttpRequest,
    st: Data,
    user: ApiUser,
    q: web::Query<BenchmarkQuery>,
) -> AppResult<HttpResponse> {
    let lang = i18n::api_lang(&req);
    let q = q.into_inner().blank_is_default();
    let format = q.format.clone();
    let b = st
        .db(move |c| benchmarks::benchmark(c, &user.0, &q))
        .await?;
    benchmark_response(&b, format.as_deref(), lang)
}

// --- pages -------------------------------------------------------------------

/// Staff signed in by cookie or by token (the chart and the exports are
/// linked from pages and fetched by API clients alike).
async fn reader(req: &HttpRequest) -> AppResult<Actor> {
    if bearer(req).is_some() {
        return ApiUser::extract(req).await.map(|u| u.0);
    }
    MaybePageUser::extract(req)
        .await?
        .0
        .map(|u| u.actor)
        .ok_or(DomainError::Unauthorized.into())
}

fn bench_query(req: &HttpRequest) -> AppResult<BenchmarkQuery> {
    web::Query::<BenchmarkQuery>::from_query(req.query_string())
        .map(|q| q.into_inner().blank_is_default())
        .map_err(|_| DomainError::field("indicator", "error-required").into())
}

async fn chart_svg(req: HttpRequest, st: Data) -> AppResult<HttpResponse> {
    let actor = reader(&req).await?;
    let q = bench_query(&req)?;
    let lang = i18n::page_lang(&req);
    let b = st.db(move |c| benchmarks::benchmark(c, &actor, &q)).await?;
    Ok(HttpResponse::Ok()
        .content_type("image/svg+xml")
        .body(benchmarks::to_svg(&b, &Fluent(lang)).map_err(AppError::Internal)?))
}

async fn export(req: HttpRequest, st: Data, format: &'static str) -> AppResult<HttpResponse> {
    let actor = reader(&req).await?;
    let q = bench_query(&req)?;
    let lang = i18n::page_lang(&req);
    let b = st.db(move |c| benchmarks::benchmark(c, &actor, &q)).await?;
    benchmark_response(&b, Some(format), lang)
}

async fn export_csv(req: HttpRequest, st: Data) -> AppResult<HttpResponse> {
    export(req, st, "csv").await
}

async fn export_xlsx(req: HttpRequest, st: Data) -> AppResult<HttpResponse> {
    export(req, st, "xlsx").await
}

/// The period a page shows: the one asked for when valid, else the last year.
pub fn page_period(q: &HashMap<String, String>) -> String {
    q.get("period")
        .and_then(|p| Period::parse(p))
        .unwrap_or_else(|| Period::year(cus_db::today().year() - 1))
        .to_string()
}

use chrono::Datelike;

async fn benchmarks_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let q = query_map(&req);
    let actor = user.actor.clone();
    let period = page_period(&q);
    let scope = q.get("scope").cloned().filter(|s| s == "agreements");
    let group = q.get("group").cloned().filter(|g| !g.is_empty());
    let chosen = q.get("indicator").cloned();
    let (dictionary, groups, bench) = st
        .db(move |c| {
            let dictionary = indicators::list(c, &actor)?;
            let groups = crate::assessment::groups::groups_of(c, actor.home()?)?;
            let code = chosen
                .filter(|c| dictionary.iter().any(|i| &i.code == c))
                .unwrap_or_else(|| "ipus_drawn_up_30d".into());
            let bq = BenchmarkQuery {
                indicator: code,
                period,
                scope,
                group,
                format: None,
            };
            let bench = benchmarks::benchmark(c, &actor, &bq)?;
            Ok((dictionary, groups, bench))
        })
        .await?;
    let mut link = vec![
        ("indicator", bench.indicator.code.clone()),
        ("period", bench.period.clone()),
    ];
    if bench.scope == "agreements" {
        link.push(("scope", "agreements".into()));
    }
    if let Some(g) = &bench.group {
        link.push(("group", g.clone()));
    }
    link.push(("lang", view.lang().into()));
    let query = serde_urlencoded::to_string(&link).unwrap_or_default();
    let groups: Vec<Value> = groups
        .into_iter()
        .map(|(id, name)| json!({"id": id, "name": name}))
        .collect();
    let own = user.actor.municipality.clone();
    let data = json!({
        "dictionary": dictionary, "groups": groups, "bench": bench, "query": query,
        "own": own, "q": q,
    });
    Ok(view.render("benchmarks", "bench-title", data))
}

async fn indicators_data(st: &Data, user: &PageUser) -> AppResult<Value> {
    let actor = user.actor.clone();
    let (dictionary, sets) = st
        .db(move |c| Ok((indicators::list(c, &actor)?, indicators::sets(c)?)))
        .await?;
    Ok(json!({
        "dictionary": dictionary, "sets": sets,
        "kinds": crate::assessment::IndicatorKind::ALL, "units": indicators::Unit::ALL,
        "subjects": crate::assessment::SubjectType::ALL, "formulas": crate::assessment::formulas::FORMULAS.iter().map(|f| f.code).collect::<Vec<_>>(),
        "can_edit": user.actor.role == Role::Organizer, "home": user.actor.municipality,
    }))
}

async fn indicators_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = indicators_data(&st, &user).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("indicators", "ind-title", data))
}

/// A new indicator as the page asks for it.
#[derive(Deserialize)]
struct IndicatorForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    unit: String,
    #[serde(default, deserialize_with = "crate::web::extract::checkbox")]
    higher_is_better: bool,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    formula: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    description: String,
}

/// A number typed on a page: blank is none; anything else must parse.
fn typed_number(text: &str, field: &str) -> Result<Option<f64>, DomainError> {
    let t = text.trim().replace(',', ".");
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .map(Some)
        .ok_or_else(|| DomainError::field(field, "error-type"))
}

#[derive(Deserialize)]
struct TargetForm {
    #[serde(default)]
    target: String,
}

#[derive(Deserialize)]
struct ValueForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    value: String,
}

/// The end of a form of the indicators page: back to it, or the page again
/// with the reasons.
async fn indicators_done<T>(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    typed: &HashMap<String, String>,
    result: AppResult<T>,
) -> AppResult<HttpResponse> {
    let data = indicators_data(st, user);
    RecordPage::new("/indicators".into(), "indicators", "ind-title", data)
        .settle(req, user, typed, result)
        .await
}

/// A new indicator (`POST /indicators`).
async fn indicator_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<IndicatorForm>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, f| {
            let input = NewIndicator {
                code: f.code,
                name: f.name,
                kind: f.kind,
                unit: f.unit,
                higher_is_better: f.higher_is_better,
                subject: Some(f.subject).filter(|s| !s.is_empty()),
                source: f.source,
                formula: Some(f.formula).filter(|s| !s.is_empty()),
                target: typed_number(&f.target, "target")?,
                description: f.description,
            };
            indicators::create(c, &actor, input)
        })
        .await;
    indicators_done(&req, &st, &user, &form.typed, result).await
}

/// An indicator's target (`POST /indicators/{code}/target`).
async fn indicator_target(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form<TargetForm>,
) -> AppResult<HttpResponse> {
    let code = path.into_inner();
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, f| {
            let patch = IndicatorPatch {
                target: Some(typed_number(&f.target, "target")?),
                ..Default::default()
            };
            indicators::patch(c, &actor, &code, patch)
        })
        .await;
    indicators_done(&req, &st, &user, &form.typed, result).await
}

/// The municipality's value of an entered indicator (`POST
/// /indicators/values`: the indicator is chosen on the form).
async fn indicator_value(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<ValueForm>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, f| {
            let value = typed_number(&f.value, "value")?
                .ok_or_else(|| DomainError::field("value", "error-required"))?;
            let input = EnteredValue {
                municipality: actor.municipality.clone().unwrap_or_default(),
                period: f.period,
                value,
            };
            indicators::enter_value(c, &actor, &f.code, input, &Fluent("en"))
        })
        .await;
    indicators_done(&req, &st, &user, &form.typed, result).await
}

async fn assessments_data(
    st: &Data,
    user: &PageUser,
    q: &HashMap<String, String>,
    lang: &'static str,
) -> AppResult<Value> {
    let actor = user.actor.clone();
    let period = page_period(q);
    let min = st.config.assessment.min_group;
    let chosen = q.get("indicator").cloned();
    let (dictionary, recent, rows) = st
        .db(move |c| {
            let dictionary = indicators::list(c, &actor)?;
            let recent = runs::recent_runs(c, &actor)?;
            let mut rows = vec![];
            for i in dictionary
                .iter()
                .filter(|i| chosen.as_ref().is_none_or(|c| c == &i.code))
            {
                let rq = ResultsQuery {
                    indicator: i.code.clone(),
                    period: period.clone(),
                    subject_type: None,
                    subject_id: None,
                };
                for r in runs::results(c, &actor, &rq, &Fluent(lang), min)? {
                    rows.push((i.clone(), r));
                }
            }
            // Subjects by what people call them: an agreement by its number
            // and organization, a service by its name.
            let names = subject_names(c, &actor, rows.iter().map(|(_, r)| r))?;
            let rows: Vec<Value> = rows
                .into_iter()
                .map(|(i, r)| {
                    let name = names
                        .get(&(r.subject_type.clone(), r.subject_id.clone()))
                        .cloned();
                    json!({"indicator": i, "result": r, "subject_name": name})
                })
                .collect();
            Ok((dictionary, recent, rows))
        })
        .await?;
    Ok(json!({
        "dictionary": dictionary, "runs": recent, "rows": rows, "period": page_period(q), "q": q,
        "can_run": user.actor.role == Role::Organizer,
    }))
}

/// What people call the agreements and services results are about, in the
/// reader's municipality: `(subject_type, subject_id) → name`.
fn subject_names<'a>(
    c: &mut cus_db::DbConn,
    actor: &cus_db::Actor,
    shown: impl Iterator<Item = &'a runs::ResultView>,
) -> cus_db::DomainResult<HashMap<(String, String), String>> {
    use cus_db::schema::{agreements, organizations, services};
    use diesel::prelude::*;
    let home = actor.home()?.to_string();
    let (mut agreement_ids, mut service_codes) = (vec![], vec![]);
    for r in shown {
        match r.subject_type.as_str() {
            "agreement" => agreement_ids.push(r.subject_id.clone()),
            "service" => service_codes.push(r.subject_id.clone()),
            _ => {}
        }
    }
    let mut names = HashMap::new();
    let found: Vec<(String, String, String)> = agreements::table
        .inner_join(organizations::table)
        .filter(agreements::id.eq_any(&agreement_ids))
        .filter(agreements::municipality.eq(&home))
        .select((agreements::id, agreements::number, organizations::name))
        .load(c)?;
    for (id, number, org) in found {
        names.insert(("agreement".to_string(), id), format!("{number} — {org}"));
    }
    let found: Vec<(String, String)> = services::table
        .filter(services::code.eq_any(&service_codes))
        .filter(services::municipality.eq(&home))
        .select((services::code, services::name))
        .load(c)?;
    for (code, name) in found {
        names.insert(("service".to_string(), code), name);
    }
    Ok(names)
}

async fn assessments_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = assessments_data(&st, &user, &query_map(&req), view.lang()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("assessments", "assess-title", data))
}

#[derive(Deserialize)]
struct RunForm {
    #[serde(default)]
    period: String,
}

/// Runs an assessment for the period typed.
async fn assessment_run(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<RunForm>,
) -> AppResult<HttpResponse> {
    let period = form
        .input
        .as_ref()
        .map(|f| f.period.trim().to_string())
        .unwrap_or_default();
    let input = RunRequest {
        period: Some(period.clone()).filter(|p| !p.is_empty()),
    };
    match run_for(&st, user.actor.clone(), input).await {
        Ok(run) => Ok(Flash::Saved.redirect(&format!("/assessments?period={}", run.period))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut data = assessments_data(&st, &user, &HashMap::new(), view.lang()).await?;
            data["values"] = values(&form.typed);
            view.form_error(e, "assessments", "assess-title", data)
        }
    }
}

/// An agreement's results across its years, its reports, places and
/// surveys, beside the other providers of the same services.
#[utoipa::path(params(("id" = contracting::agreements::AgreementId, Path)), responses((status = 200, body = crate::assessment::agreement::AgreementAssessment), (status = 404)), security(("bearer" = [])))]
#[get("/agreements/{id}/assessment")]
async fn agreement_assessment(
    req: HttpRequest,
    st: Data,
    user: ApiUser,
    path: web::Path<contracting::agreements::AgreementId>,
) -> AppResult<HttpResponse> {
    let lang = i18n::api_lang(&req);
    let min = st.config.assessment.min_group;
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.db(move |c| crate::assessment::agreement::assess(c, &user.0, &id, &Fluent(lang), min))
            .await?,
    ))
}

async fn agreement_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<contracting::agreements::AgreementId>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let lang = view.lang();
    let min = st.config.assessment.min_group;
    let id = path.into_inner();
    let actor = user.actor.clone();
    let a = st
        .db(move |c| crate::assessment::agreement::assess(c, &actor, &id, &Fluent(lang), min))
        .await?;
    let data = json!({"a": a, "can_act": user.actor.role == Role::Organizer});
    Ok(view.render("agreement_assessment", "aa-title", data))
}
