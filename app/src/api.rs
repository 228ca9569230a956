//! The JSON API (`/api/v1`, API.md): one route table, thin handlers over the
//! same service functions the pages use.

use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use cus_db::audit::audit;
use cus_db::identifiers::Teryt;
use cus_db::schema::{audit_log, municipalities, users};
use cus_db::{now, Actor, DomainError, Role};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::auth::{self, Registration, KIND_BEARER};
use crate::error::{AppError, AppResult};
use crate::plans::{self, NewItem, NewPlan, TransitionInput};
use crate::state::{bearer, peer, ApiJson, ApiUser, AppState};
use crate::window::{self, MessageInput, NewRequest, NewResident, RouteInput, ServiceInput};

type Data = web::Data<AppState>;

/// The route table of `/api/v1`.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(health)
        .service(openapi_json)
        .service(open_session)
        .service(close_session)
        .service(me)
        .service(register)
        .service(confirm)
        .service(password_reset_request)
        .service(password_reset)
        .service(change_password)
        .service(list_municipalities)
        .service(create_municipality)
        .service(create_user)
        .service(list_services)
        .service(create_service)
        .service(update_service)
        .service(create_resident)
        .service(search_residents)
        .service(get_resident)
        .service(create_request)
        .service(list_requests)
        .service(get_request)
        .service(route_request)
        .service(send_message)
        .service(create_plan)
        .service(list_plans)
        .service(get_plan)
        .service(add_plan_item)
        .service(transition_plan)
        .service(request_consent)
        .service(list_audit)
        .service(list_jobs)
        .configure(crate::contracting_api::routes)
        .configure(crate::community_api::routes);
}

