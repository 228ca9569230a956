//! Data protection (RODO): the register of processing, retention, the
//! resident's own data, data subject requests, holds and restrictions;
//! API and pages.

use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use cus_db::Role;
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::platform::error::AppResult;
use crate::platform::i18n;
use crate::platform::state::AppState;
use crate::privacy::anonymise::ErasureLog;
use crate::privacy::requests::{
    self as dsr, DecisionInput, HoldInput, NewPrivacyRequest, PrivacyRequestId, RequestFilter,
    RequestState, RightKind,
};
use crate::privacy::{access, register, retention, OFFICERS};
use crate::web::api::{created, list};
use crate::web::extract::{ApiJson, ApiUser, Form, MaybeJson, NoFields, PageUser};
use crate::web::view::{flash_of, pager, RecordPage, View};
use crate::window::ResidentId;

type Data = web::Data<AppState>;

pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(register_api)
        .service(retention_api)
        .service(retention_run_api)
        .service(my_data_api)
        .service(export_api)
        .service(hold_api)
        .service(release_api)
        .service(unrestrict_api)
        .service(file_api)
        .service(requests_api)
        .service(request_api)
        .service(decide_api);
}

pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/privacy/register", get().to(register_page))
        .route("/privacy/retention", get().to(retention_page))
        .route("/privacy/retention/run", post().to(retention_run_page))
        .route("/privacy/requests", get().to(requests_page))
        .route("/privacy/requests", post().to(file_page))
        .route("/privacy/requests/{id}", get().to(request_page))
        .route("/privacy/requests/{id}/decide", post().to(decide_page))
        .route("/privacy/residents/{id}", get().to(resident_page))
        .route("/privacy/residents/{id}/export", get().to(export_download))
        .route("/privacy/residents/{id}/hold", post().to(hold_page))
        .route("/privacy/residents/{id}/release", post().to(release_page))
        .route(
            "/privacy/residents/{id}/unrestrict",
            post().to(unrestrict_page),
        )
        .route("/me/data", get().to(my_data_page))
        .route("/me/data.json", get().to(my_data_download));
}

impl AppState {
    /// The erasure log of `[privacy] erasure_log`.
    pub fn erasure_log(&self) -> ErasureLog {
        ErasureLog::new(&self.config.privacy.erasure_log)
    }
}

// --- API ----------------------------------------------------------------------

/// The register of processing activities (GDPR art. 30), generated from
/// the code's own description of its tables.
#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<register::Entry>), (status = 403)), security(("bearer" = [])))]
#[get("/privacy/register")]
async fn register_api(req: HttpRequest, user: ApiUser) -> AppResult<HttpResponse> {
    let entries = register::register(&user.0, &i18n::api_lang(&req))?;
    Ok(list(entries))
}

#[derive(Deserialize, IntoParams)]
struct MunicipalityQuery {
    /// An administrator's choice of municipality (TERYT); every one when
    /// absent.
    #[param(pattern = "^[0-9]{7}$")]
    municipality: Option<String>,
}

