//! IPUS: plans, their items and lifecycle, the printable plan.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use cus_db::{DomainError, Role};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::plans::{
    NewItem, NewPlan, PlanId, PlanOutcome, PlanStatus, ResidentId, TransitionInput,
};
use crate::platform::auth;
use crate::platform::error::{AppError, AppResult};
use crate::platform::state::AppState;
use crate::web::api::created;
use crate::web::extract::{ApiJson, ApiUser, Form, MaybePageUser, NoFields, PageUser};
use crate::web::view::{flash_of, query_map, settle, values, Again, Flash, View};
use crate::{plans, window};

type Data = web::Data<AppState>;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(create_plan)
        .service(list_plans)
        .service(get_plan)
        .service(add_plan_item)
        .service(transition_plan)
        .service(request_consent);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/plans", get().to(plans_list))
        .route("/plans/new", get().to(plan_form))
        .route("/plans/new", post().to(plan_create))
        .route("/plans/{id}", get().to(plan_page))
        .route("/plans/{id}/items", post().to(plan_item_add))
        .route("/plans/{id}/transition", post().to(plan_transition))
        .route(
            "/plans/{id}/consent-request",
            post().to(plan_consent_request),
        )
        .route("/plans/{id}/document", get().to(plan_document));
}

#[utoipa::path(request_body = NewPlan, responses((status = 201, body = plans::Plan), (status = 403), (status = 422)), security(("bearer" = [])))]
#[post("/plans")]
async fn create_plan(st: Data, user: ApiUser, body: ApiJson<NewPlan>) -> AppResult<HttpResponse> {
    let rules = st.config.rules.plans();
    let p = st
        .tx(move |c| plans::create_plan(c, &user.0, &rules, body.0))
        .await?;
    Ok(created(&p))
}

/// Plans by status, what is due, the coordinator's own, sorted, one page
/// at a time.
#[utoipa::path(params(plans::PlanFilter), responses((status = 200, body = cus_db::openapi::Page<plans::PlanRow>), (status = 403), (status = 422)), security(("bearer" = [])))]
#[get("/plans")]
async fn list_plans(
    st: Data,
    user: ApiUser,
    q: web::Query<plans::PlanFilter>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let (items, total) = st
        .db(move |c| plans::find_plans(c, &user.0, &q, crate::dashboard::today()))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "total": total})))
}

/// A plan with items and history; every read is audited.
#[utoipa::path(params(("id" = PlanId, Path)), responses((status = 200, body = plans::PlanView), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/plans/{id}")]
async fn get_plan(st: Data, user: ApiUser, path: web::Path<PlanId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let p = st
        .audited(move |c| plans::get_plan(c, &user.0, &id))
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

#[utoipa::path(params(("id" = PlanId, Path)), request_body = NewItem, responses((status = 201, body = plans::PlanItem), (status = 404), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/plans/{id}/items")]
async fn add_plan_item(
    st: Data,
    user: ApiUser,
    path: web::Path<PlanId>,
    body: ApiJson<NewItem>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let rules = st.config.rules.plans();
    let item = st
        .tx(move |c| plans::add_item(c, &user.0, &rules, &id, body.0))
        .await?;
    Ok(created(&item))
}

/// Moves a plan along its lifecycle; illegal moves answer 409.
#[utoipa::path(params(("id" = PlanId, Path)), request_body = TransitionInput, responses((status = 200, body = plans::Plan), (status = 403), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/plans/{id}/transition")]
async fn transition_plan(
    st: Data,
    user: ApiUser,
    path: web::Path<PlanId>,
    body: ApiJson<TransitionInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let p = st
        .tx(move |c| plans::transition(c, &user.0, &id, body.0))
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Mails the resident that the plan awaits their consent.
#[utoipa::path(params(("id" = PlanId, Path)), responses((status = 200), (status = 409), (status = 403)), security(("bearer" = [])))]
#[post("/plans/{id}/consent-request")]
async fn request_consent(
    st: Data,
    user: ApiUser,
    path: web::Path<PlanId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let sent = st
        .tx(move |c| plans::request_consent(c, &user.0, &id))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"mailed": sent})))
}

