//! The deployment's administration: health, municipalities, staff accounts
//! (list, create, disable, re-enable, change roles), the audit log and the
//! scheduled jobs.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use cus_db::audit::audit;
use cus_db::{DomainError, Role};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::platform::accounts::{self, AccountChange, StaffAccount, StaffInput};
use crate::platform::admin::{add_municipality, audit_rows, AuditQuery, AuditRow, Municipality};
use crate::platform::auth;
use crate::platform::error::{AppError, AppResult};
use crate::platform::state::AppState;
use crate::web::api::created;
use crate::web::extract::{ApiJson, ApiUser, Form, PageUser};
use crate::web::view::{settle, Again, Flash, RecordPage, View};

type Data = web::Data<AppState>;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(health)
        .service(ready)
        .service(list_municipalities)
        .service(create_municipality)
        .service(create_user)
        .service(list_users)
        .service(change_user)
        .service(list_audit)
        .service(list_jobs);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/admin/audit", get().to(audit_page))
        .route("/admin/users", get().to(users_page))
        .route("/admin/users", post().to(user_create))
        .route("/admin/users/{id}", post().to(user_change));
}

/// Liveness: 200 while the process serves, whatever the database does
/// (readiness is `/ready`).
#[utoipa::path(responses((status = 200, description = "`{status, database}`: the process serves; `database` names the backend")))]
#[get("/health")]
async fn health(st: Data) -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok", "database": st.backend.name()}))
}

/// Readiness: 200 `{"status":"ready"}` when the database answers within
/// 5 s, its migrations are current and (SQLite) the writer runs; else 503
/// with the reason.
#[utoipa::path(responses(
    (status = 200, description = "`{status: \"ready\", database}`"),
    (status = 503, description = "`{status: \"not_ready\", reason, database}`")
))]
#[get("/ready")]
async fn ready(st: Data) -> HttpResponse {
    let database = st.backend.name();
    match st.readiness().await {
        Ok(()) => HttpResponse::Ok().json(json!({"status": "ready", "database": database})),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            HttpResponse::ServiceUnavailable()
                .insert_header((actix_web::http::header::RETRY_AFTER, "5"))
                .json(json!({"status": "not_ready", "reason": reason, "database": database}))
        }
    }
}

#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<Municipality>)))]
#[get("/municipalities")]
async fn list_municipalities(st: Data) -> AppResult<HttpResponse> {
    let items: Vec<Municipality> = st
        .db(|c| Ok(crate::platform::admin::municipalities(c)?))
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
    #[schema(format = Email, max_length = 254)]
    email: String,
    /// 10 to 128 characters.
    #[schema(min_length = 10, max_length = 128)]
    password: String,
    #[schema(value_type = cus_db::Role)]
    role: String,
    /// TERYT code; the administrator's own by default.
    #[serde(default)]
    #[schema(pattern = "^(0[2468]|[12][02468]|3[02])[0-9]{4}[1-589]$")]
    municipality: Option<String>,
    #[serde(default)]
    organization_id: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    display_name: Option<String>,
}

/// An administrator creates a staff (or any) account; a municipality's
/// administrator only within their municipality.
#[utoipa::path(request_body = NewUserInput, responses((status = 201), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
#[post("/users")]
async fn create_user(
    st: Data,
    user: ApiUser,
    body: ApiJson<NewUserInput>,
) -> AppResult<HttpResponse> {
    let actor = user.0;
    let input = body.0;
    if actor.role == Role::Organizer {
        // A municipality's organizer creates its staff, nothing else.
        if input.organization_id.is_some() {
            return Err(DomainError::field("organization_id", "error-organization-role").into());
        }
        let staff = StaffInput {
            email: input.email,
            password: input.password,
            role: input.role,
            municipality: input.municipality,
            display_name: input.display_name,
        };
        let hash = st.hash_password(staff.password.clone()).await?;
        let id = st
            .tx(move |c| accounts::create(c, &actor, staff, hash))
            .await?;
        return Ok(created(&json!({"id": id})));
    }
    actor.require(&[Role::Admin])?;
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

#[utoipa::path(params(AuditQuery), responses((status = 200, body = cus_db::openapi::Page<AuditRow>), (status = 403)), security(("bearer" = [])))]
#[get("/audit")]
async fn list_audit(st: Data, user: ApiUser, q: web::Query<AuditQuery>) -> AppResult<HttpResponse> {
    let (items, total) = st.db(move |c| audit_rows(c, &user.0, &q)).await?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "total": total})))
}

/// The scheduled jobs: schedule, next tick and newest run (slot, server,
/// duration, outcome), as `cus jobs list --json` prints them. Admin only.
#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<crate::platform::jobs::JobStatus>), (status = 401), (status = 403)), security(("bearer" = [])))]
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