/// What each retention rule finds past its period now (`due`), and how
/// many of those are kept by a legal hold (`held`).
#[utoipa::path(params(MunicipalityQuery), responses((status = 200, body = cus_db::openapi::Page<retention::RuleState>), (status = 403), (status = 404)), security(("bearer" = [])))]
#[get("/privacy/retention")]
async fn retention_api(
    st: Data,
    user: ApiUser,
    q: web::Query<MunicipalityQuery>,
) -> AppResult<HttpResponse> {
    let asked = q.into_inner().municipality;
    let periods = st.config.retention.clone();
    let rules = st
        .db(move |c| retention::state(c, &user.0, asked.as_deref(), &periods, cus_db::now()))
        .await?;
    Ok(list(rules))
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
struct RunInput {
    /// Counts only; missing means a dry run.
    #[serde(default)]
    dry_run: Option<bool>,
    /// An administrator's choice of municipality (TERYT); every one when
    /// absent.
    #[serde(default)]
    #[schema(pattern = "^[0-9]{7}$")]
    municipality: Option<String>,
}

#[derive(serde::Serialize, ToSchema)]
struct RunResult {
    actions: Vec<retention::Done>,
}

/// Runs retention now (or, dry, counts what it would do).
#[utoipa::path(request_body(content = RunInput, description = "optional"), responses((status = 200, body = RunResult), (status = 403), (status = 404)), security(("bearer" = [])))]
#[post("/privacy/retention/run")]
async fn retention_run_api(
    st: Data,
    user: ApiUser,
    body: MaybeJson<RunInput>,
) -> AppResult<HttpResponse> {
    // No body at all: a dry run. A body is read as every JSON body is (its
    // content type, size and shape checked), never taken for "no body".
    let input = body.0.unwrap_or_default();
    let periods = st.config.retention.clone();
    let log = st.erasure_log();
    let dry = input.dry_run.unwrap_or(true);
    let actions = st
        .db(move |c| {
            retention::run(
                c,
                &user.0,
                input.municipality.as_deref(),
                dry,
                &periods,
                &log,
                cus_db::now(),
            )
        })
        .await?;
    Ok(HttpResponse::Ok().json(RunResult { actions }))
}

/// Everything the center stores about the signed-in resident.
#[utoipa::path(responses((status = 200, body = access::MyData), (status = 403)), security(("bearer" = [])))]
#[get("/me/data")]
async fn my_data_api(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    let periods = st.config.retention.clone();
    let data = st
        .db(move |c| access::my_data(c, &user.0, &periods))
        .await?;
    Ok(HttpResponse::Ok().json(data))
}

/// The same for a resident, for the officer; audited (`privacy.export`).
#[utoipa::path(params(("id" = ResidentId, Path)), responses((status = 200, body = access::MyData), (status = 403), (status = 404)), security(("bearer" = [])))]
#[get("/residents/{id}/export")]
async fn export_api(
    st: Data,
    user: ApiUser,
    path: web::Path<ResidentId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let periods = st.config.retention.clone();
    let data = st
        .tx(move |c| access::export(c, &user.0, &id, &periods))
        .await?;
    Ok(HttpResponse::Ok().json(data))
}

/// A legal hold: the resident is not anonymised while it stands.
#[utoipa::path(params(("id" = ResidentId, Path)), request_body = HoldInput, responses((status = 204), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
#[post("/residents/{id}/hold")]
async fn hold_api(
    st: Data,
    user: ApiUser,
    path: web::Path<ResidentId>,
    body: ApiJson<HoldInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    st.tx(move |c| dsr::hold(c, &user.0, &id, body.0)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lifts a legal hold.
#[utoipa::path(params(("id" = ResidentId, Path)), responses((status = 204), (status = 403), (status = 404)), security(("bearer" = [])))]
#[delete("/residents/{id}/hold")]
async fn release_api(
    st: Data,
    user: ApiUser,
    path: web::Path<ResidentId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    st.tx(move |c| dsr::release(c, &user.0, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Lifts a restriction of processing.
#[utoipa::path(params(("id" = ResidentId, Path)), responses((status = 204), (status = 403), (status = 404)), security(("bearer" = [])))]
#[delete("/residents/{id}/restriction")]
async fn unrestrict_api(
    st: Data,
    user: ApiUser,
    path: web::Path<ResidentId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    st.tx(move |c| dsr::lift_restriction(c, &user.0, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Files a data subject request: a resident for themself, the desk or
/// the officer for a resident (`resident_id`).
#[utoipa::path(request_body = NewPrivacyRequest, responses((status = 201, body = dsr::PrivacyRequest), (status = 403), (status = 422)), security(("bearer" = [])))]
#[post("/privacy/requests")]
async fn file_api(
    st: Data,
    user: ApiUser,
    body: ApiJson<NewPrivacyRequest>,
) -> AppResult<HttpResponse> {
    let row = st
        .tx(move |c| dsr::file(c, &user.0, body.0, crate::dashboard::today()))
        .await?;
    Ok(created(&row))
}

/// The officer's list of requests, open first by due date.
#[utoipa::path(params(RequestFilter), responses((status = 200, body = cus_db::openapi::Page<dsr::PrivacyRequest>), (status = 403), (status = 422)), security(("bearer" = [])))]
#[get("/privacy/requests")]
async fn requests_api(
    st: Data,
    user: ApiUser,
    q: web::Query<RequestFilter>,
) -> AppResult<HttpResponse> {
    let filter = q.into_inner();
    let (items, total) = st.db(move |c| dsr::list(c, &user.0, &filter)).await?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "total": total})))
}

#[utoipa::path(params(("id" = PrivacyRequestId, Path)), responses((status = 200, body = dsr::PrivacyRequest), (status = 403), (status = 404)), security(("bearer" = [])))]
#[get("/privacy/requests/{id}")]
async fn request_api(
    st: Data,
    user: ApiUser,
    path: web::Path<PrivacyRequestId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let row = st.db(move |c| dsr::get(c, &user.0, &id)).await?;
    Ok(HttpResponse::Ok().json(row))
}

/// The officer decides; deciding twice is 409; a granted erasure under a
/// hold (`held`) or with an open case (`open_case`) is 409 and the
/// request stays open.
#[utoipa::path(params(("id" = PrivacyRequestId, Path)), request_body = DecisionInput, responses((status = 200, body = dsr::PrivacyRequest), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/privacy/requests/{id}/decide")]
async fn decide_api(
    st: Data,
    user: ApiUser,
    path: web::Path<PrivacyRequestId>,
    body: ApiJson<DecisionInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let log = st.erasure_log();
    let row = st
        .tx(move |c| dsr::decide(c, &user.0, &id, body.0, &log))
        .await?;
    Ok(HttpResponse::Ok().json(row))
}

// --- pages --------------------------------------------------------------------

async fn register_page(req: HttpRequest, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let entries = register::register(&user.actor, view.lang())?;
    Ok(view.render(
        "privacy_register",
        "privacy-register-title",
        json!({"activities": entries}),
    ))
}

async fn retention_data(
    st: &Data,
    user: &PageUser,
    asked: Option<String>,
    view_lang: &str,
) -> AppResult<serde_json::Value> {
    let actor = user.actor.clone();
    let periods = st.config.retention.clone();
    let (rules, due) = st
        .audited(move |c| {
            let rules = retention::state(c, &actor, asked.as_deref(), &periods, cus_db::now())?;
            let due =
                retention::due_residents(c, &actor, asked.as_deref(), &periods, cus_db::now())?;
            Ok((rules, due))
        })
        .await?;
    let rules: Vec<serde_json::Value> = rules
        .into_iter()
        .map(|r| {
            let text = say_period(st.config.retention.of(r.kind), view_lang);
            let mut v = json!(r);
            v["period_text"] = json!(text);
            v
        })
        .collect();
    Ok(
        json!({"rules": rules, "due": due, "can_run": user.actor.role == Role::Iod
        || user.actor.role == Role::Admin}),
    )
}

async fn retention_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let asked = crate::web::view::query_map(&req).remove("municipality");
    let view = View::new(&req, Some(&user));
    let mut data = retention_data(&st, &user, asked, view.lang()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("privacy_retention", "privacy-retention-title", data))
}

async fn retention_run_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<NoFields>,
) -> AppResult<HttpResponse> {
    let periods = st.config.retention.clone();
    let log = st.erasure_log();
    let actor = user.actor.clone();
    let result = match form.input {
        Ok(_) => {
            st.db(move |c| retention::run(c, &actor, None, false, &periods, &log, cus_db::now()))
                .await
        }
        Err(e) => Err(e),
    };
    RecordPage::new(
        "/privacy/retention".into(),
        "privacy_retention",
        "privacy-retention-title",
        retention_data(&st, &user, None, View::new(&req, Some(&user)).lang()),
    )
    .settle(&req, &user, &form.typed, result)
    .await
}

async fn requests_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    q: web::Query<RequestFilter>,
) -> AppResult<HttpResponse> {
    let filter = q.into_inner();
    let shown = filter.clone();
    let actor = user.actor.clone();
    let (items, total) = st.db(move |c| dsr::list(c, &actor, &filter)).await?;
    let view = View::new(&req, Some(&user));
    let pager = pager(&req, shown.page, shown.per_page.unwrap_or(20), total);
    let today = crate::dashboard::today();
    let items: Vec<serde_json::Value> = items
        .into_iter()
        .map(|r| {
            let overdue = r.status == RequestState::Open && r.due < today;
            let mut v = json!(r);
            v["overdue"] = json!(overdue);
            v
        })
        .collect();
    Ok(view.render(
        "privacy_requests",
        "privacy-requests-title",
        json!({"requests": items, "total": total, "pager": pager,
               "f": {"status": shown.status},
               "statuses": <RequestState as cus_db::TextEnum>::ALL}),
    ))
}

/// The form a resident (on `/me/data`) or the desk (on a resident's
/// page) files a request with.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileForm {
    #[serde(default)]
    resident_id: Option<String>,
    kind: String,
    #[serde(default)]
    text: String,
}

async fn file_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<FileForm>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, f| {
            let new = NewPrivacyRequest {
                resident_id: f.resident_id.filter(|s| !s.is_empty()),
                kind: f.kind,
                text: f.text,
            };
            dsr::file(c, &actor, new, crate::dashboard::today())
        })
        .await;
    // A resident files on their data's page, the desk on the resident's.
    let for_resident = form
        .typed
        .get("resident_id")
        .and_then(|id| ResidentId::parse(id))
        .filter(|_| user.actor.role != Role::Resident);
    match for_resident {
        Some(id) => {
            RecordPage::new(
                format!("/residents/{id}"),
                "resident",
                "resident-title",
                crate::web::window::resident_data(&st, &user, id),
            )
            .settle(&req, &user, &form.typed, result)
            .await
        }
        None => {
            let lang = View::new(&req, Some(&user)).lang();
            RecordPage::new(
                "/me/data".into(),
                "my_data",
                "my-data-title",
                my_data_json(&st, &user, lang),
            )
            .settle(&req, &user, &form.typed, result)
            .await
        }
    }
}