async fn plans_list(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    q: web::Query<plans::PlanFilter>,
) -> AppResult<HttpResponse> {
    let filter = q.into_inner();
    let shown = filter.clone();
    let actor = user.actor.clone();
    let (plans, total) = st
        .db(move |c| plans::find_plans(c, &actor, &filter, crate::dashboard::today()))
        .await?;
    let view = View::new(&req, Some(&user));
    let pager = crate::web::view::pager(&req, shown.page, shown.per_page.unwrap_or(20), total);
    Ok(view.render(
        "plans",
        "plans-title",
        json!({"plans": plans, "total": total, "pager": pager,
               "can_create": user.actor.role == Role::Coordinator,
               "can_mine": user.actor.role == Role::Coordinator,
               "f": {"status": shown.status, "due": shown.due, "sort": shown.sort, "mine": shown.mine.unwrap_or(false)},
               "statuses": <plans::PlanStatus as cus_db::TextEnum>::ALL,
               "sorts": <plans::PlanSort as cus_db::TextEnum>::ALL}),
    ))
}

async fn plan_form(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    user.actor.require(&[Role::Coordinator])?;
    let q = query_map(&req);
    let resident_id = q.get("resident_id").cloned().unwrap_or_default();
    let actor = user.actor.clone();
    let rid = ResidentId::parse(&resident_id).ok_or(DomainError::NotFound)?;
    let resident = st
        .audited(move |c| window::get_resident(c, &actor, &rid))
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "plan_new",
        "plan-new-title",
        json!({"resident": resident, "values": {"request_id": q.get("request_id")}}),
    ))
}

/// The new-plan form: the API's `NewPlan`, with the goals one a line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PlanForm {
    #[serde(default)]
    resident_id: String,
    request_id: Option<String>,
    #[serde(default)]
    goals: String,
    #[serde(default)]
    needs: String,
    #[serde(default)]
    resident_commitments: String,
    #[serde(default, deserialize_with = "cus_db::bounds::opt_date")]
    application_date: Option<chrono::NaiveDate>,
}

impl From<PlanForm> for NewPlan {
    fn from(f: PlanForm) -> Self {
        NewPlan {
            resident_id: f.resident_id,
            request_id: f.request_id,
            goals: f.goals.lines().map(str::to_string).collect(),
            needs: f.needs,
            resident_commitments: f.resident_commitments,
            application_date: f.application_date,
        }
    }
}

async fn plan_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<PlanForm>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let actor = user.actor.clone();
    let rules = st.config.rules.plans();
    let result = st
        .tx_input(form.input, move |c, f| {
            plans::create_plan(c, &actor, &rules, f.into())
        })
        .await;
    match result {
        Ok(p) => Ok(Flash::Saved.redirect(&format!("/plans/{}", p.id))),
        Err(e) => plan_form_error(&view, &st, &user, &form.typed, e).await,
    }
}

async fn plan_form_error(
    view: &View,
    st: &Data,
    user: &PageUser,
    form: &HashMap<String, String>,
    err: AppError,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let rid = form
        .get("resident_id")
        .and_then(|r| ResidentId::parse(r))
        .ok_or(DomainError::NotFound)?;
    let resident = st
        .audited(move |c| window::get_resident(c, &actor, &rid))
        .await?;
    view.form_error(
        err,
        "plan_new",
        "plan-new-title",
        json!({"resident": resident, "values": values(form)}),
    )
}

