//! Agreements: yearly tranches, reports, annexes, termination, the printable
//! agreement, and the OCDS export.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use contracting::agreements::{AgreementInput, AnnexInput, ReportInput, TerminateInput, Tranche};
use contracting::{agreements, organizations};
use cus_db::error::Check;
use cus_db::{DomainError, Role};
use serde_json::{json, Value};
use utoipa_actix_web::service_config::ServiceConfig;

use super::competitions::MunicipalityQuery;
use super::forms::{date_field, finish, int_field, lines_field, money_field, rows, year_amounts};
use crate::platform::error::AppResult;
use crate::platform::state::AppState;
use crate::web::api::{created, list};
use crate::web::extract::{ApiJson, ApiUser, PageUser};
use crate::web::view::{field as f, opt, redirect, values, View};

type Data = web::Data<AppState>;
type Form = crate::web::extract::PageForm;

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
        .route("/agreements/{id}/act", post().to(agreement_act))
        .route("/agreements/{id}/document", get().to(agreement_document));
}

#[utoipa::path(request_body = AgreementInput, responses((status = 201, body = agreements::Agreement), (status = 422)), security(("bearer" = [])))]
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

#[utoipa::path(responses((status = 200, body = [agreements::AgreementRow])), security(("bearer" = [])))]
#[get("/agreements")]
async fn list_agreements(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.db(move |c| agreements::list(c, &user.0)).await?))
}

#[utoipa::path(responses((status = 200, body = agreements::Agreement), (status = 404)), security(("bearer" = [])))]
#[get("/agreements/{id}")]
async fn get_agreement(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| agreements::get(c, &user.0, &id)).await?))
}

#[utoipa::path(request_body = ReportInput, responses((status = 201, body = agreements::Agreement), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/agreements/{id}/reports")]
async fn file_report(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<ReportInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(created(
        &st.tx(move |c| agreements::report(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(request_body = AnnexInput, responses((status = 201, body = agreements::Agreement), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/agreements/{id}/annexes")]
async fn add_annex(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<AnnexInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(created(
        &st.tx(move |c| agreements::annex(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(request_body = TerminateInput, responses((status = 200, body = agreements::Agreement), (status = 409)), security(("bearer" = [])))]
#[post("/agreements/{id}/terminate")]
async fn terminate_agreement(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
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

async fn agreements_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let (list, orgs) = st
        .db(move |c| {
            let list = agreements::list(c, &actor)?;
            let orgs = if actor.role == Role::Organizer {
                organizations::list(c, &actor)?
            } else {
                vec![]
            };
            Ok((list, orgs))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "agreements",
        "agreements-title",
        json!({"agreements": list, "organizations": orgs, "can_create": user.actor.role == Role::Organizer, "modes": agreements::MODES}),
    ))
}

async fn agreement_data(st: &Data, user: &PageUser, id: String) -> AppResult<Value> {
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
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = agreement_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(crate::web::view::flash_of(&req, &view));
    Ok(view.render("agreement", "agreement-title", data))
}

async fn agreement_act(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(f(&form, "csrf"))?;
    let id = path.into_inner();
    let actor = user.actor.clone();
    let action = f(&form, "action").to_string();
    let mut check = Check::new();
    let aid = id.clone();
    let result: AppResult<String> = match action.as_str() {
        "create" => {
            let tranches = year_amounts(&mut check, &form, "tranches")
                .into_iter()
                .map(|(year, amount_grosze)| Tranche {
                    year,
                    amount_grosze,
                })
                .collect();
            let input = AgreementInput {
                organization_id: f(&form, "organization_id").into(),
                competition_id: None,
                title: opt(&form, "title"),
                mode: f(&form, "mode").into(),
                financing: f(&form, "financing").into(),
                start_date: date_field(&mut check, &form, "start_date"),
                end_date: date_field(&mut check, &form, "end_date"),
                tranches,
                indicators: lines_field(&form, "indicators"),
                capacity_unit: opt(&form, "capacity_unit"),
                capacity_per_year: opt(&form, "capacity_per_year")
                    .map(|_| int_field(&mut check, &form, "capacity_per_year")),
                currency: None,
            };
            match finish(check) {
                Ok(()) => {
                    st.tx(move |c| agreements::create(c, &actor, input).map(|a| a.row.id))
                        .await
                }
                Err(e) => Err(e),
            }
        }
        "report" => {
            let indicator_values = rows(f(&form, "indicator_values"))
                .into_iter()
                .filter_map(|r| Some((r.first()?.clone(), json!(r.get(1)?.clone()))))
                .collect();
            let input = ReportInput {
                period: f(&form, "period").into(),
                kind: f(&form, "kind").into(),
                text: f(&form, "text").into(),
                spent_grosze: money_field(&mut check, &form, "spent"),
                spent_own_grosze: money_field(&mut check, &form, "spent_own"),
                indicator_values,
            };
            match finish(check) {
                Ok(()) => {
                    st.tx(move |c| agreements::report(c, &actor, &aid, input).map(|_| aid))
                        .await
                }
                Err(e) => Err(e),
            }
        }
        "annex" => {
            let tranches: Vec<Tranche> = year_amounts(&mut check, &form, "tranches")
                .into_iter()
                .map(|(year, amount_grosze)| Tranche {
                    year,
                    amount_grosze,
                })
                .collect();
            let end_date =
                opt(&form, "end_date").map(|_| date_field(&mut check, &form, "end_date"));
            let input = AnnexInput {
                reason: f(&form, "reason").into(),
                changes: f(&form, "changes").into(),
                tranches: (!tranches.is_empty()).then_some(tranches),
                end_date,
            };
            match finish(check) {
                Ok(()) => {
                    st.tx(move |c| agreements::annex(c, &actor, &aid, input).map(|_| aid))
                        .await
                }
                Err(e) => Err(e),
            }
        }
        "terminate" => {
            let input = TerminateInput {
                reason: f(&form, "reason").into(),
            };
            st.tx(move |c| agreements::terminate(c, &actor, &aid, input).map(|_| aid))
                .await
        }
        _ => Err(DomainError::field("action", "error-type").into()),
    };
    match result {
        Ok(target) => Ok(redirect(&format!("/agreements/{target}?done=flash-saved"))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            if action == "create" {
                let actor = user.actor.clone();
                let (list, orgs) = st
                    .db(move |c| {
                        Ok((
                            agreements::list(c, &actor)?,
                            organizations::list(c, &actor)?,
                        ))
                    })
                    .await?;
                let data = json!({"agreements": list, "organizations": orgs, "can_create": true, "modes": agreements::MODES, "values": values(&form)});
                return view.form_error(e, "agreements", "agreements-title", data);
            }
            let mut data = agreement_data(&st, &user, id).await?;
            data["values"] = values(&form);
            data["failed_action"] = json!(action);
            view.form_error(e, "agreement", "agreement-title", data)
        }
    }
}

async fn agreement_document(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
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