async fn request_data(
    st: &Data,
    user: &PageUser,
    id: PrivacyRequestId,
) -> AppResult<serde_json::Value> {
    let actor = user.actor.clone();
    let (row, resident) = st
        .audited(move |c| {
            let row = dsr::get(c, &actor, &id)?;
            let resident = dsr::officer_view(c, &actor, &row.resident_id)?;
            Ok((row, resident))
        })
        .await?;
    Ok(json!({"request": row, "resident": resident,
              "decisions": <dsr::Decision as cus_db::TextEnum>::ALL,
              "open": row.status == RequestState::Open}))
}

async fn request_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<PrivacyRequestId>,
) -> AppResult<HttpResponse> {
    let mut data = request_data(&st, &user, path.into_inner()).await?;
    let view = View::new(&req, Some(&user));
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("privacy_request", "privacy-request-title", data))
}

async fn decide_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<PrivacyRequestId>,
    form: Form<DecisionInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, rid, log) = (user.actor.clone(), id.clone(), st.erasure_log());
    let result = st
        .tx_input(form.input, move |c, input| {
            dsr::decide(c, &actor, &rid, input, &log)
        })
        .await;
    RecordPage::new(
        format!("/privacy/requests/{id}"),
        "privacy_request",
        "privacy-request-title",
        request_data(&st, &user, id),
    )
    .settle(&req, &user, &form.typed, result)
    .await
}

