//! CUS: the web and API faces of the platform, the single window and IPUS,
//! and the process around them (configuration, mail, jobs, demo data).

pub mod api;
pub mod auth;
pub mod backup;
pub mod community_api;
pub mod community_pages;
pub mod config;
pub mod contracting_api;
pub mod contracting_pages;
pub mod demo;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod pages;
pub mod password;
pub mod plans;
pub mod state;
pub mod templates;
pub mod window;

use actix_web::http::header;
use actix_web::middleware::{DefaultHeaders, Logger};
use actix_web::{web, App, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;
use utoipa_actix_web::AppExt;

use crate::config::Config;
use crate::state::AppState;

/// Opens the database named by the configuration and brings its schema up
/// to date (SQLite always; PostgreSQL when `migrate` is set, otherwise it
/// must have been migrated by `cus migrate`).
pub fn open(config: Config, migrate: bool) -> Result<AppState, String> {
    // Pages, documents and mail show times in the zone the jobs run in.
    templates::set_timezone(&config.jobs.timezone)?;
    let pool = cus_db::connect(&config.database.url, config.database.pool_size)?;
    let mut conn = pool.get().map_err(|e| format!("database: {e}"))?;
    let backend = conn.backend();
    if migrate || backend == cus_db::Backend::Sqlite {
        let applied = cus_db::migrate(&mut conn)?;
        if !applied.is_empty() {
            tracing::info!(?applied, "migrations applied");
        }
    }
    drop(conn);
    let writer = match backend {
        cus_db::Backend::Sqlite => Some(Arc::new(cus_db::Writer::start(&config.database.url)?)),
        cus_db::Backend::Postgres => None,
    };
    Ok(AppState {
        pool,
        writer,
        config: Arc::new(config),
        backend,
    })
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
            pages::error_page(res.request(), err, correlation.as_deref())
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
    match state::control_characters_in_request(req.request()) {
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
                    pages::fault_page(lang, &err, id.as_deref().unwrap_or(""))
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
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .into_utoipa_app()
            .app_data(data.clone())
            .service(utoipa_actix_web::scope("/api/v1").configure(api::routes))
            .into_app()
            .configure(extra.clone())
            .configure(contracting_pages::routes)
            .configure(community_pages::routes)
            .configure(pages::routes)
            .app_data(
                web::FormConfig::default()
                    .limit(64 * 1024)
                    .error_handler(|e, _| error::AppError::BadRequest(e.to_string()).into()),
            )
            .app_data(
                web::QueryConfig::default()
                    .error_handler(|e, _| error::AppError::BadRequest(e.to_string()).into()),
            )
            .app_data(
                web::PathConfig::default()
                    .error_handler(|e, _| error::AppError::BadRequest(e.to_string()).into()),
            )
            .default_service(web::to(pages::not_found))
            .wrap_fn(refuse_control_characters)
            .wrap_fn(render_errors)
            .wrap(security_headers())
            .wrap(Logger::new("%r %s %Dms"))
            .wrap_fn(catch_panics)
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
