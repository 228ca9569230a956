//! Corrective actions: the figures below the average or the target, the
//! improvement plans written for them, and whether later runs show a change.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::assessment::corrective::{self, CorrectiveActionId, NewAction, Transition};
use crate::platform::error::AppResult;
use crate::platform::state::AppState;
use crate::web::api::list;
use crate::web::contracting::forms::Lines;
use crate::web::extract::{ApiJson, ApiUser, Form, PageUser};
use crate::web::view::{flash_of, query_map, values, Flash, RecordPage, View};

type Data = web::Data<AppState>;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(suggested)
        .service(create)
        .service(list_actions)
        .service(read)
        .service(transition);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/corrective-actions", get().to(actions_page))
        .route("/corrective-actions", post().to(action_create))
        .route("/corrective-actions/{id}", get().to(action_page))
        .route(
            "/corrective-actions/{id}/transition",
            post().to(action_transition),
        );
}

#[derive(Deserialize, IntoParams)]
pub struct PeriodQuery {
    #[param(
        example = "2026",
        pattern = r"^(20[0-9]{2}|2100)(-(H[12]|Q[1-4]|0[1-9]|1[0-2]))?$"
    )]
    pub period: String,
}

/// The figures of the caller's municipality and its agreements below the
/// average (of the deployment, its groups or its providers) or the target.
#[utoipa::path(params(PeriodQuery), responses((status = 200, body = cus_db::openapi::Page<corrective::Suggestion>), (status = 422), (status = 403)), security(("bearer" = [])))]
#[get("/corrective-actions/suggested")]
async fn suggested(st: Data, user: ApiUser, q: web::Query<PeriodQuery>) -> AppResult<HttpResponse> {
    let period = q.into_inner().period;
    Ok(list(
        st.db(move |c| corrective::suggested(c, &user.0, &period))
            .await?,
    ))
}

#[utoipa::path(request_body = NewAction, responses((status = 201, body = corrective::Action), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/corrective-actions")]
async fn create(st: Data, user: ApiUser, body: ApiJson<NewAction>) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(
        st.tx(move |c| corrective::create(c, &user.0, body.0))
            .await?,
    ))
}

#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<corrective::Action>), (status = 403)), security(("bearer" = [])))]
#[get("/corrective-actions")]
async fn list_actions(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.db(move |c| corrective::list(c, &user.0)).await?))
}

#[utoipa::path(params(("id" = CorrectiveActionId, Path)), responses((status = 200, body = corrective::Action), (status = 404), (status = 403)), security(("bearer" = [])))]
#[get("/corrective-actions/{id}")]
async fn read(
    st: Data,
    user: ApiUser,
    path: web::Path<CorrectiveActionId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.db(move |c| corrective::get(c, &user.0, &id)).await?))
}

/// Moves an action to `in_progress`, `done` or `dropped` (409 from a final state).
#[utoipa::path(params(("id" = CorrectiveActionId, Path)), request_body = Transition, responses((status = 200, body = corrective::Action), (status = 404), (status = 409), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/corrective-actions/{id}/transition")]
async fn transition(
    st: Data,
    user: ApiUser,
    path: web::Path<CorrectiveActionId>,
    body: ApiJson<Transition>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| corrective::transition(c, &user.0, &id, body.0))
            .await?,
    ))
}

async fn actions_data(st: &Data, user: &PageUser, q: &HashMap<String, String>) -> AppResult<Value> {
    let actor = user.actor.clone();
    let period = super::results::page_period(q);
    let p = period.clone();
    let organizer = actor.role == cus_db::Role::Organizer;
    let (actions, suggestions, staff) = st
        .db(move |c| {
            let actions = corrective::list(c, &actor)?;
            let suggestions = if organizer {
                corrective::suggested(c, &actor, &p)?
            } else {
                vec![]
            };
            let staff: Vec<Value> = corrective::owners(c, actor.home()?)?
                .into_iter()
                .map(|(id, name)| json!({"id": id, "name": name}))
                .collect();
            Ok((actions, suggestions, staff))
        })
        .await?;
    Ok(json!({
        "actions": actions, "suggestions": suggestions, "period": period, "staff": staff,
        "can_edit": organizer, "today": cus_db::today(), "q": q,
    }))
}

async fn actions_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = actions_data(&st, &user, &query_map(&req)).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("corrective_actions", "ca-title", data))
}

/// A corrective action as the page asks for it: steps one a line.
#[derive(Deserialize)]
struct ActionForm {
    #[serde(default)]
    indicator: String,
    #[serde(default)]
    period: String,
    #[serde(default)]
    subject_type: String,
    #[serde(default)]
    subject_id: String,
    #[serde(default)]
    group_id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    plan: String,
    #[serde(deserialize_with = "cus_db::bounds::date")]
    due_date: NaiveDate,
    #[serde(default)]
    steps: Lines,
    #[serde(default)]
    owner_id: String,
    #[serde(default)]
    funding: String,
    #[serde(default)]
    expected_effect: String,
    #[serde(default)]
    meeting_id: String,
}

fn some(s: String) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

impl From<ActionForm> for NewAction {
    fn from(f: ActionForm) -> Self {
        NewAction {
            indicator: f.indicator,
            period: f.period,
            plan: f.plan,
            due_date: f.due_date,
            title: some(f.title),
            goal: None,
            steps: f.steps.0,
            owner_id: some(f.owner_id),
            funding: some(f.funding),
            expected_effect: some(f.expected_effect),
            meeting_id: some(f.meeting_id),
            subject_type: some(f.subject_type),
            subject_id: some(f.subject_id),
            group_id: some(f.group_id),
        }
    }
}

async fn action_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<ActionForm>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let Form { input, typed } = form;
    let result = st
        .tx_input(input.map(NewAction::from), move |c, input| {
            corrective::create(c, &actor, input)
        })
        .await;
    match result {
        Ok(a) => Ok(Flash::Saved.redirect(&format!("/corrective-actions/{}", a.id))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut q = HashMap::new();
            if let Some(p) = typed.get("period") {
                q.insert("period".to_string(), p.clone());
            }
            let mut data = actions_data(&st, &user, &q).await?;
            data["values"] = values(&typed);
            view.form_error(e, "corrective_actions", "ca-title", data)
        }
    }
}

async fn action_data(st: &Data, user: &PageUser, id: CorrectiveActionId) -> AppResult<Value> {
    let actor = user.actor.clone();
    let action = st.db(move |c| corrective::get(c, &actor, &id)).await?;
    let may_move = ["open", "in_progress"].contains(&action.status.as_str())
        && (user.actor.role == cus_db::Role::Organizer
            || action.owner_id.as_deref() == Some(user.actor.user_id.as_str()));
    Ok(json!({"action": action, "may_move": may_move}))
}

async fn action_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<CorrectiveActionId>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = action_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("corrective_action", "ca-title", data))
}

#[derive(Deserialize)]
struct MoveForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    note: String,
}

/// A move of the action (`POST /corrective-actions/{id}/transition`).
async fn action_transition(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<CorrectiveActionId>,
    form: Form<MoveForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, i) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, f| {
            corrective::transition(
                c,
                &actor,
                &i,
                Transition {
                    to: f.to,
                    note: f.note,
                },
            )
        })
        .await;
    let to = format!("/corrective-actions/{id}");
    RecordPage::new(
        to,
        "corrective_action",
        "ca-title",
        action_data(&st, &user, id),
    )
    .settle(&req, &user, &form.typed, result)
    .await
}
