//! Community work: communities, the organizer's activity log, continuity.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use community::organizing;
use community::organizing::{
    ActivityFilter, ActivityInput, CommunityInput, Stage, ACTIVITY_KINDS, DIMENSIONS,
};
use cus_db::error::Check;
use cus_db::{DomainError, Role};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::platform::error::{AppError, AppResult};
use crate::platform::state::AppState;
use crate::web::api::list;
use crate::web::extract::{ApiJson, ApiUser, PageUser};
use crate::web::view::{field as f, flash_of, opt, query_map, redirect, values, View};

type Data = web::Data<AppState>;
type Form = crate::web::extract::PageForm;

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
        .route("/community", post().to(community_act));
}

#[utoipa::path(request_body = CommunityInput, responses((status = 201, body = organizing::Community), (status = 422)), security(("bearer" = [])))]
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
#[utoipa::path(request_body = CommunityInput, responses((status = 200, body = organizing::Community), (status = 404), (status = 422)), security(("bearer" = [])))]
#[put("/community/communities/{id}")]
async fn update_community(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<CommunityInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| organizing::update_community(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(responses((status = 200, body = [organizing::Community])), security(("bearer" = [])))]
#[get("/community/communities")]
async fn list_communities(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(
        st.db(move |c| organizing::list_communities(c, &user.0))
            .await?,
    ))
}

#[utoipa::path(request_body = ActivityInput, responses((status = 201, body = organizing::ActivityView), (status = 422)), security(("bearer" = [])))]
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
    pub from: Option<chrono::NaiveDate>,
    pub to: Option<chrono::NaiveDate>,
    pub kind: Option<String>,
    pub dimension: Option<String>,
    pub community: Option<String>,
    /// `csv` for a CSV file.
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
        }
    }
}

/// The activity log, filtered; `?format=csv` gives CSV.
#[utoipa::path(params(ActivityQuery), responses((status = 200, body = [organizing::ActivityView])), security(("bearer" = [])))]
#[get("/community/activities")]
async fn list_activities(
    st: Data,
    user: ApiUser,
    q: web::Query<ActivityQuery>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let f = q.filter();
    let items = st
        .db(move |c| organizing::list_activities(c, &user.0, &f))
        .await?;
    if q.format.as_deref() == Some("csv") {
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                "attachment; filename=\"activities.csv\"",
            ))
            .body(organizing::activities_csv(&items)));
    }
    Ok(list(items))
}

/// Continuity: per-community timelines with one-off events marked, and monthly totals.
#[utoipa::path(params(ActivityQuery), responses((status = 200, body = organizing::Continuity)), security(("bearer" = [])))]
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

async fn community_data(
    st: &Data,
    user: &PageUser,
    q: &HashMap<String, String>,
) -> AppResult<Value> {
    let filter = filter_of(q);
    let actor = user.actor.clone();
    let (communities, list) = st
        .db(move |c| {
            Ok((
                organizing::list_communities(c, &actor)?,
                organizing::list_activities(c, &actor, &filter)?,
            ))
        })
        .await?;
    let per_community = organizing::continuity(&list);
    let csv_query =
        serde_urlencoded::to_string(q.iter().filter(|(k, _)| *k != "lang").collect::<Vec<_>>())
            .unwrap_or_default();
    Ok(json!({
        "communities": communities, "activities": list, "continuity": per_community, "q": q,
        "kinds": ACTIVITY_KINDS, "dimensions": DIMENSIONS, "csv_query": csv_query,
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
    }
}

/// The filtered log as a CSV download, for the signed-in staff member.
async fn community_csv(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let filter = filter_of(&query_map(&req));
    let actor = user.actor.clone();
    let list = st
        .db(move |c| organizing::list_activities(c, &actor, &filter))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"activities.csv\"",
        ))
        .body(organizing::activities_csv(&list)))
}

async fn community_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = community_data(&st, &user, &query_map(&req)).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("community", "community-title", data))
}

async fn community_act(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(f(&form, "csrf"))?;
    let actor = user.actor.clone();
    let result: AppResult<()> = match f(&form, "action") {
        "community" => {
            let stages = f(&form, "stages")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| Stage {
                    name: l.to_string(),
                    status: String::new(),
                })
                .collect();
            let input = CommunityInput {
                name: f(&form, "name").into(),
                kind: f(&form, "kind").into(),
                diagnosis: f(&form, "diagnosis").into(),
                resources: f(&form, "resources").into(),
                goals: f(&form, "goals").into(),
                stages,
            };
            st.tx(move |c| organizing::create_community(c, &actor, input).map(drop))
                .await
        }
        "activity" => {
            let mut check = Check::new();
            // Checked as the API checks them (cus_db::bounds).
            let date = cus_db::bounds::parse_date(f(&form, "date")).unwrap_or_else(|why| {
                check.fail("date", why);
                cus_db::today()
            });
            let number = |check: &mut Check, name: &str| -> i32 {
                match opt(&form, name) {
                    None => 0,
                    Some(v) => cus_db::bounds::parse_int(&v).unwrap_or_else(|why| {
                        check.fail(name, why);
                        0
                    }),
                }
            };
            let input = ActivityInput {
                date,
                title: f(&form, "title").into(),
                kind: f(&form, "kind").into(),
                dimension: f(&form, "dimension").into(),
                community: f(&form, "community").into(),
                participants: number(&mut check, "participants"),
                volunteers: number(&mut check, "volunteers"),
                volunteer_hours: number(&mut check, "volunteer_hours"),
                partners: f(&form, "partners")
                    .split([',', '\n'])
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect(),
                outcome: f(&form, "outcome").into(),
                follow_up: f(&form, "follow_up").into(),
                community_kind: None,
            };
            match check.finish() {
                Ok(()) => {
                    st.tx(move |c| organizing::log_activity(c, &actor, input).map(drop))
                        .await
                }
                Err(e) => Err(AppError::from(e)),
            }
        }
        _ => Err(DomainError::field("action", "error-type").into()),
    };
    match result {
        Ok(()) => Ok(redirect("/community?done=flash-saved")),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut data = community_data(&st, &user, &HashMap::new()).await?;
            data["values"] = values(&form);
            view.form_error(e, "community", "community-title", data)
        }
    }
}
