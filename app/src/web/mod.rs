//! The HTTP faces: the JSON API of `/api/v1` and the handlebars pages, one
//! module per area, each holding that area's API handlers and page handlers
//! side by side. The route table is composed here, in one place, with the
//! middleware every response passes through.

pub mod account;
pub mod admin;
pub mod api;
pub mod assessment;
pub mod community;
pub mod contracting;
pub mod extract;
pub mod home;
pub mod menu;
pub mod plans;
pub mod privacy;
pub mod social;
pub mod social_work;
pub mod view;
pub mod window;

use actix_web::http::header;
use actix_web::middleware::DefaultHeaders;
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::AppExt;

use crate::platform::state::AppState;
use crate::platform::{error, i18n};

/// The route table of `/api/v1` (API.md), every area's part of it.
pub fn api_routes(cfg: &mut ServiceConfig) {
    api::api(cfg);
    admin::api(cfg);
    account::api(cfg);
    home::api(cfg);
    window::api(cfg);
    plans::api(cfg);
    contracting::api(cfg);
    community::api(cfg);
    assessment::api(cfg);
    social::api(cfg);
    privacy::api(cfg);
    social_work::api(cfg);
}

/// The route table of the pages. Literal paths come before the patterns
/// that would also match them (`/competitions/manage` before
/// `/competitions/{id}`) within each area; areas share no prefixes.
pub fn page_routes(cfg: &mut web::ServiceConfig) {
    contracting::pages(cfg);
    community::pages(cfg);
    assessment::pages(cfg);
    social::pages(cfg);
    account::pages(cfg);
    home::pages(cfg);
    window::pages(cfg);
    plans::pages(cfg);
    admin::pages(cfg);
    privacy::pages(cfg);
    social_work::pages(cfg);
    view::pages(cfg);
}

/// Strict headers on every response (CSP without scripts: the pages need none).
const SECURITY_HEADERS: [(&str, &str); 7] = [
    (
        "content-security-policy",
        "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    (
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    ),
    ("cross-origin-opener-policy", "same-origin"),
    ("cache-control", "no-store"),
];

fn security_headers() -> DefaultHeaders {
    SECURITY_HEADERS
        .iter()
        .fold(DefaultHeaders::new(), |h, &(name, value)| {
            h.add((name, value))
        })
}

/// Errors of page routes become HTML pages in the user's language; the API
/// keeps the JSON body of API.md (English unless the client asks for
/// Polish). Server faults are logged once, under a correlation id that the
/// response carries.
fn render_errors<S>(
    req: actix_web::dev::ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<actix_web::dev::ServiceResponse, actix_web::Error>>
where
    S: actix_web::dev::Service<
        actix_web::dev::ServiceRequest,
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
    >,
{
    let fut = srv.call(req);
    async move {
        let res = fut.await?;
        let Some(err) = res
            .response()
            .error()
            .and_then(|e| e.as_error::<error::AppError>())
        else {
            return Ok(res);
        };
        let correlation = err.log_fault(res.request().path());
        let rendered = if res.request().path().starts_with("/api/") {
            err.json_response(i18n::api_lang(res.request()), correlation.as_deref())
        } else {
            view::error_page(res.request(), err, correlation.as_deref())
        };
        Ok(res.into_response(rendered))
    }
}

/// Control characters in the query string (or the decoded path) are
/// refused before any handler runs: 422 naming the parameter (404 for the
/// path), rendered as every error is.
fn refuse_control_characters<S>(
    req: actix_web::dev::ServiceRequest,
    srv: &S,
) -> futures_util::future::Either<
    S::Future,
    std::future::Ready<Result<actix_web::dev::ServiceResponse, actix_web::Error>>,
>
where
    S: actix_web::dev::Service<
        actix_web::dev::ServiceRequest,
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
    >,
{
    use futures_util::future::Either;
    match extract::control_characters_in_request(req.request()) {
        None => Either::Left(srv.call(req)),
        Some(err) => Either::Right(std::future::ready(Ok(req.error_response(err)))),
    }
}

/// A panic in a handler answers 500 with a correlation id instead of
/// dropping the connection (and the worker with it). It wraps everything, so
/// it builds the whole response itself, security headers included. Writes
/// are safe regardless: a panicking unit of work is rolled back.
fn catch_panics<S, B>(
    req: actix_web::dev::ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>>
where
    S: actix_web::dev::Service<
        actix_web::dev::ServiceRequest,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
{
    use futures_util::FutureExt;
    let path = req.path().to_string();
    let api = path.starts_with("/api/");
    let lang = if api {
        i18n::api_lang(req.request())
    } else {
        i18n::page_lang(req.request())
    };
    let fut = srv.call(req);
    async move {
        match std::panic::AssertUnwindSafe(fut).catch_unwind().await {
            Ok(res) => res,
            Err(panic) => {
                let why = cus_db::writer::panic_message(&panic);
                let err = error::AppError::Internal(format!("handler panicked: {why}"));
                let id = err.log_fault(&path);
                let mut resp = if api {
                    err.json_response(lang, id.as_deref())
                } else {
                    view::fault_page(lang, &err, id.as_deref().unwrap_or(""))
                };
                for (name, value) in SECURITY_HEADERS {
                    resp.headers_mut().insert(
                        header::HeaderName::from_static(name),
                        header::HeaderValue::from_static(value),
                    );
                }
                Err(actix_web::error::InternalError::from_response(why, resp).into())
            }
        }
    }
}

/// The methods each path of the API takes, from its OpenAPI document: the
/// path's segments (`None` for a `{parameter}`) and `GET, POST`…
fn api_methods() -> &'static [(Vec<Option<String>>, String)] {
    static METHODS: std::sync::OnceLock<Vec<(Vec<Option<String>>, String)>> =
        std::sync::OnceLock::new();
    METHODS.get_or_init(|| {
        let doc: serde_json::Value =
            serde_json::from_str(api::openapi_document()).expect("the document is JSON");
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().into_iter().flatten() {
            let segments = path
                .split('/')
                .map(|s| (!s.starts_with('{')).then(|| s.to_string()))
                .collect();
            let methods: Vec<String> = ["get", "put", "post", "delete", "patch"]
                .iter()
                .filter(|m| item.get(**m).is_some())
                .map(|m| m.to_uppercase())
                .collect();
            out.push((segments, methods.join(", ")));
        }
        out
    })
}

/// What `Allow` says for an API path that a route takes with other
/// methods; `None` when no route has the path.
fn allowed_methods(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    api_methods().iter().find_map(|(pattern, allow)| {
        let fits = pattern.len() == segments.len()
            && pattern.iter().zip(&segments).all(|(p, s)| match p {
                Some(literal) => literal == s,
                None => !s.is_empty(),
            });
        fits.then_some(allow.as_str())
    })
}

/// What `Allow` says for an API path named by a route without parameters.
fn literal_methods(path: &str) -> Option<&'static str> {
    if !path.starts_with("/api/") {
        return None;
    }
    let segments: Vec<&str> = path.split('/').collect();
    api_methods().iter().find_map(|(pattern, allow)| {
        let same = pattern.len() == segments.len()
            && pattern
                .iter()
                .zip(&segments)
                .all(|(p, s)| p.as_deref() == Some(*s));
        same.then_some(allow.as_str())
    })
}

