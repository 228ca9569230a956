//! The home page: for a signed-in user what needs doing now (the same list
//! as `GET /api/v1/me/dashboard`), for anyone the way in.

use actix_web::{get, web, HttpRequest, HttpResponse};
use cus_db::todo::Item;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;

use crate::dashboard;
use crate::platform::error::AppResult;
use crate::platform::i18n::{self, Fluent};
use crate::platform::state::AppState;
use crate::search::{self, Hit};
use crate::web::extract::{ApiUser, MaybePageUser, PageUser};
use crate::web::view::View;

type Data = web::Data<AppState>;

pub fn api(cfg: &mut ServiceConfig) {
    cfg.service(my_dashboard).service(search_api);
}

pub fn pages(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home))
        .route("/search", web::get().to(search_page));
}

#[derive(Serialize, ToSchema)]
struct Dashboard {
    items: Vec<Item>,
}

/// What needs the signed-in user now: overdue first, then due soon, then
/// the rest, each group by `due` then `title` (API.md "The worker's day").
#[utoipa::path(responses((status = 200, body = Dashboard)), security(("bearer" = [])))]
#[get("/me/dashboard")]
async fn my_dashboard(st: Data, req: HttpRequest, user: ApiUser) -> AppResult<HttpResponse> {
    let lang = i18n::api_lang(&req);
    let items = st
        .db(move |c| dashboard::items(c, &user.0, dashboard::today(), &Fluent(lang)))
        .await?;
    Ok(HttpResponse::Ok().json(Dashboard { items }))
}

async fn home(st: Data, req: HttpRequest, user: MaybePageUser) -> AppResult<HttpResponse> {
    let view = View::new(&req, user.0.as_ref());
    let Some(user) = user.0 else {
        return Ok(view.render(
            "home",
            "home-title",
            json!({"items": [], "count": 0, "can_search": false}),
        ));
    };
    let lang = view.lang();
    let can_search = crate::search::allowed(&user.actor);
    let items = st
        .db(move |c| dashboard::items(c, &user.actor, dashboard::today(), &Fluent(lang)))
        .await?;
    let count = items.len();
    Ok(view.render(
        "home",
        "home-title",
        json!({ "items": items, "count": count, "can_search": can_search }),
    ))
}

#[derive(Deserialize, IntoParams)]
struct SearchQuery {
    /// Two to 100 characters once trimmed: a case or agreement number, a
    /// title, an organization's name, KRS or NIP, a resident's last name or
    /// PESEL.
    #[param(
        required = true,
        value_type = String,
        max_length = 100,
        pattern = "^[^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*[^\\s\\u0000-\\u001F\\u007F-\\u009F][^\\u0000-\\u001F\\u007F-\\u009F]*$"
    )]
    q: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct SearchResults {
    items: Vec<Hit>,
}

/// Staff find a record by its number or name, in their municipality only
/// (residents found are audited, as `GET /api/v1/residents`).
#[utoipa::path(params(SearchQuery), responses((status = 200, body = SearchResults), (status = 403), (status = 422)), security(("bearer" = [])))]
#[get("/search")]
async fn search_api(
    st: Data,
    user: ApiUser,
    q: web::Query<SearchQuery>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner().q.unwrap_or_default();
    let items = st.audited(move |c| search::search(c, &user.0, &q)).await?;
    Ok(HttpResponse::Ok().json(SearchResults { items }))
}

async fn search_page(
    st: Data,
    req: HttpRequest,
    user: PageUser,
    q: web::Query<SearchQuery>,
) -> AppResult<HttpResponse> {
    let view = View::new(&req, Some(&user));
    let q = q.into_inner().q;
    let Some(text) = q.clone().filter(|t| !t.trim().is_empty()) else {
        if !search::allowed(&user.actor) {
            return Err(cus_db::DomainError::Forbidden.into());
        }
        return Ok(view.render(
            "search",
            "search-title",
            json!({"q": "", "searched": false, "hits": []}),
        ));
    };
    let actor = user.actor.clone();
    let result = st.audited(move |c| search::search(c, &actor, &text)).await;
    match result {
        Ok(hits) => Ok(view.render(
            "search",
            "search-title",
            json!({"q": q, "searched": true, "hits": hits}),
        )),
        Err(e) => view.form_error(
            e,
            "search",
            "search-title",
            json!({"q": q, "searched": false, "hits": [], "values": {"q": q}}),
        ),
    }
}
