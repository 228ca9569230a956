//! Requests: filing, the work lists, routing and the typed messages between
//! the social worker and the benefits officer; API and pages.

use super::*;
use crate::platform::error::AppResult;
use crate::web::api::created;
use crate::web::extract::{ApiJson, ApiUser, Form, PageUser};
use crate::web::view::{
    flash_of, query_map, redirect, settle, values, Again, Flash, RecordPage, View,
};
use crate::window::{MessageInput, NewRequest, RequestId, RequestStatus, ResidentId, RouteInput};
use crate::{plans, window};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use cus_db::{DomainError, Lifecycle, Role};
use serde::Deserialize;
use serde_json::{json, Value};

#[utoipa::path(request_body = NewRequest, responses((status = 201, description = "`{id, case_number, status}`"), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/requests")]
pub(super) async fn create_request(
    st: Data,
    user: ApiUser,
    body: ApiJson<NewRequest>,
) -> AppResult<HttpResponse> {
    let rules = st.config.rules.requests();
    let r = st
        .tx(move |c| window::file_request(c, &user.0, &rules, body.0))
        .await?;
    Ok(created(&r))
}

/// Requests by status, what is due, sorted, one page at a time.
#[utoipa::path(params(window::RequestFilter), responses((status = 200, body = cus_db::openapi::Page<window::RequestRow>), (status = 403), (status = 422)), security(("bearer" = [])))]
#[get("/requests")]
pub(super) async fn list_requests(
    st: Data,
    user: ApiUser,
    q: web::Query<window::RequestFilter>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let (items, total) = st
        .db(move |c| window::list_requests(c, &user.0, &q, crate::dashboard::today()))
        .await?;
    Ok(HttpResponse::Ok().json(json!({"items": items, "total": total})))
}

#[utoipa::path(params(("id" = RequestId, Path)), responses((status = 200, body = window::RequestView), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/requests/{id}")]
pub(super) async fn get_request(
    st: Data,
    user: ApiUser,
    path: web::Path<RequestId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let r = st
        .audited(move |c| window::get_request(c, &user.0, &id))
        .await?;
    Ok(HttpResponse::Ok().json(r))
}

#[utoipa::path(params(("id" = RequestId, Path)), request_body = RouteInput, responses((status = 200, body = window::Request), (status = 403), (status = 404), (status = 422)), security(("bearer" = [])))]
#[post("/requests/{id}/route")]
pub(super) async fn route_request(
    st: Data,
    user: ApiUser,
    path: web::Path<RequestId>,
    body: ApiJson<RouteInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let r = st
        .tx(move |c| window::route_request(c, &user.0, &id, body.0))
        .await?;
    Ok(HttpResponse::Ok().json(r))
}

#[utoipa::path(params(("id" = RequestId, Path)), request_body = MessageInput, responses((status = 201, body = window::Message), (status = 403), (status = 422)), security(("bearer" = [])))]
#[post("/requests/{id}/messages")]
pub(super) async fn send_message(
    st: Data,
    user: ApiUser,
    path: web::Path<RequestId>,
    body: ApiJson<MessageInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let m = st
        .tx(move |c| window::send_message(c, &user.0, &id, body.0))
        .await?;
    Ok(created(&m))
}

