//! The community and forum routes of `/api/v1`, over the `community` crate,
//! and the members' iCalendar feeds.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use community::forum::{self, HideInput, MemberInput, PostInput, ThreadInput, ThreadUpdate};
use community::organizing::{self, ActivityFilter, ActivityInput, CommunityInput};
use cus_db::DomainError;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::error::{AppError, AppResult};
use crate::state::{ApiJson, ApiUser, AppState};

type Data = web::Data<AppState>;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(create_community)
        .service(list_communities)
        .service(update_community)
        .service(log_activity)
        .service(list_activities)
        .service(continuity)
        .service(create_thread)
        .service(list_threads)
        .service(get_thread)
        .service(update_thread)
        .service(add_post)
        .service(edit_post)
        .service(post_revisions)
        .service(hide_post)
        .service(search)
        .service(set_member)
        .service(set_notify)
        .service(my_calendar);
}

fn list<T: serde::Serialize>(items: Vec<T>) -> HttpResponse {
    let total = items.len();
    HttpResponse::Ok().json(json!({"items": items, "total": total}))
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

#[utoipa::path(request_body = ThreadInput, responses((status = 201, body = forum::Thread), (status = 403), (status = 422), (status = 429)), security(("bearer" = [])))]
#[post("/forum/threads")]
async fn create_thread(
    st: Data,
    user: ApiUser,
    body: ApiJson<ThreadInput>,
) -> AppResult<HttpResponse> {
    let url = st.config.server.public_url.clone();
    Ok(HttpResponse::Created().json(
        st.tx(move |c| forum::create_thread(c, &user.0, body.0, &url))
            .await?,
    ))
}

#[utoipa::path(responses((status = 200, body = [forum::ThreadRow]), (status = 403)), security(("bearer" = [])))]
#[get("/forum/threads")]
async fn list_threads(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    Ok(list(st.tx(move |c| forum::list_threads(c, &user.0)).await?))
}

#[utoipa::path(responses((status = 200, body = forum::Thread), (status = 403), (status = 404)), security(("bearer" = [])))]
#[get("/forum/threads/{id}")]
async fn get_thread(st: Data, user: ApiUser, path: web::Path<String>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.tx(move |c| forum::get_thread(c, &user.0, &id)).await?))
}

/// Closes a consultation with its summary, or records a meeting's minutes.
#[utoipa::path(request_body = ThreadUpdate, responses((status = 200, body = forum::Thread), (status = 403), (status = 422)), security(("bearer" = [])))]
#[put("/forum/threads/{id}")]
async fn update_thread(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<ThreadUpdate>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| forum::update_thread(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(request_body = PostInput, responses((status = 201, body = forum::PostView), (status = 403), (status = 409), (status = 422), (status = 429)), security(("bearer" = [])))]
#[post("/forum/threads/{id}/posts")]
async fn add_post(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<PostInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let url = st.config.server.public_url.clone();
    Ok(HttpResponse::Created().json(
        st.tx(move |c| forum::add_post(c, &user.0, &id, body.0, &url))
            .await?,
    ))
}

#[utoipa::path(request_body = PostInput, responses((status = 200, body = forum::PostView), (status = 403)), security(("bearer" = [])))]
#[put("/forum/posts/{id}")]
async fn edit_post(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<PostInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| forum::edit_post(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(responses((status = 200), (status = 403)), security(("bearer" = [])))]
#[get("/forum/posts/{id}/revisions")]
async fn post_revisions(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let revs = st.tx(move |c| forum::revisions(c, &user.0, &id)).await?;
    let items: Vec<_> = revs
        .into_iter()
        .map(|(body, at)| json!({"body": body, "replaced_at": at.and_utc().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)}))
        .collect();
    Ok(list(items))
}

#[utoipa::path(request_body = HideInput, responses((status = 204), (status = 403)), security(("bearer" = [])))]
#[post("/forum/posts/{id}/hide")]
async fn hide_post(
    st: Data,
    user: ApiUser,
    path: web::Path<String>,
    body: ApiJson<HideInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    st.tx(move |c| forum::hide_post(c, &user.0, &id, body.0))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, IntoParams)]