async fn resident_data(st: &Data, user: &PageUser, id: ResidentId) -> AppResult<serde_json::Value> {
    let actor = user.actor.clone();
    let resident = st
        .audited(move |c| dsr::officer_view(c, &actor, &id))
        .await?;
    Ok(json!({"resident": resident}))
}

async fn resident_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ResidentId>,
) -> AppResult<HttpResponse> {
    let mut data = resident_data(&st, &user, path.into_inner()).await?;
    let view = View::new(&req, Some(&user));
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("privacy_resident", "privacy-resident-title", data))
}

/// Ends a form of the officer's resident page.
async fn resident_done<T>(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    typed: &std::collections::HashMap<String, String>,
    id: ResidentId,
    result: AppResult<T>,
) -> AppResult<HttpResponse> {
    RecordPage::new(
        format!("/privacy/residents/{id}"),
        "privacy_resident",
        "privacy-resident-title",
        resident_data(st, user, id),
    )
    .settle(req, user, typed, result)
    .await
}

/// A form of the officer's resident page: `act` on the resident with the
/// form's input, then back to the page (or the page again with the reasons).
async fn on_resident<I: Send + 'static>(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ResidentId>,
    form: Form<I>,
    act: fn(&mut cus_db::DbConn, &cus_db::Actor, &ResidentId, I) -> cus_db::DomainResult<()>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, rid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, input| act(c, &actor, &rid, input))
        .await;
    resident_done(&req, &st, &user, &form.typed, id, result).await
}