/// The OpenAPI document of every route above, built once.
pub fn openapi_document() -> &'static str {
    static DOC: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DOC.get_or_init(|| {
        use utoipa::OpenApi;
        use utoipa_actix_web::AppExt;
        #[derive(OpenApi)]
        #[openapi(
            info(title = "CUS API", version = "1", description = "Centrum Usług Społecznych: the single window, IPUS, contracting, community."),
            modifiers(&BearerAuth)
        )]
        struct ApiDoc;
        let (_, api) = actix_web::App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .service(utoipa_actix_web::scope("/api/v1").configure(routes))
            .split_for_parts();
        api.to_pretty_json().expect("the OpenAPI document serializes")
    })
}

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// `?page=N&per_page=M` (at most 100).
#[derive(Debug, Deserialize, IntoParams)]
pub struct Paging {
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

impl Paging {
    pub fn get(&self) -> AppResult<(i64, i64)> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(20);
        if page < 1 {
            return Err(DomainError::field("page", "error-page").into());
        }
        // Bounded so that the offset, (page - 1) * per_page, cannot overflow.
        if page > 10_000_000 {
            return Err(DomainError::field("page", cus_db::bounds::OUT_OF_RANGE).into());
        }
        if !(1..=100).contains(&per_page) {
            return Err(DomainError::field("per_page", "error-per-page").into());
        }
        Ok((page, per_page))
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserInfo {
    id: String,
    email: String,
    role: String,
    municipality: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    organization_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resident_id: Option<String>,
}

impl From<&Actor> for UserInfo {
    fn from(a: &Actor) -> Self {
        UserInfo {
            id: a.user_id.clone(),
            email: a.email.clone(),
            role: a.role.as_str().to_string(),
            municipality: a.municipality.clone(),
            organization_id: a.organization_id.clone(),
            resident_id: a.resident_id.clone(),
        }
    }
}

fn created<T: Serialize>(body: &T) -> HttpResponse {
    HttpResponse::Created().json(body)
}

#[utoipa::path(responses((status = 200, description = "`{status, database}`")))]
#[get("/health")]
async fn health(st: Data) -> AppResult<HttpResponse> {
    st.db(|c| {
        diesel::connection::SimpleConnection::batch_execute(c, "SELECT 1")?;
        Ok(())
    })
    .await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ok", "database": st.backend.name()})))
}

#[utoipa::path(responses((status = 200, description = "This document")))]
#[get("/openapi.json")]
async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(openapi_document())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Credentials {
    email: String,
    password: String,
}

#[derive(Serialize, ToSchema)]
struct SessionOpened {
    token: String,
    user: UserInfo,
}

/// Sign in: a bearer token for the API.
#[utoipa::path(request_body = Credentials, responses((status = 200, body = SessionOpened), (status = 401), (status = 429)))]
#[post("/session")]
async fn open_session(
    st: Data,
    req: HttpRequest,
    body: ApiJson<Credentials>,
) -> AppResult<HttpResponse> {
    let Credentials { email, password } = body.0;
    let address = peer(&req);
    let config = st.config.clone();
    let s = crate::state::hashing(st.db(move |c| {
        auth::login(
            c,
            &config.security,
            &email,
            &password,
            &address,
            KIND_BEARER,
        )
    }))
    .await?;
    Ok(HttpResponse::Ok().json(SessionOpened {
        user: UserInfo::from(&s.actor),
        token: s.token,
    }))
}

/// Sign out: the token stops working at once.
#[utoipa::path(responses((status = 204)), security(("bearer" = [])))]
#[delete("/session")]
async fn close_session(st: Data, req: HttpRequest, _user: ApiUser) -> AppResult<HttpResponse> {
    let token = bearer(&req).unwrap_or_default();
    st.tx(move |c| Ok(auth::logout(c, &token)?)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[utoipa::path(responses((status = 200, body = UserInfo)), security(("bearer" = [])))]
#[get("/me")]
async fn me(user: ApiUser) -> HttpResponse {
    HttpResponse::Ok().json(UserInfo::from(&user.0))
}

/// A resident registers; a mail goes through the outbox: the confirmation,
/// or to an account that has the email already a note saying so. The answer
/// is the same either way (202), so that it tells nobody who is on file;
/// only malformed input is refused.
#[utoipa::path(request_body = Registration, responses((status = 202, description = "`{email_confirmation: \"sent\"}`"), (status = 422)))]
#[post("/register")]
async fn register(
    st: Data,
    req: HttpRequest,
    body: ApiJson<Registration>,
) -> AppResult<HttpResponse> {
    let lang = crate::i18n::api_lang(&req);
    let public = st.config.server.public_url.clone();
    let hash = st.hash_password(body.0.password.clone()).await?;
    st.tx(move |c| auth::register_resident(c, body.0, hash, lang, &public))
        .await?;
    Ok(HttpResponse::Accepted().json(json!({"email_confirmation": "sent"})))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ConfirmInput {
    token: String,
}

#[utoipa::path(request_body = ConfirmInput, responses((status = 200), (status = 404), (status = 409)))]
#[post("/confirm")]
async fn confirm(st: Data, body: ApiJson<ConfirmInput>) -> AppResult<HttpResponse> {
    st.tx(move |c| auth::confirm_email(c, &body.0.token))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"confirmed": true})))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct ResetRequest {
    email: String,
}

/// Asks for a password reset link by mail. The answer is the same (202)
/// whether or not the address has an account; the link (valid one hour,
/// once) goes only to an existing, enabled account, at most one mail per
/// address per 15 minutes. Only a malformed address is refused.
#[utoipa::path(request_body = ResetRequest, responses((status = 202, description = "`{password_reset: \"requested\"}`"), (status = 422)))]
#[post("/password-reset")]
async fn password_reset_request(st: Data, body: ApiJson<ResetRequest>) -> AppResult<HttpResponse> {
    crate::password::ask(&st, body.0.email).await?;
    Ok(HttpResponse::Accepted().json(json!({"password_reset": "requested"})))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewPassword {
    password: String,
}

/// Sets a new password with the token of a reset link; the token is used
/// up and every session of the account ends. An unknown or expired token
/// answers 404, a used one 409.
#[utoipa::path(request_body = NewPassword, responses((status = 200, description = "`{password: \"changed\"}`"), (status = 404), (status = 409), (status = 422)))]
#[post("/password-reset/{token}")]
async fn password_reset(
    st: Data,
    path: web::Path<String>,
    body: ApiJson<NewPassword>,
) -> AppResult<HttpResponse> {
    crate::password::reset(&st, path.into_inner(), body.0.password).await?;
    Ok(HttpResponse::Ok().json(json!({"password": "changed"})))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    current_password: String,
    password: String,
}

/// The signed-in user changes their password: a wrong current password is
/// 422 on `current_password` (and counts towards the sign-in throttle,
/// 429); the account's other sessions end, this one stays.
#[utoipa::path(request_body = PasswordChange, responses((status = 200, description = "`{password: \"changed\"}`"), (status = 401), (status = 422), (status = 429)), security(("bearer" = [])))]
#[post("/me/password")]
async fn change_password(
    st: Data,
    req: HttpRequest,
    user: ApiUser,
    body: ApiJson<PasswordChange>,
) -> AppResult<HttpResponse> {
    let PasswordChange {
        current_password,
        password,
    } = body.0;
    let token = bearer(&req).unwrap_or_default();
    crate::password::change(&st, user.0, token, peer(&req), current_password, password).await?;
    Ok(HttpResponse::Ok().json(json!({"password": "changed"})))
}

#[derive(Serialize, Deserialize, ToSchema, Queryable)]
#[serde(deny_unknown_fields)]
pub struct Municipality {
    pub teryt: String,
    pub name: String,
}

#[utoipa::path(responses((status = 200, body = [Municipality])))]
#[get("/municipalities")]
async fn list_municipalities(st: Data) -> AppResult<HttpResponse> {
    let items: Vec<Municipality> = st
        .db(|c| {
            Ok(municipalities::table
                .select((municipalities::teryt, municipalities::name))
                .order(municipalities::name)
                .load(c)?)
        })
        .await?;
    let total = items.len();
    Ok(HttpResponse::Ok().json(json!({"items": items, "total": total})))
}

/// Adds a municipality (gmina) by its TERYT code.
pub fn add_municipality(
    c: &mut cus_db::DbConn,
    teryt: &str,
    name: &str,
) -> cus_db::DomainResult<()> {
    let teryt = Teryt::parse(teryt).map_err(|k| DomainError::field("teryt", k))?;
    if name.trim().is_empty() || name.len() > 200 {
        return Err(DomainError::field("name", "error-required"));
    }
    let exists: i64 = municipalities::table
        .find(teryt.as_str())
        .count()
        .get_result(c)?;
    if exists > 0 {
        return Err(DomainError::conflict("error-municipality-exists"));
    }
    diesel::insert_into(municipalities::table)
        .values((
            municipalities::teryt.eq(teryt.as_str()),
            municipalities::name.eq(name.trim()),
            municipalities::created_at.eq(now()),
        ))
        .execute(c)?;
    Ok(())
}

#[utoipa::path(request_body = Municipality, responses((status = 201), (status = 403), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/municipalities")]
async fn create_municipality(
    st: Data,
    user: ApiUser,
    body: ApiJson<Municipality>,
) -> AppResult<HttpResponse> {
    user.0.require(&[Role::Admin])?;
    let m = body.0;
    let actor = user.0;
    let (teryt, name) = (m.teryt.clone(), m.name.clone());
    st.tx(move |c| {
        add_municipality(c, &teryt, &name)?;
        audit(c, &actor, "municipality.create", "municipality", &teryt)?;
        Ok(())
    })
    .await?;
    Ok(created(&m))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct NewUserInput {
    email: String,
    password: String,
    role: String,
    #[serde(default)]
    municipality: Option<String>,
    #[serde(default)]
    organization_id: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
}

/// An administrator creates a staff (or any) account; a municipality's
/// administrator only within their municipality.
#[utoipa::path(request_body = NewUserInput, responses((status = 201), (status = 403), (status = 422)), security(("bearer" = [])))]
#[post("/users")]
async fn create_user(
    st: Data,
    user: ApiUser,
    body: ApiJson<NewUserInput>,
) -> AppResult<HttpResponse> {
    let actor = user.0;
    actor.require(&[Role::Admin])?;
    let input = body.0;
    let role = Role::parse(&input.role).ok_or_else(|| DomainError::field("role", "error-role"))?;
    let municipality = input
        .municipality
        .clone()
        .or_else(|| actor.municipality.clone());
    if actor.municipality.is_some() && municipality != actor.municipality {
        return Err(DomainError::NotFound.into());
    }
    let hash = st.hash_password(input.password.clone()).await?;
    let id = st
        .tx(move |c| {
            let id = auth::create_user_hashed(
                c,
                auth::NewUser {
                    display_name: input
                        .display_name
                        .clone()
                        .unwrap_or_else(|| input.email.clone()),
                    email: input.email,
                    password: input.password,
                    role,
                    municipality,
                    organization_id: input.organization_id,
                    locale: "pl".into(),
                    confirmed: true,
                },
                Some(hash),
            )?;
            audit(c, &actor, "user.create", "user", &id)?;
            Ok(id)
        })
        .await?;
    Ok(created(&json!({"id": id})))
}

#[utoipa::path(responses((status = 200, body = [window::Service])), security(("bearer" = [])))]
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

#[utoipa::path(request_body = ServiceInput, responses((status = 200, body = window::Service), (status = 404), (status = 422)), security(("bearer" = [])))]
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
#[utoipa::path(request_body = NewResident, responses((status = 201, body = window::Resident), (status = 422)), security(("bearer" = [])))]
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
    q: Option<String>,
}

/// Residents by PESEL or last name (prefix): the roles working on cases
/// only; names and birth year, each resident shown audited.
#[utoipa::path(params(SearchQuery), responses((status = 200, body = [window::ResidentHit]), (status = 403), (status = 422)), security(("bearer" = [])))]
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
#[utoipa::path(responses((status = 200, body = window::Resident), (status = 404)), security(("bearer" = [])))]
#[get("/residents/{id}")]
async fn get_resident(st: Data, user: ApiUser, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let r = st
        .audited(move |c| window::get_resident(c, &user.0, &id))
        .await?;
    Ok(HttpResponse::Ok().json(r))
}

#[utoipa::path(request_body = NewRequest, responses((status = 201, description = "`{id, case_number, status}`"), (status = 422)), security(("bearer" = [])))]
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
    page: Option<i64>,
    per_page: Option<i64>,
    /// Staff: every request of the municipality, not only those routed to the role.
    all: Option<bool>,
}

#[utoipa::path(params(RequestListQuery), responses((status = 200, body = [window::RequestRow])), security(("bearer" = [])))]
#[get("/requests")]
async fn list_requests(
    st: Data,
    user: ApiUser,
    q: web::Query<RequestListQuery>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let (page, per_page) = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .get()?;
    let all = q.all.unwrap_or(false);
    let (items, total) = st
        .db(move |c| window::list_requests(c, &user.0, all, page, per_page))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "total": total})))
}