struct SearchQuery {
    q: String,
}

#[utoipa::path(params(SearchQuery), responses((status = 200, body = [forum::SearchHit]), (status = 403)), security(("bearer" = [])))]
#[get("/forum/search")]
async fn search(st: Data, user: ApiUser, q: web::Query<SearchQuery>) -> AppResult<HttpResponse> {
    let text = q.into_inner().q;
    Ok(list(
        st.tx(move |c| forum::search(c, &user.0, &text)).await?,
    ))
}

#[utoipa::path(request_body = MemberInput, responses((status = 200, body = forum::Membership), (status = 403)), security(("bearer" = [])))]
#[post("/forum/members")]
async fn set_member(
    st: Data,
    user: ApiUser,
    body: ApiJson<MemberInput>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| forum::set_membership(c, &user.0, body.0))
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
struct NotifyInput {
    /// immediate | digest | none
    notify: String,
}

#[utoipa::path(request_body = NotifyInput, responses((status = 200, body = forum::Membership)), security(("bearer" = [])))]
#[put("/forum/me")]
async fn set_notify(
    st: Data,
    user: ApiUser,
    body: ApiJson<NotifyInput>,
) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| forum::set_notify(c, &user.0, &body.0.notify))
            .await?,
    ))
}

/// The secret URL of the member's iCalendar feed (readable without a token).
#[utoipa::path(responses((status = 200, description = "`{url}`"), (status = 403)), security(("bearer" = [])))]
#[get("/me/calendar")]
async fn my_calendar(st: Data, user: ApiUser) -> AppResult<HttpResponse> {
    let token = st.tx(move |c| forum::calendar_token(c, &user.0)).await?;
    let url = format!(
        "{}/calendar/{token}.ics",
        st.config.server.public_url.trim_end_matches('/')
    );
    Ok(HttpResponse::Ok().json(json!({"url": url})))
}

/// `GET /calendar/{token}.ics`: meetings and consultation deadlines.
pub async fn calendar_feed(
    st: Data,
    path: web::Path<String>,
    _req: HttpRequest,
) -> AppResult<HttpResponse> {
    use icalendar::{Calendar, Component, Event, EventLike};
    let token = path.into_inner();
    let token = token.strip_suffix(".ics").unwrap_or(&token).to_string();
    let url = st.config.server.public_url.clone();
    let events = st
        .db(move |c| Ok(forum::calendar(c, &token, &url)?))
        .await?
        .ok_or(AppError::Domain(DomainError::NotFound))?;
    let mut cal = Calendar::new();
    cal.name("CUS — forum partnerów");
    for e in events {
        let mut ev = Event::new();
        ev.uid(&e.uid)
            .summary(&ical_line(&e.title))
            .description(&ical_text(&e.description))
            .url(&e.link);
        if let Some(start) = e.start {
            // Meetings last two hours; a start at the end of time (never
            // written now, see cus_db::bounds) ends where it starts.
            let start = start.and_utc();
            let end = start
                .checked_add_signed(chrono::Duration::hours(2))
                .unwrap_or(start);
            ev.starts(start).ends(end);
        } else if let Some(day) = e.all_day {
            ev.all_day(day);
        }
        if let Some(p) = &e.place {
            ev.location(&ical_line(p));
        }
        cal.push(ev.done());
    }
    Ok(HttpResponse::Ok()
        .content_type("text/calendar; charset=utf-8")
        .body(cal.done().to_string()))
}

/// A one-line iCalendar value (a title, a place): RFC 5545 text holds no
/// control characters, so each becomes a space. Inputs refuse them now;
/// older records may still hold some.
fn ical_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A long iCalendar value (an agenda): line breaks (CR LF, a bare CR) are
/// kept as one LF, which the library escapes as `\n`; tabs are allowed; any
/// other control character is dropped.
fn ical_text(text: &str) -> String {
    text.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|&c| !c.is_control() || c == '\n' || c == '\t')
        .collect()
}
