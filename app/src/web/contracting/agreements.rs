//! Agreements: yearly tranches, reports, annexes, termination, the printable
//! agreement, and the OCDS export.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use contracting::agreements::{
    AgreementFilter, AgreementId, AgreementInput, AnnexInput, ReportInput, TerminateInput, Tranche,
};
use contracting::{agreements, organizations};
use cus_db::bounds::Paging;
use cus_db::Role;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa_actix_web::service_config::ServiceConfig;

use super::forms::{Count, Lines, YearAmounts, Zloty};
use super::{program_services, MunicipalityQuery};
use crate::platform::error::AppResult;
use crate::platform::state::AppState;
use crate::web::api::{created, page};
use crate::web::extract::{ApiJson, ApiUser, Form, PageUser};
use crate::web::view::{pager_of, values, Flash, RecordPage, View};

type Data = web::Data<AppState>;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(create_agreement)
        .service(list_agreements)
        .service(get_agreement)
        .service(file_report)
        .service(add_annex)
        .service(terminate_agreement)
        .service(ocds_releases);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/agreements", get().to(agreements_page))
        .route("/agreements/{id}", get().to(agreement_page))
        .route("/agreements", post().to(agreement_create))
        .route("/agreements/{id}/reports", post().to(agreement_report))
        .route("/agreements/{id}/annexes", post().to(agreement_annex))
        .route("/agreements/{id}/terminate", post().to(agreement_terminate))
        .route("/agreements/{id}/document", get().to(agreement_document));
}

#[utoipa::path(request_body = AgreementInput, responses((status = 201, body = agreements::Agreement), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/agreements")]
async fn create_agreement(
    st: Data,
    user: ApiUser,
    body: ApiJson<AgreementInput>,
) -> AppResult<HttpResponse> {
    Ok(created(
        &st.tx(move |c| agreements::create(c, &user.0, body.0))
            .await?,
    ))
}

/// Agreements by status, newest or by number, one page at a time.
#[utoipa::path(params(AgreementFilter, Paging), responses((status = 200, body = cus_db::openapi::Page<agreements::AgreementRow>), (status = 403), (status = 422)), security(("bearer" = [])))]
#[get("/agreements")]
async fn list_agreements(
    st: Data,
    user: ApiUser,
    q: web::Query<AgreementFilter>,
    p: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    let (q, p) = (q.into_inner(), p.into_inner());
    Ok(page(
        st.db(move |c| agreements::find(c, &user.0, &q, &p)).await?,
    ))
}

#[utoipa::path(params(("id" = AgreementId, Path)), responses((status = 200, body = agreements::Agreement), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/agreements/{id}")]
async fn get_agreement(
    st: Data,
    user: ApiUser,
    path: web::Path<AgreementId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| agreements::get(c, &user.0, &id)).await?))
}