#[utoipa::path(responses((status = 200, body = window::RequestView), (status = 404)), security(("bearer" = [])))]
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

#[utoipa::path(request_body = NewPlan, responses((status = 201, body = plans::Plan), (status = 403), (status = 422)), security(("bearer" = [])))]
#[post("/plans")]
async fn create_plan(st: Data, user: ApiUser, body: ApiJson<NewPlan>) -> AppResult<HttpResponse> {
    let rules = st.config.rules.clone();
    let p = st
        .tx(move |c| plans::create_plan(c, &user.0, &rules, body.0))
        .await?;
    Ok(created(&p))
}

#[utoipa::path(responses((status = 200, body = [plans::PlanRow])), security(("bearer" = [])))]
#[get("/plans")]
async fn list_plans(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    let items = st.db(move |c| plans::list_plans(c, &user.0)).await?;
    let total = items.len();
    Ok(HttpResponse::Ok().json(json!({"items": items, "total": total})))
}

/// A plan with items and history; every read is audited.
#[utoipa::path(responses((status = 200, body = plans::PlanView), (status = 404)), security(("bearer" = [])))]
#[get("/plans/{id}")]
async fn get_plan(st: Data, user: ApiUser, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let p = st
        .audited(move |c| plans::get_plan(c, &user.0, &id))
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

#[utoipa::path(request_body = NewItem, responses((status = 201, body = plans::PlanItem), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/plans/{id}/items")]
async fn add_plan_item(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<NewItem>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let rules = st.config.rules.clone();
    let item = st
        .tx(move |c| plans::add_item(c, &user.0, &rules, &id, body.0))
        .await?;
    Ok(created(&item))
}

/// Moves a plan along its lifecycle; illegal moves answer 409.
#[utoipa::path(request_body = TransitionInput, responses((status = 200, body = plans::Plan), (status = 403), (status = 409), (status = 422)), security(("bearer" = [])))]
#[post("/plans/{id}/transition")]
async fn transition_plan(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<TransitionInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let p = st
        .tx(move |c| plans::transition(c, &user.0, &id, body.0))
        .await?;
    Ok(HttpResponse::Ok().json(p))
}

/// Mails the resident that the plan awaits their consent.
#[utoipa::path(responses((status = 200), (status = 409)), security(("bearer" = [])))]
#[post("/plans/{id}/consent-request")]
async fn request_consent(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let sent = st
        .tx(move |c| plans::request_consent(c, &user.0, &id))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"mailed": sent})))
}

