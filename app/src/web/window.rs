//! The single window: the public front page, the service catalogue,
//! residents, requests with routing and messages, the resident's cases and
//! the staff's work list.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use cus_db::{DomainError, Lifecycle, Role};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::platform::error::AppResult;
use crate::platform::state::AppState;
use crate::web::api::created;
use crate::web::extract::{checkbox, ApiJson, ApiUser, Form, MaybePageUser, PageUser};
use crate::web::view::{flash_of, query_map, redirect, settle, values, Again, Flash, View};
use crate::window::{
    MessageInput, NewRequest, NewResident, RequestStatus, RouteInput, ServiceInput,
};
use crate::{plans, window};

type Data = web::Data<AppState>;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(list_services)
        .service(create_service)
        .service(update_service)
        .service(create_resident)
        .service(search_residents)
        .service(get_resident)
        .service(create_request)
        .service(list_requests)
        .service(get_request)
        .service(route_request)
        .service(send_message);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/", get().to(home))
        .route("/accessibility", get().to(accessibility))
        .route("/cases", get().to(cases))
        .route("/requests/new", get().to(request_form))
        .route("/requests/new", post().to(request_create))
        .route("/requests/{id}", get().to(request_page))
        .route("/requests/{id}/route", post().to(request_route))
        .route("/requests/{id}/messages", post().to(request_message))
        .route("/work", get().to(work))
        .route("/residents", get().to(residents))
        .route("/residents", post().to(resident_create))
        .route("/residents/{id}", get().to(resident_page))
        .route("/services", get().to(services))
        .route("/services", post().to(service_save))
        .route("/services/{code}/edit", get().to(service_edit));
}

#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<window::Service>), (status = 403)), security(("bearer" = [])))]
#[get("/services")]
async fn list_services(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    let actor = user.0;
    if !(actor.role.is_staff() || actor.role == Role::Resident) {
        return Err(DomainError::Forbidden.into());
    }
    let items = st.db(move |c| window::list_services(c, &actor)).await?;
    let total = items.len();
    Ok(HttpResponse::Ok().json(json!({"items": items, "total": total})))
}

#[utoipa::path(request_body = ServiceInput, responses((status = 201, body = window::Service), (status = 403), (status = 422)), security(("bearer" = [])))]
#[post("/services")]
async fn create_service(
    st: Data,
    user: ApiUser,
    body: ApiJson<ServiceInput>,
) -> AppResult<HttpResponse> {
    let s = st
        .tx(move |c| window::save_service(c, &user.0, None, body.0))
        .await?;
    Ok(created(&s))
}

#[utoipa::path(request_body = ServiceInput, responses((status = 200, body = window::Service), (status = 404), (status = 422), (status = 403)), security(("bearer" = [])))]
#[put("/services/{code}")]
async fn update_service(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<ServiceInput>,
) -> AppResult<HttpResponse> {
    let code = path.into_inner();
    let s = st
        .tx(move |c| window::save_service(c, &user.0, Some(&code), body.0))
        .await?;
    Ok(HttpResponse::Ok().json(s))
}

/// The desk (or a coordinator) registers a resident; PESEL is checked.
#[utoipa::path(request_body = NewResident, responses((status = 201, body = window::Resident), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/residents")]
async fn create_resident(
    st: Data,
    user: ApiUser,
    body: ApiJson<NewResident>,
) -> AppResult<HttpResponse> {
    let r = st
        .tx(move |c| window::create_resident(c, &user.0, body.0))
        .await?;
    Ok(created(&r))
}

