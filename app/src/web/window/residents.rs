//! Residents: registration at the desk, search, the record; API and pages.

use super::*;
use crate::platform::error::AppResult;
use crate::web::api::created;
use crate::web::extract::{ApiJson, ApiUser, Form, PageUser};
use crate::web::view::{flash_of, query_map, values, Flash, View};
use crate::window;
use crate::window::{NewResident, ResidentId};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use cus_db::Role;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

/// The desk (or a coordinator) registers a resident; PESEL is checked.
#[utoipa::path(request_body = NewResident, responses((status = 201, body = window::Resident), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/residents")]
pub(super) async fn create_resident(
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
pub(super) struct SearchQuery {
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
pub(super) async fn search_residents(
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
#[utoipa::path(params(("id" = ResidentId, Path)), responses((status = 200, body = window::ResidentRecord), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/residents/{id}")]
pub(super) async fn get_resident(
    st: Data,
    user: ApiUser,
    path: web::Path<ResidentId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let r = st
        .audited(move |c| window::get_resident(c, &user.0, &id))
        .await?;
    Ok(HttpResponse::Ok().json(r))
}

pub(super) fn can_register_residents(user: &PageUser) -> bool {
    user.actor.is(&[Role::Desk, Role::Coordinator, Role::Admin])
}

pub(super) async fn residents(
    req: HttpRequest,
    st: Data,
    user: PageUser,
) -> AppResult<HttpResponse> {
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

pub(super) async fn resident_create(
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

pub(super) async fn resident_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ResidentId>,
) -> AppResult<HttpResponse> {
    let mut data = resident_data(&st, &user, path.into_inner()).await?;
    let view = View::new(&req, Some(&user));
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("resident", "resident-title", data))
}

/// What a resident's page shows (the read audited); the desk also files
/// data subject requests for the resident there.
pub(crate) async fn resident_data(
    st: &Data,
    user: &PageUser,
    id: ResidentId,
) -> AppResult<serde_json::Value> {
    use crate::social_work::{contracts, households};
    let actor = user.actor.clone();
    let (resident, household, social_contracts) = st
        .audited(move |c| {
            let resident = window::get_resident(c, &actor, &id)?;
            let household = match &resident.household_id {
                Some(h) if actor.is(households::READING) => {
                    Some(households::get_household(c, &actor, h)?)
                }
                _ => None,
            };
            let social_contracts = if actor.is(contracts::READING) {
                let filter = contracts::ContractFilter {
                    resident_id: Some(id.to_string()),
                    ..Default::default()
                };
                contracts::list_contracts(c, &actor, &filter, &cus_db::bounds::Paging::first(100))?
                    .0
            } else {
                vec![]
            };
            Ok((resident, household, social_contracts))
        })
        .await?;
    let desk = user.actor.role == Role::Desk;
    let open = !resident.anonymised && !resident.restricted;
    Ok(json!({"resident": resident,
              "household": household,
              "can_household": open && resident.household_id.is_none() && households::can_write(&user.actor),
              "contracts": social_contracts,
              "show_contracts": user.actor.is(contracts::READING),
              "can_contract": open && contracts::can_write(&user.actor),
              "can_file": desk && !resident.anonymised,
              "can_plan": user.actor.role == Role::Coordinator && !resident.anonymised,
              "privacy_kinds": if desk { crate::privacy::requests::RightKind::ALL } else { &[] }}))
}
