//! The adopted programs for anyone: the API, the public page, its Atom feed.

use super::*;
use crate::platform::error::{AppError, AppResult};
use crate::platform::templates;
use crate::social::evaluation;
use crate::web::api::list;
use crate::web::extract::MaybePageUser;
use crate::web::view::{query_map, View};
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
pub struct PublicQuery {
    /// A municipality's TERYT code; all when absent.
    pub municipality: Option<String>,
}

/// Adopted programs (in force, or superseded and marked so) with their
/// published evaluations, for anyone; also as Atom at `/social-programs.atom`.
#[utoipa::path(params(PublicQuery), responses((status = 200, body = cus_db::openapi::Page<evaluation::PublicProgram>)))]
#[get("/public/social-programs")]
pub(super) async fn public_programs(
    st: Data,
    q: web::Query<PublicQuery>,
) -> AppResult<HttpResponse> {
    let (m, min) = (q.into_inner().municipality, st.min_group());
    Ok(list(
        st.db(move |c| evaluation::public_list(c, m.as_deref(), min))
            .await?,
    ))
}

pub(super) async fn public_page(
    req: HttpRequest,
    st: Data,
    user: MaybePageUser,
) -> AppResult<HttpResponse> {
    let q = query_map(&req);
    let m = q.get("municipality").cloned().filter(|m| !m.is_empty());
    let min = st.min_group();
    let list = st
        .db(move |c| evaluation::public_list(c, m.as_deref(), min))
        .await?;
    let view = View::new(&req, user.0.as_ref());
    Ok(view.render(
        "social_programs_public",
        "sp-public-title",
        json!({"programs": list}),
    ))
}

/// Adopted versions as an Atom feed, newest adoption first.
pub(super) async fn programs_atom(st: Data) -> AppResult<HttpResponse> {
    let min = st.min_group();
    let list = st
        .db(move |c| evaluation::public_list(c, None, min))
        .await?;
    let stamp = |t: chrono::NaiveDateTime| {
        t.and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    let updated = list
        .iter()
        .map(|p| p.adopted_at)
        .max()
        .map(stamp)
        .unwrap_or_else(|| "2026-01-01T00:00:00Z".to_string());
    let entries: Vec<Value> = list
        .iter()
        .map(|p| {
            json!({"id": p.id, "title": format!("{} ({}–{}, v{})", p.title, p.year_from, p.year_to, p.version),
                   "municipality": p.municipality_name, "resolution": p.resolution_number,
                   "resolution_date": p.resolution_date, "superseded": p.superseded,
                   "updated": stamp(p.adopted_at)})
        })
        .collect();
    let xml = templates::render(
        "social_programs_atom",
        &json!({"lang": "pl", "base": st.config.server.public_url.trim_end_matches('/'),
                "updated": updated, "entries": entries}),
    )
    .map_err(AppError::Internal)?;
    Ok(HttpResponse::Ok()
        .content_type("application/atom+xml; charset=utf-8")
        .body(xml))
}
