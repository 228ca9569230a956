//! Community work: communities, the organizer's activity log, continuity.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use community::organizing;
use community::organizing::{
    ActivityFilter, ActivityInput, ActivityKind, CommunityId, CommunityInput, Dimension, Stage,
};
use cus_db::bounds::Paging;
use cus_db::Role;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::platform::error::AppResult;
use crate::platform::state::AppState;
use crate::web::api::{list, page};
use crate::web::contracting::forms::{Count, Lines, List};
use crate::web::extract::{ApiJson, ApiUser, Form, PageUser};
use crate::web::view::{flash_of, pager_of, query_map, RecordPage, View};

type Data = web::Data<AppState>;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(create_community)
        .service(update_community)
        .service(list_communities)
        .service(log_activity)
        .service(list_activities)
        .service(continuity);
}

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/community", get().to(community_page))
        .route("/community/activities.csv", get().to(community_csv))
        .route("/community/communities", post().to(community_create))
        .route("/community/activities", post().to(activity_log));
}

#[utoipa::path(request_body = CommunityInput, responses((status = 201, body = organizing::Community), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/community/communities")]
async fn create_community(
    st: Data,
    user: ApiUser,
    body: ApiJson<CommunityInput>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(
        st.tx(move |c| organizing::create_community(c, &user.0, body.0))
            .await?,
    ))
}

/// Revises a community's plan (diagnosis, goals, stages).
#[utoipa::path(params(("id" = CommunityId, Path)), request_body = CommunityInput, responses((status = 200, body = organizing::Community), (status = 404), (status = 422), (status = 403)), security(("bearer" = [])))]
#[put("/community/communities/{id}")]
async fn update_community(
    st: Data,
    user: ApiUser,
    path: web::Path<CommunityId>,
    body: ApiJson<CommunityInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| organizing::update_community(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(responses((status = 200, body = cus_db::openapi::Page<organizing::Community>), (status = 403)), security(("bearer" = [])))]
#[get("/community/communities")]
async fn list_communities(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(
        st.db(move |c| organizing::list_communities(c, &user.0))
            .await?,
    ))
}

#[utoipa::path(request_body = ActivityInput, responses((status = 201, body = organizing::ActivityView), (status = 422), (status = 403)), security(("bearer" = [])))]
#[post("/community/activities")]
async fn log_activity(
    st: Data,
    user: ApiUser,
    body: ApiJson<ActivityInput>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Created().json(
        st.tx(move |c| organizing::log_activity(c, &user.0, body.0))
            .await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct ActivityQuery {
    #[param(value_type = Option<cus_db::openapi::CivilDate>)]
    pub from: Option<chrono::NaiveDate>,
    #[param(value_type = Option<cus_db::openapi::CivilDate>)]
    pub to: Option<chrono::NaiveDate>,
    pub kind: Option<String>,
    pub dimension: Option<String>,
    pub community: Option<String>,
    #[param(required = false, value_type = organizing::ActivitySort, inline)]
    pub sort: Option<String>,
    /// `csv` for a CSV file: every matching activity, whatever the page.
    pub format: Option<String>,
}

impl ActivityQuery {
    pub fn filter(&self) -> ActivityFilter {
        ActivityFilter {
            from: self.from,
            to: self.to,
            kind: self.kind.clone(),
            dimension: self.dimension.clone(),
            community: self.community.clone(),
            sort: self.sort.clone(),
        }
    }
}

/// The activity log, filtered and sorted, one page at a time; `?format=csv`
/// gives every matching activity as CSV.
#[utoipa::path(params(ActivityQuery, Paging), responses((status = 200, body = cus_db::openapi::Page<organizing::ActivityView>), (status = 403), (status = 422)), security(("bearer" = [])))]
#[get("/community/activities")]
async fn list_activities(
    st: Data,
    user: ApiUser,
    q: web::Query<ActivityQuery>,
    p: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    let (q, p) = (q.into_inner(), p.into_inner());
    let f = q.filter();
    if q.format.as_deref() == Some("csv") {
        let items = st
            .db(move |c| organizing::list_activities(c, &user.0, &f))
            .await?;
        return Ok(csv_file(&items));
    }
    Ok(page(
        st.db(move |c| organizing::find_activities(c, &user.0, &f, &p))
            .await?,
    ))
}

/// The activities as a CSV download.
fn csv_file(items: &[organizing::ActivityView]) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"activities.csv\"",
        ))
        .body(organizing::activities_csv(items))
}

/// Continuity: per-community timelines with one-off events marked, and monthly totals.
#[utoipa::path(params(ActivityQuery), responses((status = 200, body = organizing::Continuity), (status = 403)), security(("bearer" = [])))]
#[get("/community/continuity")]
async fn continuity(
    st: Data,
    user: ApiUser,
    q: web::Query<ActivityQuery>,
) -> AppResult<HttpResponse> {
    let f = q.into_inner().filter();
    let items = st
        .db(move |c| organizing::list_activities(c, &user.0, &f))
        .await?;
    Ok(HttpResponse::Ok().json(organizing::continuity(&items)))
}