#[derive(Deserialize, IntoParams)]
struct SearchQuery {
    /// The whole PESEL, or the start of the last name: two characters or
    /// more besides `%` and `_`.
    #[param(
        required = true,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^%_\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*[^%_\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    q: Option<String>,
}

/// Residents by PESEL or last name (prefix): the roles working on cases
/// only; names and birth year, each resident shown audited.
#[utoipa::path(params(SearchQuery), responses((status = 200, body = cus_db::openapi::Page<window::ResidentHit>), (status = 403), (status = 422)), security(("bearer" = [])))]
#[get("/residents")]
async fn search_residents(
    st: Data,
    user: ApiUser,
    q: web::Query<SearchQuery>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner().q.unwrap_or_default();
    let items = st
        .audited(move |c| window::search_residents(c, &user.0, &q))
        .await?;
    let total = items.len();
    Ok(HttpResponse::Ok().json(json!({"items": items, "total": total})))
}

/// A resident's details; the read is audited.
#[utoipa::path(responses((status = 200, body = window::Resident), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/residents/{id}")]
async fn get_resident(st: Data, user: ApiUser, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let r = st
        .audited(move |c| window::get_resident(c, &user.0, &id))
        .await?;
    Ok(HttpResponse::Ok().json(r))
}

#[utoipa::path(request_body = NewRequest, responses((status = 201, description = "`{id, case_number, status}`"), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/requests")]
async fn create_request(
    st: Data,
    user: ApiUser,
    body: ApiJson<NewRequest>,
) -> AppResult<HttpResponse> {
    let rules = st.config.rules.clone();
    let r = st
        .tx(move |c| window::file_request(c, &user.0, &rules, body.0))
        .await?;
    Ok(created(&r))
}

#[derive(Deserialize, IntoParams)]
struct RequestListQuery {
    #[param(minimum = 1, maximum = 10_000_000)]
    page: Option<i64>,
    #[param(minimum = 1, maximum = 100)]
    per_page: Option<i64>,
    /// Staff: every request of the municipality, not only those routed to the role.
    all: Option<bool>,
}

#[utoipa::path(params(RequestListQuery), responses((status = 200, body = cus_db::openapi::Page<window::RequestRow>), (status = 403)), security(("bearer" = [])))]
#[get("/requests")]
async fn list_requests(
    st: Data,
    user: ApiUser,
    q: web::Query<RequestListQuery>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let (page, per_page) = cus_db::bounds::paging(q.page, q.per_page)?;
    let all = q.all.unwrap_or(false);
    let (items, total) = st
        .db(move |c| window::list_requests(c, &user.0, all, page, per_page))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "total": total})))
}

#[utoipa::path(responses((status = 200, body = window::RequestView), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/requests/{id}")]
async fn get_request(st: Data, user: ApiUser, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let r = st
        .audited(move |c| window::get_request(c, &user.0, &id))
        .await?;
    Ok(HttpResponse::Ok().json(r))
}

#[utoipa::path(request_body = RouteInput, responses((status = 200, body = window::Request), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
#[post("/requests/{id}/route")]
async fn route_request(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<RouteInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let r = st
        .tx(move |c| window::route_request(c, &user.0, &id, body.0))
        .await?;
    Ok(HttpResponse::Ok().json(r))
}

#[utoipa::path(request_body = MessageInput, responses((status = 201, body = window::Message), (status = 403), (status = 422)), security(("bearer" = [])))]
#[post("/requests/{id}/messages")]
async fn send_message(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<MessageInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let m = st
        .tx(move |c| window::send_message(c, &user.0, &id, body.0))
        .await?;
    Ok(created(&m))
}

async fn home(req: HttpRequest, user: MaybePageUser) -> HttpResponse {
    let view = View::new(&req, user.0.as_ref());
    view.render("home", "home-title", json!({}))
}

async fn accessibility(req: HttpRequest, user: MaybePageUser) -> HttpResponse {
    View::new(&req, user.0.as_ref()).render("accessibility", "a11y-title", json!({}))
}

async fn cases(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    if user.actor.role != Role::Resident {
        return Ok(redirect("/work"));
    }
    let actor = user.actor.clone();
    let (requests, plans) = st
        .db(move |c| {
            let (rows, _) = window::list_requests(c, &actor, false, 1, 100)?;
            let plans = plans::list_plans(c, &actor)?;
            Ok((rows, plans))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "cases",
        "cases-title",
        json!({"requests": requests, "plans": plans, "flash": flash_of(&req, &view)}),
    ))
}

async fn request_form(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let q = query_map(&req);
    let data = request_form_data(&st, &user, q.get("resident_id").cloned()).await?;
    Ok(view.render("request_new", "request-new-title", data))
}

async fn request_form_data(
    st: &Data,
    user: &PageUser,
    resident_id: Option<String>,
) -> AppResult<Value> {
    user.actor.require(&[Role::Resident, Role::Desk])?;
    let actor = user.actor.clone();
    let (services, resident) = st
        .tx(move |c| {
            let services = window::list_services(c, &actor)?;
            let resident = match resident_id.filter(|_| actor.role == Role::Desk) {
                Some(id) => Some(window::get_resident(c, &actor, &id)?),
                None => None,
            };
            Ok((services, resident))
        })
        .await?;
    let services: Vec<_> = services.into_iter().filter(|s| s.active).collect();
    Ok(json!({"services": services, "resident": resident, "desk": user.actor.role == Role::Desk}))
}