async fn hold_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ResidentId>,
    form: Form<HoldInput>,
) -> AppResult<HttpResponse> {
    on_resident(req, st, user, path, form, dsr::hold).await
}

async fn release_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ResidentId>,
    form: Form<NoFields>,
) -> AppResult<HttpResponse> {
    on_resident(req, st, user, path, form, |c, a, id, _| {
        dsr::release(c, a, id)
    })
    .await
}

async fn unrestrict_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ResidentId>,
    form: Form<NoFields>,
) -> AppResult<HttpResponse> {
    on_resident(req, st, user, path, form, |c, a, id, _| {
        dsr::lift_restriction(c, a, id)
    })
    .await
}

/// A JSON file to keep: named, and downloaded rather than shown.
fn json_file(name: &str, body: &impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(serde_json::to_string_pretty(body).unwrap_or_default())
}

async fn export_download(
    st: Data,
    user: PageUser,
    path: web::Path<ResidentId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let name = format!("dane-{id}.json");
    let periods = st.config.retention.clone();
    let actor = user.actor.clone();
    let data = st
        .tx(move |c| access::export(c, &actor, &id, &periods))
        .await?;
    Ok(json_file(&name, &data))
}

/// What `/me/data` shows: the resident's data, with the audit actions
/// named in `lang`.
async fn my_data_json(
    st: &Data,
    user: &PageUser,
    lang: &'static str,
) -> AppResult<serde_json::Value> {
    let periods = st.config.retention.clone();
    let actor = user.actor.clone();
    let data = st.db(move |c| access::my_data(c, &actor, &periods)).await?;
    let access: Vec<serde_json::Value> = data
        .access_log
        .iter()
        .map(|a| {
            let mut v = json!(a);
            v["action_label"] = json!(crate::platform::admin::action_label(lang, &a.action));
            v
        })
        .collect();
    Ok(json!({"data": data, "access": access, "kinds": <RightKind as cus_db::TextEnum>::ALL}))
}

async fn my_data_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = my_data_json(&st, &user, view.lang()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("my_data", "my-data-title", data))
}

async fn my_data_download(st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let periods = st.config.retention.clone();
    let actor = user.actor.clone();
    let data = st.db(move |c| access::my_data(c, &actor, &periods)).await?;
    Ok(json_file("moje-dane.json", &data))
}

/// Whether the actor works on data protection (the menu's section).
pub fn is_officer(role: Role) -> bool {
    OFFICERS.contains(&role)
}

/// A retention period in words, in `lang` ("10 lat", "1 rok 6 miesięcy").
fn say_period(period: &crate::privacy::Period, lang: &str) -> String {
    let (years, months, days) = period.parts();
    let parts: Vec<String> = [
        ("period-years", years),
        ("period-months", months),
        ("period-days", days),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(key, n)| i18n::t_args(lang, key, &[("n", n.into())]))
    .collect();
    if parts.is_empty() {
        i18n::t_args(lang, "period-days", &[("n", 0.into())])
    } else {
        parts.join(" ")
    }
}