#[utoipa::path(params(("id" = AgreementId, Path)), request_body = ReportInput, responses((status = 201, body = agreements::Agreement), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/agreements/{id}/reports")]
async fn file_report(
    st: Data,
    user: ApiUser,
    path: web::Path<AgreementId>,
    body: ApiJson<ReportInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(created(
        &st.tx(move |c| agreements::report(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(params(("id" = AgreementId, Path)), request_body = AnnexInput, responses((status = 201, body = agreements::Agreement), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/agreements/{id}/annexes")]
async fn add_annex(
    st: Data,
    user: ApiUser,
    path: web::Path<AgreementId>,
    body: ApiJson<AnnexInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(created(
        &st.tx(move |c| agreements::annex(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(params(("id" = AgreementId, Path)), request_body = TerminateInput, responses((status = 200, body = agreements::Agreement), (status = 409), (status = 403)), security(("bearer" = [])))]
#[post("/agreements/{id}/terminate")]
async fn terminate_agreement(
    st: Data,
    user: ApiUser,
    path: web::Path<AgreementId>,
    body: ApiJson<TerminateInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| agreements::terminate(c, &user.0, &id, body.0))
            .await?,
    ))
}

/// The OCDS 1.1 release package (all municipalities, or `?municipality=`).
#[utoipa::path(params(MunicipalityQuery), responses((status = 200, description = "OCDS release package")))]
#[get("/ocds/releases")]
async fn ocds_releases(st: Data, q: web::Query<MunicipalityQuery>) -> AppResult<HttpResponse> {
    let m = q.into_inner().municipality;
    let uri = format!(
        "{}/api/v1/ocds/releases",
        st.config.server.public_url.trim_end_matches('/')
    );
    let package = st
        .db(move |c| contracting::ocds::release_package(c, m.as_deref(), &uri))
        .await?;
    Ok(HttpResponse::Ok().json(package))
}

/// The agreements page's list (filtered, one page) and, for the organizer,
/// the new agreement form's choices.
async fn agreements_data(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    filter: AgreementFilter,
    paging: Paging,
) -> AppResult<Value> {
    let actor = user.actor.clone();
    let shown = filter.clone();
    let ((list, total), orgs, services) = st
        .db(move |c| {
            let list = agreements::find(c, &actor, &filter, &paging)?;
            let (orgs, services) = if actor.role == Role::Organizer {
                (
                    organizations::list(c, &actor)?,
                    program_services(c, &actor)?,
                )
            } else {
                (vec![], vec![])
            };
            Ok((list, orgs, services))
        })
        .await?;
    Ok(json!({
        "agreements": list, "total": total, "pager": pager_of(req, "/agreements", &paging, total),
        "f": {"status": shown.status, "sort": shown.sort},
        "statuses": agreements::AgreementStatus::ALL, "sorts": agreements::AgreementSort::ALL,
        "organizations": orgs, "program_services": services,
        "can_create": user.actor.role == Role::Organizer, "modes": agreements::AgreementMode::ALL,
    }))
}

async fn agreements_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    q: web::Query<AgreementFilter>,
    p: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    let data = agreements_data(&req, &st, &user, q.into_inner(), p.into_inner()).await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render("agreements", "agreements-title", data))
}

async fn agreement_data(st: &Data, user: &PageUser, id: AgreementId) -> AppResult<Value> {
    let actor = user.actor.clone();
    let a = st.db(move |c| agreements::get(c, &actor, &id)).await?;
    let live = !matches!(a.row.status.as_str(), "terminated");
    Ok(json!({
        "a": a,
        "can_report": user.actor.role == Role::Ngo && live && !a.settlement.final_report_filed,
        "can_manage": user.actor.role == Role::Organizer && live,
    }))
}

async fn agreement_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<AgreementId>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = agreement_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(crate::web::view::flash_of(&req, &view));
    Ok(view.render("agreement", "agreement-title", data))
}

/// A new agreement as the page asks for it: tranches as "year | złoty"
/// rows, indicators one a line.
#[derive(Deserialize)]
struct AgreementForm {
    #[serde(default)]
    organization_id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    financing: String,
    #[serde(deserialize_with = "cus_db::bounds::date")]
    start_date: NaiveDate,
    #[serde(deserialize_with = "cus_db::bounds::date")]
    end_date: NaiveDate,
    #[serde(default)]
    tranches: YearAmounts,
    #[serde(default)]
    indicators: Lines,
    #[serde(default)]
    capacity_unit: Option<String>,
    #[serde(default)]
    capacity_per_year: Option<Count>,
    #[serde(default)]
    program_service_id: Option<String>,
}

fn tranches(rows: YearAmounts) -> Vec<Tranche> {
    (rows.0.into_iter())
        .map(|r| Tranche {
            year: r.year,
            amount_grosze: r.grosze,
        })
        .collect()
}

impl From<AgreementForm> for AgreementInput {
    fn from(f: AgreementForm) -> Self {
        AgreementInput {
            organization_id: f.organization_id,
            competition_id: None,
            program_service_id: f.program_service_id,
            title: f.title,
            mode: f.mode,
            financing: f.financing,
            start_date: f.start_date,
            end_date: f.end_date,
            tranches: tranches(f.tranches),
            indicators: f.indicators.0,
            capacity_unit: f.capacity_unit,
            capacity_per_year: f.capacity_per_year.map(|c| c.0),
            currency: None,
        }
    }
}

/// A report as the page asks for it: amounts in złoty, indicator values as
/// "indicator | value" lines (a line without its value is left out).
#[derive(Deserialize, Default)]
#[serde(default)]
struct ReportForm {
    period: String,
    kind: String,
    text: String,
    spent: Zloty,
    spent_own: Zloty,
    indicator_values: Lines,
}

impl From<ReportForm> for ReportInput {
    fn from(f: ReportForm) -> Self {
        let indicator_values = (f.indicator_values.0.iter())
            .filter_map(|line| {
                let mut cells = line.split('|').map(str::trim);
                Some((cells.next()?.to_string(), json!(cells.next()?)))
            })
            .collect();
        ReportInput {
            period: f.period,
            kind: f.kind,
            text: f.text,
            spent_grosze: f.spent.0,
            spent_own_grosze: f.spent_own.0,
            indicator_values,
        }
    }
}

/// An annex as the page asks for it: new tranches as "year | złoty" rows
/// (none typed: the old ones stay).
#[derive(Deserialize, Default)]
#[serde(default)]
struct AnnexForm {
    reason: String,
    changes: String,
    tranches: YearAmounts,
    #[serde(deserialize_with = "cus_db::bounds::opt_date")]
    end_date: Option<NaiveDate>,
}

impl From<AnnexForm> for AnnexInput {
    fn from(f: AnnexForm) -> Self {
        let tranches = tranches(f.tranches);
        AnnexInput {
            reason: f.reason,
            changes: f.changes,
            tranches: (!tranches.is_empty()).then_some(tranches),
            end_date: f.end_date,
        }
    }
}

/// A new agreement (`POST /agreements`): to its page, or the list again
/// with the reasons.
async fn agreement_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<AgreementForm>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, f| {
            agreements::create(c, &actor, f.into()).map(|a| a.row.id)
        })
        .await;
    match result {
        Ok(id) => Ok(Flash::Saved.redirect(&format!("/agreements/{id}"))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut data =
                agreements_data(&req, &st, &user, Default::default(), Default::default()).await?;
            data["values"] = values(&form.typed);
            view.form_error(e, "agreements", "agreements-title", data)
        }
    }
}

/// The end of an agreement page's form: back to the agreement, or its
/// page again with the reasons beside the `failed` form.
async fn agreement_done<T>(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    typed: &HashMap<String, String>,
    id: AgreementId,
    failed: &'static str,
    result: AppResult<T>,
) -> AppResult<HttpResponse> {
    let to = format!("/agreements/{id}");
    RecordPage::new(
        to,
        "agreement",
        "agreement-title",
        agreement_data(st, user, id),
    )
    .failed(failed)
    .settle(req, user, typed, result)
    .await
}

/// The NGO's report (`POST /agreements/{id}/reports`).
async fn agreement_report(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<AgreementId>,
    form: Form<ReportForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, aid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, f| {
            agreements::report(c, &actor, &aid, f.into())
        })
        .await;
    agreement_done(&req, &st, &user, &form.typed, id, "report", result).await
}

/// An annex (`POST /agreements/{id}/annexes`).
async fn agreement_annex(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<AgreementId>,
    form: Form<AnnexForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, aid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, f| {
            agreements::annex(c, &actor, &aid, f.into())
        })
        .await;
    agreement_done(&req, &st, &user, &form.typed, id, "annex", result).await
}

/// The agreement's termination (`POST /agreements/{id}/terminate`).
async fn agreement_terminate(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<AgreementId>,
    form: Form<TerminateInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, aid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, input| {
            agreements::terminate(c, &actor, &aid, input)
        })
        .await;
    agreement_done(&req, &st, &user, &form.typed, id, "terminate", result).await
}

async fn agreement_document(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<AgreementId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = user.actor.clone();
    let data = st
        .db(move |c| {
            let a = agreements::get(c, &actor, &id)?;
            let org = organizations::load(c, &a.row.organization_id)?;
            Ok(json!({"a": a, "org": org}))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    let mut data = data;
    data["printed"] = json!(cus_db::today());
    Ok(view.render_status(
        StatusCode::OK,
        "agreement_document",
        "agreement-document-title",
        data,
    ))
}