/// What the community page shows: the communities, continuity over every
/// activity the query string asks for, and a page of them in the log.
async fn community_data(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    q: &HashMap<String, String>,
    paging: Paging,
) -> AppResult<Value> {
    let filter = filter_of(q);
    let actor = user.actor.clone();
    let (communities, all, (list, total)) = st
        .db(move |c| {
            Ok((
                organizing::list_communities(c, &actor)?,
                organizing::list_activities(c, &actor, &filter)?,
                organizing::find_activities(c, &actor, &filter, &paging)?,
            ))
        })
        .await?;
    let per_community = organizing::continuity(&all);
    let csv_query = serde_urlencoded::to_string(
        q.iter()
            .filter(|(k, _)| !matches!(k.as_str(), "lang" | "page" | "per_page"))
            .collect::<Vec<_>>(),
    )
    .unwrap_or_default();
    Ok(json!({
        "communities": communities, "activities": list, "total": total,
        "pager": pager_of(req, "/community", &paging, total),
        "continuity": per_community, "q": q, "sorts": organizing::ActivitySort::ALL,
        "kinds": ActivityKind::ALL, "dimensions": Dimension::ALL, "csv_query": csv_query,
        "can_log": user.actor.role == Role::CommunityOrganizer, "today": cus_db::today(),
    }))
}

fn filter_of(q: &HashMap<String, String>) -> ActivityFilter {
    ActivityFilter {
        // A date that is none, or out of range, filters nothing.
        from: q
            .get("from")
            .and_then(|d| cus_db::bounds::parse_date(d).ok()),
        to: q.get("to").and_then(|d| cus_db::bounds::parse_date(d).ok()),
        kind: q.get("kind").cloned().filter(|k| !k.is_empty()),
        dimension: q.get("dimension").cloned().filter(|d| !d.is_empty()),
        community: q.get("community").cloned().filter(|c| !c.is_empty()),
        sort: q.get("sort").cloned(),
    }
}

/// The filtered log as a CSV download, for the signed-in staff member.
async fn community_csv(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let filter = filter_of(&query_map(&req));
    let actor = user.actor.clone();
    let list = st
        .db(move |c| organizing::list_activities(c, &actor, &filter))
        .await?;
    Ok(csv_file(&list))
}

async fn community_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    p: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = community_data(&req, &st, &user, &query_map(&req), p.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("community", "community-title", data))
}

/// A community as the page asks for it: its stages one a line.
#[derive(Deserialize, Default)]
#[serde(default)]
struct CommunityForm {
    name: String,
    kind: String,
    diagnosis: String,
    resources: String,
    goals: String,
    stages: Lines,
}

impl From<CommunityForm> for CommunityInput {
    fn from(f: CommunityForm) -> Self {
        let stages = (f.stages.0.into_iter())
            .map(|name| Stage {
                name,
                status: String::new(),
            })
            .collect();
        CommunityInput {
            name: f.name,
            kind: f.kind,
            diagnosis: f.diagnosis,
            resources: f.resources,
            goals: f.goals,
            stages,
        }
    }
}

/// An activity as the page asks for it: counts that may be left blank, the
/// partners separated by commas or lines. The date is checked as the API
/// checks it (`cus_db::bounds`).
#[derive(Deserialize)]
struct ActivityForm {
    #[serde(deserialize_with = "cus_db::bounds::date")]
    date: NaiveDate,
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    dimension: String,
    #[serde(default)]
    community: String,
    #[serde(default)]
    participants: Count,
    #[serde(default)]
    volunteers: Count,
    #[serde(default)]
    volunteer_hours: Count,
    #[serde(default)]
    partners: List,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    follow_up: String,
}

impl From<ActivityForm> for ActivityInput {
    fn from(f: ActivityForm) -> Self {
        ActivityInput {
            date: f.date,
            title: f.title,
            kind: f.kind,
            dimension: f.dimension,
            community: f.community,
            community_kind: None,
            participants: f.participants.0,
            volunteers: f.volunteers.0,
            volunteer_hours: f.volunteer_hours.0,
            partners: f.partners.0,
            outcome: f.outcome,
            follow_up: f.follow_up,
        }
    }
}

/// The end of a form of the community page: back to it, or the page again
/// with the reasons.
async fn community_done<T>(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    typed: &HashMap<String, String>,
    result: AppResult<T>,
) -> AppResult<HttpResponse> {
    let none = HashMap::new();
    let data = community_data(req, st, user, &none, Paging::default());
    RecordPage::new("/community".into(), "community", "community-title", data)
        .settle(req, user, typed, result)
        .await
}

/// A new community (`POST /community/communities`).
async fn community_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<CommunityForm>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, f| {
            organizing::create_community(c, &actor, f.into())
        })
        .await;
    community_done(&req, &st, &user, &form.typed, result).await
}

/// An activity in the log (`POST /community/activities`).
async fn activity_log(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<ActivityForm>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, f| {
            organizing::log_activity(c, &actor, f.into())
        })
        .await;
    community_done(&req, &st, &user, &form.typed, result).await
}