/// The request form: the API's `NewRequest` less its channel, which is
/// where the form is filed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestForm {
    resident_id: Option<String>,
    service_code: Option<String>,
    #[serde(default)]
    description: String,
}

async fn request_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<RequestForm>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    // The channel is where the request is filed, not the resident's choice.
    let channel = if user.actor.role == Role::Desk {
        "desk"
    } else {
        "online"
    };
    let actor = user.actor.clone();
    let rules = st.config.rules.clone();
    let resident_id = form.typed.get("resident_id").cloned();
    let result = match form.input {
        Ok(f) => {
            let input = NewRequest {
                resident_id: f.resident_id,
                service_code: f.service_code,
                description: f.description,
                channel: channel.to_string(),
            };
            st.tx(move |c| window::file_request(c, &actor, &rules, input))
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(r) => Ok(Flash::RequestFiled.redirect(&format!("/requests/{}", r.id))),
        Err(e) => {
            let mut data = request_form_data(&st, &user, resident_id).await?;
            data["values"] = values(&form.typed);
            view.form_error(e, "request_new", "request-new-title", data)
        }
    }
}

async fn request_data(st: &Data, user: &PageUser, id: String) -> AppResult<Value> {
    let actor = user.actor.clone();
    let view = st
        .audited(move |c| window::get_request(c, &actor, &id))
        .await?;
    let a = &user.actor;
    let kinds = window::MessageKind::sent_by(a.role).map_or(&[][..], |(kinds, _)| kinds);
    Ok(json!({
        "r": view,
        "can_route": a.is(&[Role::Desk, Role::Organizer])
            && RequestStatus::can_move(view.request.status, RequestStatus::Routed),
        "route_targets": window::RouteTarget::ALL,
        "can_message": !kinds.is_empty(),
        "message_kinds": kinds,
        "can_plan": a.role == Role::Coordinator && view.request.status != RequestStatus::Closed,
        "staff": a.role.is_staff(),
    }))
}

async fn request_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = request_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("request", "request-title", data))
}

async fn request_route(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form<RouteInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, rid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, input| {
            window::route_request(c, &actor, &rid, input)
        })
        .await;
    let to = format!("/requests/{id}");
    settle(
        &View::new(&req, Some(&user)),
        &form.typed,
        result,
        (Flash::Saved, &to),
        Again {
            template: "request",
            title: "request-title",
            data: request_data(&st, &user, id),
        },
    )
    .await
}

async fn request_message(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form<MessageInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, rid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, input| {
            window::send_message(c, &actor, &rid, input)
        })
        .await;
    let to = format!("/requests/{id}");
    settle(
        &View::new(&req, Some(&user)),
        &form.typed,
        result,
        (Flash::Sent, &to),
        Again {
            template: "request",
            title: "request-title",
            data: request_data(&st, &user, id),
        },
    )
    .await
}

async fn work(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    if user.actor.role == Role::Resident {
        return Ok(redirect("/cases"));
    }
    if !user.actor.role.is_staff() {
        return Err(DomainError::Forbidden.into());
    }
    let q = query_map(&req);
    let all = q.get("all").is_some_and(|v| v == "1");
    let actor = user.actor.clone();
    let with_plans = actor.is(&[Role::Coordinator, Role::Organizer, Role::Admin]);
    let (requests, total, plans) = st
        .db(move |c| {
            let (rows, total) = window::list_requests(c, &actor, all, 1, 100)?;
            let plans = if with_plans {
                plans::list_plans(c, &actor)?
            } else {
                vec![]
            };
            Ok((rows, total, plans))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    let role_filtered = matches!(
        user.actor.role,
        Role::SocialWorker | Role::Benefits | Role::Coordinator
    );
    Ok(view.render(
        "work",
        "nav-work",
        json!({"requests": requests, "total": total, "plans": plans, "with_plans": with_plans,
               "all": all, "role_filtered": role_filtered, "today": cus_db::today()}),
    ))
}

fn can_register_residents(user: &PageUser) -> bool {
    user.actor.is(&[Role::Desk, Role::Coordinator, Role::Admin])
}

async fn residents(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    user.actor.require(window::SEARCHING_RESIDENTS)?;
    let q = query_map(&req);
    let query = q.get("q").cloned();
    let actor = user.actor.clone();
    let view = View::new(&req, Some(&user));
    let data = json!({"q": query, "can_register": can_register_residents(&user)});
    let found = match query.clone().filter(|s| !s.trim().is_empty()) {
        Some(text) => {
            match st
                .audited(move |c| window::search_residents(c, &actor, &text))
                .await
            {
                Ok(found) => Some(found),
                Err(e) => return view.form_error(e, "residents", "residents-title", data),
            }
        }
        None => None,
    };
    let mut data = data;
    data["found"] = json!(found);
    Ok(view.render("residents", "residents-title", data))
}

async fn resident_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<NewResident>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, input| {
            window::create_resident(c, &actor, input)
        })
        .await;
    match result {
        Ok(r) => Ok(Flash::ResidentRegistered.redirect(&format!("/residents/{}", r.id))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            view.form_error(
                e,
                "residents",
                "residents-title",
                json!({"values": values(&form.typed), "can_register": can_register_residents(&user)}),
            )
        }
    }
}

