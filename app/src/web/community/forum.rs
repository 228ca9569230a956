//! The partner forum: threads, posts, consultations and meetings, search,
//! and the members' iCalendar feeds.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use community::forum;
use community::forum::{
    HideInput, MemberInput, PostId, PostInput, ThreadFilter, ThreadId, ThreadInput, ThreadUpdate,
};
use cus_db::bounds::Paging;
use cus_db::{DomainError, Role};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::platform::error::{AppError, AppResult};
use crate::platform::state::AppState;
use crate::web::api::{list, page};
use crate::web::contracting::forms::List;
use crate::web::extract::{ApiJson, ApiUser, Form, PageUser};
use crate::web::view::{flash_of, pager_of, query_map, values, Flash, RecordPage, View};

type Data = web::Data<AppState>;

/// This part's routes of `/api/v1`.
pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(create_thread)
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

/// This part's pages.
pub fn pages(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/forum", get().to(forum_page))
        .route("/forum/me", post().to(forum_notify))
        .route("/forum/threads", post().to(thread_create))
        .route("/forum/threads/{id}", get().to(thread_page))
        .route("/forum/threads/{id}", post().to(thread_update))
        .route("/forum/threads/{id}/posts", post().to(post_add))
        .route("/forum/posts/{id}", post().to(post_edit))
        .route("/forum/posts/{id}/hide", post().to(post_hide))
        .route("/calendar/{token}", get().to(calendar_feed));
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

/// The municipality's threads by kind, recently active or newest, one page
/// at a time.
#[utoipa::path(params(ThreadFilter, Paging), responses((status = 200, body = cus_db::openapi::Page<forum::ThreadRow>), (status = 403), (status = 422)), security(("bearer" = [])))]
#[get("/forum/threads")]
async fn list_threads(
    st: Data,
    user: ApiUser,
    q: web::Query<ThreadFilter>,
    p: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    let (q, p) = (q.into_inner(), p.into_inner());
    Ok(page(
        st.tx(move |c| forum::find_threads(c, &user.0, &q, &p))
            .await?,
    ))
}

#[utoipa::path(params(("id" = ThreadId, Path)), responses((status = 200, body = forum::Thread), (status = 403), (status = 404)), security(("bearer" = [])))]
#[get("/forum/threads/{id}")]
async fn get_thread(st: Data, user: ApiUser, path: web::Path<ThreadId>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(st.tx(move |c| forum::get_thread(c, &user.0, &id)).await?))
}

/// Closes a consultation with its summary, or records a meeting's minutes.
#[utoipa::path(params(("id" = ThreadId, Path)), request_body = ThreadUpdate, responses((status = 200, body = forum::Thread), (status = 403), (status = 422)), security(("bearer" = [])))]
#[put("/forum/threads/{id}")]
async fn update_thread(
    st: Data,
    user: ApiUser,
    path: web::Path<ThreadId>,
    body: ApiJson<ThreadUpdate>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| forum::update_thread(c, &user.0, &id, body.0))
            .await?,
    ))
}

#[utoipa::path(params(("id" = ThreadId, Path)), request_body = PostInput, responses((status = 201, body = forum::PostView), (status = 403), (status = 409), (status = 422), (status = 429)), security(("bearer" = [])))]
#[post("/forum/threads/{id}/posts")]
async fn add_post(
    st: Data,
    user: ApiUser,
    path: web::Path<ThreadId>,
    body: ApiJson<PostInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let url = st.config.server.public_url.clone();
    Ok(HttpResponse::Created().json(
        st.tx(move |c| forum::add_post(c, &user.0, &id, body.0, &url))
            .await?,
    ))
}

#[utoipa::path(params(("id" = PostId, Path)), request_body = PostInput, responses((status = 200, body = forum::PostView), (status = 403)), security(("bearer" = [])))]
#[put("/forum/posts/{id}")]
async fn edit_post(
    st: Data,
    user: ApiUser,
    path: web::Path<PostId>,
    body: ApiJson<PostInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    Ok(HttpResponse::Ok().json(
        st.tx(move |c| forum::edit_post(c, &user.0, &id, body.0))
            .await?,
    ))
}

/// An earlier text of a post, replaced at `replaced_at`.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Revision {
    body: String,
    replaced_at: String,
}