/// No route took the request: 405 with `Allow` when an API route has the
/// path but not the method, else 404.
async fn no_route(req: actix_web::HttpRequest) -> actix_web::HttpResponse {
    if req.path().starts_with("/api/") {
        if let Some(allow) = allowed_methods(req.path()) {
            return error::AppError::MethodNotAllowed(allow.to_string())
                .json_response(i18n::api_lang(&req), None);
        }
    }
    view::not_found(req).await
}

/// Starts the HTTP server on `listener` (port 0 in tests).
pub fn serve(state: AppState, listener: TcpListener) -> std::io::Result<actix_web::dev::Server> {
    serve_with(state, listener, |_| {})
}

/// The server with `extra` routes mounted beside the product's (tests mount
/// fault-injection routes this way; the product mounts none).
pub fn serve_with<F>(
    state: AppState,
    listener: TcpListener,
    extra: F,
) -> std::io::Result<actix_web::dev::Server>
where
    F: Fn(&mut web::ServiceConfig) + Clone + Send + 'static,
{
    let workers = match state.config.server.workers {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2),
        n => n,
    };
    let blocking_threads = state.config.database.pool_size as usize + 2;
    if !state.config.metrics.token.is_empty() {
        crate::platform::metrics::install();
    }
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .into_utoipa_app()
            .app_data(data.clone())
            .service(utoipa_actix_web::scope("/api/v1").configure(api_routes))
            .into_app()
            .configure(extra.clone())
            .route("/metrics", web::get().to(crate::platform::metrics::scrape))
            .configure(page_routes)
            .app_data(
                web::FormConfig::default()
                    .limit(64 * 1024)
                    .error_handler(|e, _| error::AppError::BadRequest(e.to_string()).into()),
            )
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|e, _| error::AppError::BadRequest(e.to_string()).into()),
            )
            // A path's ids are typed (`PlanId`, …): one that is no id names
            // nothing there is, as an unknown one does.
            .app_data(web::PathConfig::default().error_handler(|_, req| {
                // `GET /api/v1/assessments/run` reaches `/assessments/{id}`
                // (the literal route takes POST only): "run" is no run
                // id, and the path's own route answers 405.
                match literal_methods(req.path()) {
                    Some(allow) => error::AppError::MethodNotAllowed(allow.to_string()).into(),
                    None => error::AppError::from(cus_db::DomainError::NotFound).into(),
                }
            }))
            .default_service(web::to(no_route))
            .wrap_fn(refuse_control_characters)
            .wrap_fn(render_errors)
            .wrap(security_headers())
            .wrap_fn(catch_panics)
            .wrap_fn(crate::platform::metrics::observe)
    })
    .workers(workers)
    // A blocking task beyond the database pool's size would only wait for a
    // connection; unbounded, each worker's blocking pool grows to hundreds
    // of threads under load (and their malloc arenas to tens of MiB).
    .worker_max_blocking_threads(blocking_threads)
    .listen(listener)?
    .run();
    Ok(server)
}