pub(super) async fn cases(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    if user.actor.role != Role::Resident {
        return Ok(redirect("/work"));
    }
    let actor = user.actor.clone();
    let (requests, plans) = st
        .db(move |c| {
            let everything = window::RequestFilter {
                per_page: Some(100),
                ..Default::default()
            };
            let (rows, _) = window::list_requests(c, &actor, &everything, cus_db::today())?;
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

pub(super) async fn request_form(
    req: HttpRequest,
    st: Data,
    user: PageUser,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let q = query_map(&req);
    let data = request_form_data(&st, &user, q.get("resident_id").cloned()).await?;
    Ok(view.render("request_new", "request-new-title", data))
}

pub(super) async fn request_form_data(
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
                Some(id) => {
                    let id = ResidentId::parse(&id).ok_or(cus_db::DomainError::NotFound)?;
                    Some(window::get_resident(c, &actor, &id)?)
                }
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
pub(super) struct RequestForm {
    resident_id: Option<String>,
    service_code: Option<String>,
    #[serde(default)]
    description: String,
}

pub(super) async fn request_create(
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
    let rules = st.config.rules.requests();
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

pub(super) async fn request_data(st: &Data, user: &PageUser, id: RequestId) -> AppResult<Value> {
    let actor = user.actor.clone();
    let (view, referrals, assigned_to) = st
        .audited(move |c| {
            let view = window::get_request(c, &actor, &id)?;
            let referrals = crate::social_work::referrals::of_request(c, &actor, &id)?;
            let assigned_to = match &view.request.assigned_to {
                Some(u) if actor.role.is_staff() => crate::platform::accounts::display_name(c, u)?,
                _ => None,
            };
            Ok((view, referrals, assigned_to))
        })
        .await?;
    let a = &user.actor;
    let kinds = window::MessageKind::sent_by(a.role).map_or(vec![], |(kinds, _)| kinds);
    Ok(json!({
        "r": view,
        "can_route": a.is(&[Role::Desk, Role::Organizer])
            && RequestStatus::can_move(view.request.status, RequestStatus::Routed),
        "route_targets": window::RouteTarget::ALL,
        "can_message": !kinds.is_empty(),
        "message_kinds": kinds,
        "can_plan": a.role == Role::Coordinator && view.request.status != RequestStatus::Closed,
        "staff": a.role.is_staff(),
        "referrals": referrals,
        "show_referrals": a.is(crate::social_work::referrals::READING),
        "assigned_to": assigned_to,
    }))
}

pub(super) async fn request_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<RequestId>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = request_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("request", "request-title", data))
}

pub(super) async fn request_route(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<RequestId>,
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
    RecordPage::new(to, "request", "request-title", request_data(&st, &user, id))
        .settle(&req, &user, &form.typed, result)
        .await
}

pub(super) async fn request_message(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<RequestId>,
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

pub(super) async fn work(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    q: web::Query<window::RequestFilter>,
) -> AppResult<HttpResponse> {
    if user.actor.role == Role::Resident {
        return Ok(redirect("/cases"));
    }
    if !user.actor.role.is_staff() {
        return Err(DomainError::Forbidden.into());
    }
    let filter = q.into_inner();
    let shown = filter.clone();
    let actor = user.actor.clone();
    let with_plans = actor.is(&[Role::Coordinator, Role::Organizer, Role::Admin]);
    let today = crate::dashboard::today();
    let (requests, total, overdue_plans, week_plans) = st
        .db(move |c| {
            let (rows, total) = window::list_requests(c, &actor, &filter, today)?;
            // The plans that are due, split as the home page splits them;
            // the whole list, filtered and paged, is /plans.
            let due = |when: &str| plans::PlanFilter {
                due: Some(when.to_string()),
                mine: Some(actor.role == Role::Coordinator),
                per_page: Some(100),
                ..Default::default()
            };
            let (overdue, week) = if with_plans {
                (
                    plans::find_plans(c, &actor, &due("overdue"), today)?.0,
                    plans::find_plans(c, &actor, &due("week"), today)?.0,
                )
            } else {
                (vec![], vec![])
            };
            Ok((rows, total, overdue, week))
        })
        .await?;
    let view = View::new(&req, Some(&user));
    let role_filtered = matches!(
        user.actor.role,
        Role::SocialWorker | Role::Benefits | Role::Coordinator
    );
    let pager = crate::web::view::pager(&req, shown.page, shown.per_page.unwrap_or(20), total);
    Ok(view.render(
        "work",
        "nav-work",
        json!({"requests": requests, "total": total, "with_plans": with_plans,
               "overdue_plans": overdue_plans, "week_plans": week_plans,
               "role_filtered": role_filtered, "today": today, "pager": pager,
               "f": {"all": shown.all.unwrap_or(false), "status": shown.status, "due": shown.due, "sort": shown.sort},
               "statuses": <window::RequestStatus as cus_db::TextEnum>::ALL,
               "sorts": <window::RequestSort as cus_db::TextEnum>::ALL}),
    ))
}