#[utoipa::path(params(("id" = PostId, Path)), responses((status = 200, body = cus_db::openapi::Page<Revision>), (status = 403)), security(("bearer" = [])))]
#[get("/forum/posts/{id}/revisions")]
async fn post_revisions(
    st: Data,
    user: ApiUser,
    path: web::Path<PostId>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let revs = st.tx(move |c| forum::revisions(c, &user.0, &id)).await?;
    let items: Vec<_> = revs
        .into_iter()
        .map(|(body, at)| Revision {
            body,
            replaced_at: at
                .and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })
        .collect();
    Ok(list(items))
}

#[utoipa::path(params(("id" = PostId, Path)), request_body = HideInput, responses((status = 204), (status = 403)), security(("bearer" = [])))]
#[post("/forum/posts/{id}/hide")]
async fn hide_post(
    st: Data,
    user: ApiUser,
    path: web::Path<PostId>,
    body: ApiJson<HideInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    st.tx(move |c| forum::hide_post(c, &user.0, &id, body.0))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Deserialize, IntoParams)]
struct SearchQuery {
    /// Words to find: at least one letter, digit or `-`.
    #[param(
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[0-9A-Za-z-][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    q: String,
}

#[utoipa::path(params(SearchQuery), responses((status = 200, body = cus_db::openapi::Page<forum::SearchHit>), (status = 403)), security(("bearer" = [])))]
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
    #[schema(value_type = forum::Notify)]
    notify: String,
}

#[utoipa::path(request_body = NotifyInput, responses((status = 200, body = forum::Membership), (status = 403)), security(("bearer" = [])))]
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

/// What the forum page shows: a page of the threads `filter` asks for, the
/// search's hits for `q`, the member's settings and calendar.
async fn forum_data(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    q: Option<String>,
    filter: ThreadFilter,
    paging: Paging,
) -> AppResult<Value> {
    let actor = user.actor.clone();
    let shown = filter.clone();
    let ((threads, total), membership, hits) = st
        .tx(move |c| {
            let threads = forum::find_threads(c, &actor, &filter, &paging)?;
            let m = forum::membership(c, &actor)?;
            let hits = match q.filter(|q| !q.trim().is_empty()) {
                Some(q) => Some(forum::search(c, &actor, &q)?),
                None => None,
            };
            Ok((threads, m, hits))
        })
        .await?;
    let calendar = format!(
        "{}/calendar/{}.ics",
        st.config.server.public_url.trim_end_matches('/'),
        membership.calendar_token
    );
    Ok(json!({
        "threads": threads, "total": total, "pager": pager_of(req, "/forum", &paging, total),
        "f": {"kind": shown.kind, "sort": shown.sort}, "sorts": forum::ThreadSort::ALL,
        "membership": membership, "hits": hits, "calendar": calendar,
        "kinds": forum::ThreadKind::ALL, "notify_options": forum::Notify::ALL,
    }))
}

async fn forum_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    f: web::Query<ThreadFilter>,
    p: web::Query<Paging>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let q = query_map(&req).get("q").cloned();
    let mut data = forum_data(&req, &st, &user, q.clone(), f.into_inner(), p.into_inner()).await?;
    data["q"] = json!(q);
    data["flash"] = json!(flash_of(&req, &view));
    data["values"] = json!({"kind": "discussion"});
    Ok(view.render("forum", "forum-title", data))
}

/// The member's notification choice (`POST /forum/me`: the API's
/// `NotifyInput`).
async fn forum_notify(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<NotifyInput>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, input| {
            forum::set_notify(c, &actor, &input.notify)
        })
        .await;
    RecordPage::new(
        "/forum".into(),
        "forum",
        "forum-title",
        forum_data(
            &req,
            &st,
            &user,
            None,
            Default::default(),
            Default::default(),
        ),
    )
    .settle(&req, &user, &form.typed, result)
    .await
}

/// A new thread (`POST /forum/threads`: the API's `ThreadInput`).
async fn thread_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form<ThreadInput>,
) -> AppResult<HttpResponse> {
    let actor = user.actor.clone();
    let url = st.config.server.public_url.clone();
    let result = st
        .tx_input(form.input, move |c, mut input| {
            // The form's wall time is local (the display zone); stored in UTC.
            input.meeting_at = (input.meeting_at.as_deref()).map(|m| {
                crate::platform::templates::local_input_to_utc(
                    m,
                    crate::platform::templates::timezone(),
                )
            });
            forum::create_thread(c, &actor, input, &url)
        })
        .await;
    match result {
        Ok(t) => Ok(Flash::Saved.redirect(&format!("/forum/threads/{}", t.row.id))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut data = forum_data(
                &req,
                &st,
                &user,
                None,
                Default::default(),
                Default::default(),
            )
            .await?;
            data["values"] = values(&form.typed);
            view.form_error(e, "forum", "forum-title", data)
        }
    }
}