async fn resident_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = user.actor.clone();
    let resident = st
        .audited(move |c| window::get_resident(c, &actor, &id))
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render(
        "resident",
        "resident-title",
        json!({"resident": resident, "flash": flash_of(&req, &view),
               "can_file": user.actor.role == Role::Desk,
               "can_plan": user.actor.role == Role::Coordinator}),
    ))
}

async fn services_data(st: &Data, user: &PageUser) -> AppResult<Value> {
    let actor = user.actor.clone();
    if !actor.role.is_staff() {
        return Err(DomainError::Forbidden.into());
    }
    let services = st.db(move |c| window::list_services(c, &actor)).await?;
    Ok(json!({
        "services": services,
        "can_edit": user.actor.role == Role::Organizer,
        "areas": window::Area::ALL,
        "variants": window::Variant::ALL,
        "phases": window::Phase::ALL,
    }))
}

async fn services(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = services_data(&st, &user).await?;
    data["flash"] = json!(flash_of(&req, &view));
    data["values"] = json!({"variant": "I", "phase": "III", "active": "on"});
    Ok(view.render("services", "services-title", data))
}

async fn service_edit(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    user.actor.require(&[Role::Organizer])?;
    let code = path.into_inner();
    let municipality = user.actor.home()?.to_string();
    let service = st
        .db(move |c| window::find_service(c, &municipality, &code))
        .await?;
    let view = View::new(&req, Some(&user));
    let mut data = services_data(&st, &user).await?;
    data["editing"] = json!(service.code);
    data["values"] = json!({
        "code": service.code, "name": service.name, "area": service.area, "standard": service.standard,
        "variant": service.variant, "phase": service.phase, "fee_rule": service.fee_rule,
        "access_criteria": service.access_criteria, "active": if service.active { "on" } else { "" },
    });
    Ok(view.render("services", "services-edit", data))
}

/// The catalogue form: the API's `ServiceInput` fields, the entry being
/// edited (none for a new one), and `active` as a checkbox (unchecked sends
/// nothing, so absent is false here, unlike the API's default).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceForm {
    editing: Option<String>,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    area: String,
    #[serde(default)]
    standard: String,
    #[serde(default)]
    variant: String,
    #[serde(default)]
    phase: String,
    #[serde(default)]
    fee_rule: String,
    #[serde(default)]
    access_criteria: String,
    #[serde(default, deserialize_with = "checkbox")]
    active: bool,
}

impl From<ServiceForm> for ServiceInput {
    fn from(f: ServiceForm) -> Self {
        ServiceInput {
            code: f.code.trim().to_string(),
            name: f.name,
            area: f.area,
            standard: f.standard,
            variant: f.variant,
            phase: f.phase,
            fee_rule: f.fee_rule,
            access_criteria: f.access_criteria,
            active: f.active,
        }
    }
}

async fn service_save(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<ServiceForm>,
) -> AppResult<HttpResponse> {
    let editing = form.typed.get("editing").filter(|e| !e.is_empty()).cloned();
    let actor = user.actor.clone();
    let result = match form.input {
        Ok(f) => {
            let ed = f.editing.clone();
            st.tx(move |c| window::save_service(c, &actor, ed.as_deref(), f.into()))
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Flash::Saved.redirect("/services")),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut data = services_data(&st, &user).await?;
            data["values"] = values(&form.typed);
            data["editing"] = json!(editing);
            view.form_error(e, "services", "services-title", data)
        }
    }
}
