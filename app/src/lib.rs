//! CUS: the web and API faces of the platform, the single window and IPUS,
//! and the process around them (configuration, mail, jobs, demo data).

pub mod api;
pub mod auth;
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
    Ok(AppState {
        pool,
        config: Arc::new(config),
        backend,
    })
}

/// Strict headers on every response (CSP without scripts: the pages need none).
fn security_headers() -> DefaultHeaders {
    DefaultHeaders::new()
        .add((
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ))
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
        .add((header::REFERRER_POLICY, "same-origin"))
        .add((
            "Permissions-Policy",
            "camera=(), microphone=(), geolocation=()",
        ))
        .add(("Cross-Origin-Opener-Policy", "same-origin"))
        .add((header::CACHE_CONTROL, "no-store"))
}

/// Errors of page routes become HTML pages in the user's language; the API
/// keeps the JSON body of API.md.
fn html_errors_for_pages<S>(
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
        if res.request().path().starts_with("/api/") {
            // API errors are English unless the client asks for Polish.
            let polish = res
                .response()
                .error()
                .and_then(|e| e.as_error::<error::AppError>())
                .filter(|_| i18n::api_lang(res.request()) == "pl")
                .map(|e| e.json_response("pl"));
            return Ok(match polish {
                Some(json) => res.into_response(json),
                None => res,
            });
        }
        let page = res
            .response()
            .error()
            .and_then(|e| e.as_error::<error::AppError>())
            .map(|e| pages::error_page(res.request(), e));
        Ok(match page {
            Some(html) => res.into_response(html),
            None => res,
        })
    }
}

/// Starts the HTTP server on `listener` (port 0 in tests).
pub fn serve(state: AppState, listener: TcpListener) -> std::io::Result<actix_web::dev::Server> {
    let workers = match state.config.server.workers {
        0 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2),
        n => n,
    };
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .into_utoipa_app()
            .app_data(data.clone())
            .service(utoipa_actix_web::scope("/api/v1").configure(api::routes))
            .into_app()
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
            .wrap_fn(html_errors_for_pages)
            .wrap(security_headers())
            .wrap(Logger::new("%r %s %Dms"))
    })
    .workers(workers)
    .listen(listener)?
    .run();
    Ok(server)
}