#[derive(Deserialize, IntoParams)]
pub struct AuditQuery {
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub page: Option<i64>,
    pub per_page: Option<i64>,
}

#[derive(Serialize, ToSchema, Queryable)]
pub struct AuditRow {
    pub actor_id: Option<String>,
    pub actor_email: Option<String>,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub at: chrono::NaiveDateTime,
    pub municipality: Option<String>,
}

/// Audit rows: an administrator sees all (of their municipality when they
/// have one), an organizer their municipality's.
pub fn audit_rows(
    c: &mut cus_db::DbConn,
    actor: &Actor,
    q: &AuditQuery,
) -> cus_db::DomainResult<(Vec<AuditRow>, i64)> {
    actor.require(&[Role::Admin, Role::Organizer])?;
    let (page, per_page) = Paging {
        page: q.page,
        per_page: q.per_page,
    }
    .get()
    .map_err(|e| match e {
        AppError::Domain(d) => d,
        _ => DomainError::field("page", "error-page"),
    })?;
    let scope = || {
        let mut query = audit_log::table.into_boxed();
        if let Some(m) = &actor.municipality {
            query = query.filter(audit_log::municipality.eq(m.clone()));
        }
        if let Some(t) = &q.subject_type {
            query = query.filter(audit_log::subject_type.eq(t.clone()));
        }
        if let Some(id) = &q.subject_id {
            query = query.filter(audit_log::subject_id.eq(id.clone()));
        }
        query
    };
    let total = scope().count().get_result(c)?;
    let rows = scope()
        .left_join(users::table)
        .select((
            audit_log::actor_id,
            users::email.nullable(),
            audit_log::action,
            audit_log::subject_type,
            audit_log::subject_id,
            audit_log::at,
            audit_log::municipality,
        ))
        .order(audit_log::at.desc())
        .offset((page - 1).saturating_mul(per_page))
        .limit(per_page)
        .load(c)?;
    Ok((rows, total))
}

#[utoipa::path(params(AuditQuery), responses((status = 200, body = [AuditRow]), (status = 403)), security(("bearer" = [])))]
#[get("/audit")]
async fn list_audit(st: Data, user: ApiUser, q: web::Query<AuditQuery>) -> AppResult<HttpResponse> {
    let (items, total) = st.db(move |c| audit_rows(c, &user.0, &q)).await?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "total": total})))
}

/// The scheduled jobs: schedule, next tick and newest run (slot, server,
/// duration, outcome), as `cus jobs list --json` prints them. Admin only.
#[utoipa::path(responses((status = 200, body = [crate::jobs::JobStatus]), (status = 401), (status = 403)), security(("bearer" = [])))]
#[get("/jobs")]
async fn list_jobs(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    user.0.require(&[Role::Admin])?;
    let state = st.get_ref().clone();
    let jobs = web::block(move || crate::jobs::status(&state))
        .await?
        .map_err(AppError::Internal)?;
    let total = jobs.len();
    Ok(HttpResponse::Ok().json(json!({"items": jobs, "total": total})))
}