async fn plan_data(st: &Data, user: &PageUser, id: PlanId) -> AppResult<Value> {
    let actor = user.actor.clone();
    let (plan, services) = st
        .audited(move |c| {
            let plan = plans::get_plan(c, &actor, &id)?;
            let services = if actor.role == Role::Coordinator {
                window::list_services(c, &actor)?
            } else {
                vec![]
            };
            Ok((plan, services))
        })
        .await?;
    let a = &user.actor;
    Ok(json!({
        "p": plan,
        "services": services.into_iter().filter(|s| s.active).collect::<Vec<_>>(),
        "can_edit": a.role == Role::Coordinator && plan.plan.status == PlanStatus::Draft,
        "is_resident": a.role == Role::Resident,
        "is_coordinator": a.role == Role::Coordinator,
        "outcomes": PlanOutcome::ALL,
        "overdue": plan.days_to_deadline.is_some_and(|d| d < 0) || plan.plan.overdue,
    }))
}

async fn plan_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<PlanId>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = plan_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("plan", "plan-title", data))
}

async fn plan_step_failed(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    id: PlanId,
    form: &HashMap<String, String>,
    err: AppError,
) -> AppResult<HttpResponse> {
    let refused: AppResult<()> = Err(err);
    settle(
        &View::new(&req, Some(&user)),
        form,
        refused,
        (Flash::Saved, ""),
        Again {
            template: "plan",
            title: "plan-title",
            data: plan_data(st, user, id),
        },
    )
    .await
}

async fn plan_item_add(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<PlanId>,
    form: Form<NewItem>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let item = match form.input {
        Ok(i) => i,
        Err(e) => return plan_step_failed(&req, &st, &user, id, &form.typed, e).await,
    };
    let (actor, pid) = (user.actor.clone(), id.clone());
    let rules = st.config.rules.plans();
    match st
        .tx(move |c| plans::add_item(c, &actor, &rules, &pid, item))
        .await
    {
        Ok(_) => Ok(Flash::Saved.redirect(&format!("/plans/{id}"))),
        Err(e) => plan_step_failed(&req, &st, &user, id, &form.typed, e).await,
    }
}

async fn plan_transition(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<PlanId>,
    form: Form<TransitionInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = match form.input {
        Ok(i) => i,
        Err(e) => return plan_step_failed(&req, &st, &user, id, &form.typed, e).await,
    };
    let (actor, pid) = (user.actor.clone(), id.clone());
    match st
        .tx(move |c| plans::transition(c, &actor, &pid, input))
        .await
    {
        Ok(_) => Ok(Flash::Saved.redirect(&format!("/plans/{id}"))),
        Err(e) => plan_step_failed(&req, &st, &user, id, &form.typed, e).await,
    }
}

async fn plan_consent_request(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<PlanId>,
    form: Form<NoFields>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, pid) = (user.actor.clone(), id.clone());
    match st
        .tx(move |c| plans::request_consent(c, &actor, &pid))
        .await
    {
        Ok(true) => Ok(Flash::ConsentRequested.redirect(&format!("/plans/{id}"))),
        Ok(false) => Ok(Flash::ConsentNoEmail.redirect(&format!("/plans/{id}"))),
        Err(e) => plan_step_failed(&req, &st, &user, id, &form.typed, e).await,
    }
}

/// The plan as a document to print and sign (API.md: `/plans/{id}/document`).
/// Also answers API clients with a bearer token.
async fn plan_document(
    req: HttpRequest,
    st: Data,
    user: MaybePageUser,
    path: web::Path<PlanId>,
) -> AppResult<HttpResponse> {
    let actor = match user.0 {
        Some(u) => u.actor,
        None => {
            let token = crate::web::extract::bearer(&req).ok_or(DomainError::Unauthorized)?;
            st.db(move |c| Ok(auth::session_actor(c, &token, auth::KIND_BEARER)?))
                .await?
                .map(|(a, _)| a)
                .ok_or(DomainError::Unauthorized)?
        }
    };
    let id = path.into_inner();
    let a = actor.clone();
    let plan = st
        .audited(move |c| plans::plan_document(c, &a, &id))
        .await?;
    let view = View::new(&req, None);
    Ok(view.render(
        "plan_document",
        "plan-title",
        json!({"p": plan, "printed": cus_db::today()}),
    ))
}