async fn thread_data(st: &Data, user: &PageUser, id: ThreadId) -> AppResult<Value> {
    let actor = user.actor.clone();
    let t = st.tx(move |c| forum::get_thread(c, &actor, &id)).await?;
    let a = &user.actor;
    let manage = a.user_id == t.row.author_id || a.is(&[Role::Organizer, Role::Admin]);
    Ok(json!({
        "th": t,
        "me": a.user_id,
        "moderator": a.is(&[Role::Organizer, Role::Admin]),
        "can_summarize": manage && t.row.kind == "consultation" && t.row.summary.is_none(),
        "can_minute": manage && t.row.kind == "meeting",
    }))
}

/// `/forum/threads/{id}` (API.md): the thread with its posts, rendered safely.
async fn thread_page(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ThreadId>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = thread_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("thread", "forum-title", data))
}

/// A consultation's summary, or a meeting's minutes and participants
/// (separated by commas or lines).
#[derive(Deserialize, Default)]
#[serde(default)]
struct ThreadUpdateForm {
    summary: Option<String>,
    minutes: Option<String>,
    participants: Option<List>,
}

/// The end of a thread page's form: back to the thread (`id`), or its page
/// again with the reasons (flood control stays a 429).
async fn thread_done<T>(
    req: &HttpRequest,
    st: &Data,
    user: &PageUser,
    typed: &HashMap<String, String>,
    id: ThreadId,
    result: AppResult<T>,
) -> AppResult<HttpResponse> {
    let result = match result {
        Err(e) if e.retry_after().is_some() => return Err(e),
        other => other,
    };
    let to = format!("/forum/threads/{id}");
    RecordPage::new(to, "thread", "forum-title", thread_data(st, user, id))
        .settle(req, user, typed, result)
        .await
}

/// The thread a post is in, where this user may read it (404 otherwise).
async fn post_thread(st: &Data, user: &PageUser, post_id: PostId) -> AppResult<ThreadId> {
    let actor = user.actor.clone();
    st.db(move |c| forum::post_thread(c, &actor, &post_id))
        .await
}

/// A reply (`POST /forum/threads/{id}/posts`).
async fn post_add(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ThreadId>,
    form: Form<PostInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, tid) = (user.actor.clone(), id.clone());
    let url = st.config.server.public_url.clone();
    let result = st
        .tx_input(form.input, move |c, input| {
            forum::add_post(c, &actor, &tid, input, &url)
        })
        .await;
    thread_done(&req, &st, &user, &form.typed, id, result).await
}

/// The author revises a post (`POST /forum/posts/{id}`).
async fn post_edit(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<PostId>,
    form: Form<PostInput>,
) -> AppResult<HttpResponse> {
    let pid = path.into_inner();
    let id = post_thread(&st, &user, pid.clone()).await?;
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, input| {
            forum::edit_post(c, &actor, &pid, input)
        })
        .await;
    thread_done(&req, &st, &user, &form.typed, id, result).await
}

/// A moderator hides a post (`POST /forum/posts/{id}/hide`).
async fn post_hide(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<PostId>,
    form: Form<HideInput>,
) -> AppResult<HttpResponse> {
    let pid = path.into_inner();
    let id = post_thread(&st, &user, pid.clone()).await?;
    let actor = user.actor.clone();
    let result = st
        .tx_input(form.input, move |c, input| {
            forum::hide_post(c, &actor, &pid, input)
        })
        .await;
    thread_done(&req, &st, &user, &form.typed, id, result).await
}

/// A consultation's summary or a meeting's minutes (`POST
/// /forum/threads/{id}`, the API's `PUT`).
async fn thread_update(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<ThreadId>,
    form: Form<ThreadUpdateForm>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let (actor, tid) = (user.actor.clone(), id.clone());
    let result = st
        .tx_input(form.input, move |c, f| {
            let input = ThreadUpdate {
                summary: f.summary,
                minutes: f.minutes,
                participants: f.participants.map(|p| p.0),
            };
            forum::update_thread(c, &actor, &tid, input)
        })
        .await;
    thread_done(&req, &st, &user, &form.typed, id, result).await
}
