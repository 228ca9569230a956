//! The community organizer's log and the partner forum, as pages.

use actix_web::{web, HttpRequest, HttpResponse};
use community::forum::{self, HideInput, PostInput, ThreadInput, ThreadUpdate};
use community::organizing::{
    self, ActivityFilter, ActivityInput, CommunityInput, Stage, ACTIVITY_KINDS, DIMENSIONS,
};
use cus_db::error::Check;
use cus_db::{DomainError, Role};
use serde_json::{json, Value};
use std::collections::HashMap;

use crate::error::{AppError, AppResult};
use crate::pages::{field as f, flash_of, opt, query_map, redirect, values, View};
use crate::state::{AppState, PageUser};

type Data = web::Data<AppState>;
type Form = crate::state::PageForm;

pub fn routes(cfg: &mut web::ServiceConfig) {
    use web::{get, post};
    cfg.route("/community", get().to(community_page))
        .route("/community/activities.csv", get().to(community_csv))
        .route("/community", post().to(community_act))
        .route("/forum", get().to(forum_page))
        .route("/forum", post().to(forum_create))
        .route("/forum/threads/{id}", get().to(thread_page))
        .route("/forum/threads/{id}", post().to(thread_act));
}

// ---------------------------------------------------------------- community work

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
    let continuity = organizing::continuity(&list);
    let csv_query =
        serde_urlencoded::to_string(q.iter().filter(|(k, _)| *k != "lang").collect::<Vec<_>>())
            .unwrap_or_default();
    Ok(json!({
        "communities": communities, "activities": list, "continuity": continuity, "q": q,
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

// ---------------------------------------------------------------- forum

async fn forum_data(st: &Data, user: &PageUser, q: Option<String>) -> AppResult<Value> {
    let actor = user.actor.clone();
    let (threads, membership, hits) = st
        .tx(move |c| {
            let threads = forum::list_threads(c, &actor)?;
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
    Ok(
        json!({"threads": threads, "membership": membership, "hits": hits, "calendar": calendar, "kinds": forum::KINDS, "notify_options": forum::NOTIFY}),
    )
}

async fn forum_page(req: HttpRequest, st: Data, user: PageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let q = query_map(&req).get("q").cloned();
    let mut data = forum_data(&st, &user, q.clone()).await?;
    data["q"] = json!(q);
    data["flash"] = json!(flash_of(&req, &view));
    data["values"] = json!({"kind": "discussion"});
    Ok(view.render("forum", "forum-title", data))
}

async fn forum_create(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(f(&form, "csrf"))?;
    let actor = user.actor.clone();
    if f(&form, "action") == "notify" {
        let how = f(&form, "notify").to_string();
        st.tx(move |c| forum::set_notify(c, &actor, &how)).await?;
        return Ok(redirect("/forum?done=flash-saved"));
    }
    let closes_on = crate::pages::date_opt(&form, "closes_on");
    let input = ThreadInput {
        title: f(&form, "title").into(),
        body: f(&form, "body").into(),
        kind: f(&form, "kind").into(),
        // The form's wall time is local (the display zone); stored in UTC.
        meeting_at: opt(&form, "meeting_at")
            .map(|m| crate::templates::local_input_to_utc(&m, crate::templates::timezone())),
        place: opt(&form, "place"),
        agenda: opt(&form, "agenda"),
        document: opt(&form, "document"),
        closes_on: closes_on.as_ref().ok().copied().flatten(),
        participants: vec![],
        linked_type: opt(&form, "linked_type"),
        linked_id: opt(&form, "linked_id"),
    };
    let url = st.config.server.public_url.clone();
    let result = match closes_on {
        Err(e) => Err(e.into()),
        Ok(_) => {
            st.tx(move |c| forum::create_thread(c, &actor, input, &url))
                .await
        }
    };
    match result {
        Ok(t) => Ok(redirect(&format!(
            "/forum/threads/{}?done=flash-saved",
            t.row.id
        ))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            let mut data = forum_data(&st, &user, None).await?;
            data["values"] = values(&form);
            view.form_error(e, "forum", "forum-title", data)
        }
    }
}

async fn thread_data(st: &Data, user: &PageUser, id: String) -> AppResult<Value> {
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
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let mut data = thread_data(&st, &user, path.into_inner()).await?;
    data["flash"] = json!(flash_of(&req, &view));
    Ok(view.render("thread", "forum-title", data))
}

async fn thread_act(
    req: HttpRequest,
    st: Data,
    user: PageUser,
    path: web::Path<String>,
    form: Form,
) -> AppResult<HttpResponse> {
    user.check_csrf(f(&form, "csrf"))?;
    let id = path.into_inner();
    let actor = user.actor.clone();
    let (tid, url) = (id.clone(), st.config.server.public_url.clone());
    let result: AppResult<()> = match f(&form, "action") {
        "post" => {
            let input = PostInput {
                body: f(&form, "body").into(),
            };
            st.tx(move |c| forum::add_post(c, &actor, &tid, input, &url).map(drop))
                .await
        }
        "edit" => {
            let (pid, input) = (
                f(&form, "post_id").to_string(),
                PostInput {
                    body: f(&form, "body").into(),
                },
            );
            st.tx(move |c| forum::edit_post(c, &actor, &pid, input).map(drop))
                .await
        }
        "hide" => {
            let (pid, input) = (
                f(&form, "post_id").to_string(),
                HideInput {
                    reason: f(&form, "reason").into(),
                },
            );
            st.tx(move |c| forum::hide_post(c, &actor, &pid, input))
                .await
        }
        "summary" | "minutes" => {
            let participants = opt(&form, "participants").map(|p| {
                p.split([',', '\n'])
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect()
            });
            let input = ThreadUpdate {
                summary: opt(&form, "summary"),
                minutes: opt(&form, "minutes"),
                participants,
            };
            st.tx(move |c| forum::update_thread(c, &actor, &tid, input).map(drop))
                .await
        }
        _ => Err(DomainError::field("action", "error-type").into()),
    };
    match result {
        Ok(()) => Ok(redirect(&format!("/forum/threads/{id}?done=flash-saved"))),
        Err(e) => {
            let view = View::new(&req, Some(&user));
            if e.retry_after().is_some() {
                return Err(e);
            }
            let mut data = thread_data(&st, &user, id).await?;
            data["values"] = values(&form);
            view.form_error(e, "thread", "forum-title", data)
        }
    }
}
