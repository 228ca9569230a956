//! The deployment's administration: health, municipalities, staff accounts
//! created over the API, the audit log and the scheduled jobs.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use cus_db::audit::audit;
use cus_db::schema::municipalities;
use cus_db::{DomainError, Role};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::platform::admin::{add_municipality, audit_rows, AuditQuery, AuditRow, Municipality};
use crate::platform::auth;
use crate::platform::error::{AppError, AppResult};
use crate::platform::state::AppState;
use crate::web::api::created;
use crate::web::extract::{ApiJson, ApiUser, PageUser};
use crate::web::view::{query_map, View};

type Data = web::Data<AppState>;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(health)
        .service(list_municipalities)
        .service(create_municipality)
        .service(create_user)
        .service(list_audit)
        .service(list_jobs);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::get;
    cfg.route("/admin/audit", get().to(audit_page));
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

#[utoipa::path(params(AuditQuery), responses((status = 200, body = [AuditRow]), (status = 403)), security(("bearer" = [])))]
#[get("/audit")]
async fn list_audit(st: Data, user: ApiUser, q: web::Query<AuditQuery>) -> AppResult<HttpResponse> {
    let (items, total) = st.db(move |c| audit_rows(c, &user.0, &q)).await?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "total": total})))
}

/// The scheduled jobs: schedule, next tick and newest run (slot, server,
/// duration, outcome), as `cus jobs list --json` prints them. Admin only.
#[utoipa::path(responses((status = 200, body = [crate::platform::jobs::JobStatus]), (status = 401), (status = 403)), security(("bearer" = [])))]
#[get("/jobs")]
async fn list_jobs(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    user.0.require(&[Role::Admin])?;
    let state = st.get_ref().clone();
    let jobs = web::block(move || crate::platform::jobs::status(&state))
        .await?
        .map_err(AppError::Internal)?;
    let total = jobs.len();
    Ok(HttpResponse::Ok().json(json!({"items": jobs, "total": total})))
}

async fn audit_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let q = query_map(&req);
    let query = AuditQuery {
        subject_type: q.get("subject_type").cloned().filter(|s| !s.is_empty()),
        subject_id: q.get("subject_id").cloned().filter(|s| !s.is_empty()),
        page: q.get("page").and_then(|p| p.parse().ok()),
        per_page: Some(100),
    };
    let actor = user.actor.clone();
    let (rows, total) = st
        .db(move |c| crate::platform::admin::audit_rows(c, &actor, &query))
        .await?;
    let view = View::new(&req, Some(&user));
    Ok(view.render("audit", "audit-title", json!({"rows": rows, "total": total, "q": q, "subject_types": ["resident", "request", "plan", "service", "user", "municipality"]})))
}
