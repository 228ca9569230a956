//! The service catalogue: its API and the organizer's page.

use super::*;
use crate::platform::error::AppResult;
use crate::web::api::created;
use crate::web::extract::{checkbox, ApiJson, ApiUser, Form, PageUser};
use crate::web::view::{flash_of, values, Flash, View};
use crate::window;
use crate::window::ServiceInput;
use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use cus_db::{DomainError, Role};
use serde::Deserialize;
use serde_json::{json, Value};

#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<window::Service>), (status = 403)), security(("bearer" = [])))]
#[get("/services")]
pub(super) async fn list_services(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    let actor = user.0;
    let items = st.db(move |c| window::list_services(c, &actor)).await?;
    let total = items.len();
    Ok(HttpResponse::Ok().json(json!({"items": items, "total": total})))
}

#[utoipa::path(request_body = ServiceInput, responses((status = 201, body = window::Service), (status = 403), (status = 422)), security(("bearer" = [])))]
#[post("/services")]
pub(super) async fn create_service(
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
pub(super) async fn update_service(
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

pub(super) async fn services_data(st: &Data, user: &PageUser) -> AppResult<Value> {
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

pub(super) async fn services(
    req: HttpRequest,
    st: Data,
    user: PageUser,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = services_data(&st, &user).await?;
    data["flash"] = json!(flash_of(&req, &view));
    data["values"] = json!({"variant": "I", "phase": "III", "active": "on"});
    Ok(view.render("services", "services-title", data))
}

pub(super) async fn service_edit(
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
pub(super) struct ServiceForm {
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

pub(super) async fn service_save(
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