async fn audit_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    q: web::Query<AuditQuery>,
) -> AppResult<HttpResponse> {
    let mut query = q.into_inner();
    query.subject_type = query.subject_type.filter(|s| !s.is_empty());
    query.subject_id = query.subject_id.filter(|s| !s.is_empty());
    query.per_page = Some(100);
    let shown = json!({"subject_type": query.subject_type, "subject_id": query.subject_id});
    let actor = user.actor.clone();
    let (rows, total, names) = st
        .db(move |c| {
            let (rows, total) = crate::platform::admin::audit_rows(c, &actor, &query)?;
            let names = crate::platform::admin::subject_names(c, &rows)?;
            Ok((rows, total, names))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    let lang = view.lang();
    // Each row says what was done and to what, by name, in the page's
    // language; the id stays in the link only.
    let rows: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let key = (r.subject_type.clone(), r.subject_id.clone());
            json!({
                "at": r.at,
                "actor_email": r.actor_email,
                "action": crate::platform::admin::action_label(lang, &r.action),
                "subject": view.t(&format!("audit-subject-{}", r.subject_type)),
                "name": names.get(&key),
                "link": crate::platform::admin::subject_link(&r.subject_type, &r.subject_id),
            })
        })
        .collect();
    let types: Vec<serde_json::Value> = [
        "resident",
        "request",
        "plan",
        "agreement",
        "competition",
        "program",
        "social_program",
        "service",
        "user",
        "municipality",
    ]
    .iter()
    .map(|t| json!({"value": t, "label": view.t(&format!("audit-subject-{t}"))}))
    .collect();
    Ok(view.render(
        "audit",
        "audit-title",
        json!({"rows": rows, "total": total, "q": shown, "subject_types": types}),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
struct UserQuery {
    /// Part of an email or a name.
    q: Option<String>,
}

/// The staff accounts within reach: every municipality's for the
/// deployment's administrator, their own for a municipality's administrator
/// or organizer.
#[utoipa::path(params(UserQuery), responses((status = 200, body = cus_db::openapi::Page<StaffAccount>), (status = 401), (status = 403)), security(("bearer" = [])))]
#[get("/users")]
async fn list_users(st: Data, user: ApiUser, q: web::Query<UserQuery>) -> AppResult<HttpResponse> {
    let q = q.into_inner().q;
    let items = st
        .db(move |c| accounts::list(c, &user.0, q.as_deref()))
        .await?;
    Ok(crate::web::api::list(items))
}

/// Changes a staff account's role or disables / re-enables it; disabling
/// ends its sessions at once. Another municipality's account is 404; one's
/// own account is 409.
#[utoipa::path(request_body = AccountChange, responses((status = 200, body = StaffAccount), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)), security(("bearer" = [])))]
#[put("/users/{id}")]
async fn change_user(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<AccountChange>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let account = st
        .tx(move |c| accounts::change(c, &user.0, &id, body.0))
        .await?;
    Ok(HttpResponse::Ok().json(account))
}

async fn users_data(st: &Data, user: &PageUser, q: Option<String>) -> AppResult<serde_json::Value> {
    let actor = user.actor.clone();
    let (accounts, municipalities) = st
        .db(move |c| {
            let list = accounts::list(c, &actor, q.as_deref())?;
            let all: Vec<Municipality> = if actor.municipality.is_none() {
                crate::platform::admin::municipalities(c)?
            } else {
                Vec::new()
            };
            Ok((list, all))
        })
        .await?;
    let me = &user.actor;
    let rows: Vec<serde_json::Value> = accounts
        .into_iter()
        .map(|a| {
            // Buttons only where the change is allowed (the service checks
            // again): never on one's own account, nor on an administrator's
            // for an organizer.
            let manageable =
                a.id != me.user_id && (me.role == Role::Admin || a.role != Role::Admin.as_str());
            json!({"a": a, "manageable": manageable})
        })
        .collect();
    Ok(json!({
        "accounts": rows,
        "roles": accounts::grantable_roles(me),
        "municipalities": municipalities,
        "global": me.municipality.is_none(),
    }))
}

#[derive(Deserialize)]
struct UsersPageQuery {
    q: Option<String>,
}

async fn users_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    q: web::Query<UsersPageQuery>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner().q.filter(|q| !q.trim().is_empty());
    let view = View::new(&req, Some(&user));
    let mut data = users_data(&st, &user, q.clone()).await?;
    data["q"] = json!(q);
    data["flash"] = json!(crate::web::view::flash_of(&req, &view));
    Ok(view.render("admin_users", "users-title", data))
}

async fn user_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<StaffInput>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let result = match form.input {
        Ok(input) => match st.hash_password(input.password.clone()).await {
            Ok(hash) => {
                st.tx(move |c| accounts::create(c, &actor, input, hash))
                    .await
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    };
    settle(
        &View::new(&req, Some(&user)),
        &form.typed,
        result,
        (Flash::AccountCreated, "/admin/users"),
        Again {
            template: "admin_users",
            title: "users-title",
            data: users_data(&st, &user, None),
        },
    )
    .await
}

/// One button of the accounts list: `change` says which.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeForm {
    change: String,
    role: Option<String>,
}

impl ChangeForm {
    fn into_change(self) -> Result<AccountChange, DomainError> {
        match self.change.as_str() {
            "disable" => Ok(AccountChange {
                disabled: Some(true),
                role: None,
            }),
            "enable" => Ok(AccountChange {
                disabled: Some(false),
                role: None,
            }),
            "role" => Ok(AccountChange {
                role: Some(self.role.unwrap_or_default()),
                disabled: None,
            }),
            _ => Err(DomainError::field("change", "error-type")),
        }
    }
}

async fn user_change(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form<ChangeForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = user.actor.clone();
    let result = match form.input.and_then(|f| Ok(f.into_change()?)) {
        Ok(change) => {
            st.tx(move |c| accounts::change(c, &actor, &id, change))
                .await
        }
        Err(e) => Err(e),
    };
    RecordPage::new(
        "/admin/users".into(),
        "admin_users",
        "users-title",
        users_data(&st, &user, None),
    )
    .settle(&req, &user, &form.typed, result)
    .await
}
