//! Prometheus metrics (API.md "Operations"): the `metrics` facade records,
//! `metrics-exporter-prometheus` renders the text format at `GET /metrics`.
//!
//! - Requests are counted by route *pattern* (`/api/v1/plans/{id}`), never
//!   by raw path, so a scan of ids cannot grow the label set; a path no
//!   route matches is `unmatched`, a method outside the standard ones
//!   `other`.
//! - What lives in the database (the outbox, the jobs' last runs) is read at
//!   scrape time, so every server of a deployment answers the same figures
//!   whoever did the work.
//! - Nothing is kept unless a token is configured: without a recorder the
//!   facade's macros do nothing.

use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::{web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use sha2::{Digest, Sha256};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use crate::platform::state::AppState;

const REQUESTS: &str = "cus_http_requests_total";
const DURATION: &str = "cus_http_request_duration_seconds";
pub const WRITER_BATCH: &str = "cus_db_writer_batch_size";
pub const BACKUP_VERIFY_FAILURES: &str = "cus_backup_verification_failures_total";

/// Seconds: Prometheus' default buckets, which cover a page (milliseconds)
/// to an assessment run (seconds).
const DURATION_BUCKETS: [f64; 11] = [
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Units of work per SQLite commit; the writer takes at most 256.
const BATCH_BUCKETS: [f64; 9] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process's recorder (once; later calls are no-ops) and a
/// thread that drains histogram samples even when nobody scrapes. Returns
/// false when another recorder was already installed.
pub fn install() -> bool {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Full(DURATION.into()), &DURATION_BUCKETS)
                .and_then(|b| {
                    b.set_buckets_for_metric(Matcher::Full(WRITER_BATCH.into()), &BATCH_BUCKETS)
                })
                .map(|b| b.build_recorder());
            let recorder = match recorder {
                Ok(r) => r,
                Err(e) => {
                    tracing::error!(error = %e, "metrics: cannot build the recorder");
                    return None;
                }
            };
            let handle = recorder.handle();
            if let Err(e) = metrics::set_global_recorder(recorder) {
                tracing::error!(error = %e, "metrics: a recorder is already installed");
                return None;
            }
            describe();
            let upkeep = handle.clone();
            let _ = std::thread::Builder::new()
                .name("cus-metrics".into())
                .spawn(move || loop {
                    std::thread::sleep(Duration::from_secs(5));
                    upkeep.run_upkeep();
                });
            Some(handle)
        })
        .is_some()
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        REQUESTS,
        "HTTP requests by route pattern, method and status"
    );
    describe_histogram!(
        DURATION,
        Unit::Seconds,
        "HTTP request latency by route pattern and method"
    );
    describe_gauge!(
        "cus_db_pool_connections",
        "Pooled database connections by state"
    );
    describe_gauge!(
        "cus_outbox_pending",
        "Mail queued and not yet sent (pending or being sent)"
    );
    describe_gauge!(
        "cus_outbox_oldest_pending_seconds",
        Unit::Seconds,
        "Age of the oldest queued message (0 when none)"
    );
    describe_gauge!(
        "cus_job_last_success_timestamp_seconds",
        Unit::Seconds,
        "When each job last finished without error (any server)"
    );
    describe_gauge!(
        "cus_job_last_run_failed",
        "1 when the job's newest finished run failed, else 0"
    );
    describe_gauge!(
        "cus_database_up",
        "1 when the database answered the scrape's queries"
    );
    describe_histogram!(
        WRITER_BATCH,
        "Units of work committed together by the SQLite writer"
    );
    describe_counter!(
        BACKUP_VERIFY_FAILURES,
        "Backups of this process whose verification failed"
    );
}

/// Whether this process records metrics (a token was configured).
pub fn enabled() -> bool {
    matches!(HANDLE.get(), Some(Some(_)))
}

/// The label of a method: the standard ones as themselves, anything else
/// `other` (a client may send any token as a method).
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The middleware: counts and times every request but the scrapes
/// themselves, labelled by the route's pattern. It also writes one `debug`
/// line a request (target `cus::http`), by pattern, so no id or one-time
/// code of a path reaches the log.
pub fn observe<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> impl std::future::Future<Output = Result<ServiceResponse<B>, actix_web::Error>>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let started = Instant::now();
    let method = method_label(req.method());
    let wanted = enabled() || tracing::enabled!(target: "cus::http", tracing::Level::DEBUG);
    let skip = !wanted || req.path() == "/metrics";
    let route = if skip { None } else { req.match_pattern() };
    let fut = srv.call(req);
    async move {
        let res = fut.await;
        if skip {
            return res;
        }
        let status = match &res {
            Ok(r) => r.status(),
            Err(e) => e.as_response_error().status_code(),
        };
        let route = route.unwrap_or_else(|| "unmatched".to_string());
        let seconds = started.elapsed().as_secs_f64();
        metrics::counter!(REQUESTS, "route" => route.clone(), "method" => method, "status" => status.as_str().to_string())
            .increment(1);
        metrics::histogram!(DURATION, "route" => route.clone(), "method" => method).record(seconds);
        tracing::debug!(target: "cus::http", method, route, status = status.as_u16(), ms = seconds * 1000.0, "request");
        res
    }
}

/// The configured token, compared in constant time over digests (so
/// neither its content nor its length leaks through timing).
fn token_matches(req: &HttpRequest, token: &str) -> bool {
    let Some(sent) = crate::web::extract::bearer(req) else {
        return false;
    };
    let want = Sha256::digest(token.as_bytes());
    let got = Sha256::digest(sent.as_bytes());
    crate::web::extract::constant_time_eq(&want, &got)
}

/// `GET /metrics`: 404 when no token is configured, 401 unless the bearer
/// token is it, else the text format.
pub async fn scrape(req: HttpRequest, st: web::Data<AppState>) -> HttpResponse {
    let token = st.config.metrics.token.clone();
    if token.is_empty() {
        return crate::web::view::not_found(req).await;
    }
    if !token_matches(&req, &token) {
        return HttpResponse::Unauthorized()
            .insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\""))
            .content_type("text/plain; charset=utf-8")
            .body("a valid bearer token is required\n");
    }
    let Some(Some(handle)) = HANDLE.get() else {
        return HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .body("metrics are not recorded in this process\n");
    };
    refresh(&st).await;
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(handle.render())
}

/// What the database holds at scrape time.
struct Stored {
    outbox_pending: i64,
    oldest_pending_seconds: f64,
    /// Per job: the last success (seconds since the epoch) and whether the
    /// newest finished run failed.
    jobs: Vec<(&'static str, Option<f64>, bool)>,
}

fn read_stored(conn: &mut cus_db::DbConn, jobs: &[&'static str]) -> diesel::QueryResult<Stored> {
    use cus_db::schema::{job_runs, outbox};
    let queued = cus_db::outbox::QUEUED;
    let outbox_pending: i64 = outbox::table
        .filter(outbox::status.eq_any(queued))
        .count()
        .get_result(conn)?;
    let oldest: Option<chrono::NaiveDateTime> = outbox::table
        .filter(outbox::status.eq_any(queued))
        .select(diesel::dsl::min(outbox::created_at))
        .first(conn)?;
    let oldest_pending_seconds = oldest
        .map(|t| ((cus_db::now() - t).num_milliseconds() as f64 / 1000.0).max(0.0))
        .unwrap_or(0.0);
    let mut out = vec![];
    for &job in jobs {
        let success: Option<chrono::NaiveDateTime> = job_runs::table
            .filter(job_runs::job.eq(job))
            .filter(job_runs::finished_at.is_not_null())
            .filter(job_runs::outcome.not_like("error%"))
            .select(diesel::dsl::max(job_runs::finished_at))
            .first(conn)?;
        let newest: Option<Option<String>> = job_runs::table
            .filter(job_runs::job.eq(job))
            .filter(job_runs::finished_at.is_not_null())
            .order(job_runs::finished_at.desc())
            .select(job_runs::outcome)
            .first(conn)
            .optional()?;
        let failed = newest.flatten().is_some_and(|o| o.starts_with("error"));
        out.push((
            job,
            success.map(|t| t.and_utc().timestamp_millis() as f64 / 1000.0),
            failed,
        ));
    }
    Ok(Stored {
        outbox_pending,
        oldest_pending_seconds,
        jobs: out,
    })
}

/// Sets the gauges read at scrape time.
async fn refresh(st: &AppState) {
    let pool = st.pool.state();
    let idle = pool.idle_connections as f64;
    metrics::gauge!("cus_db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("cus_db_pool_connections", "state" => "in_use")
        .set(pool.connections as f64 - idle);
    let jobs: Vec<&'static str> = crate::platform::jobs::registry(st)
        .iter()
        .map(|j| j.name)
        .collect();
    let pool = st.pool.clone();
    // A database that hangs must not hang the scrape: what it cannot answer
    // in time reads as down.
    let read = tokio::time::timeout(
        Duration::from_secs(5),
        web::block(move || -> Result<Stored, String> {
            let mut conn = pool
                .get_timeout(Duration::from_secs(5))
                .map_err(|e| e.to_string())?;
            read_stored(&mut conn, &jobs).map_err(|e| e.to_string())
        }),
    )
    .await;
    match read {
        Ok(Ok(Ok(stored))) => {
            metrics::gauge!("cus_database_up").set(1.0);
            metrics::gauge!("cus_outbox_pending").set(stored.outbox_pending as f64);
            metrics::gauge!("cus_outbox_oldest_pending_seconds").set(stored.oldest_pending_seconds);
            for (job, success, failed) in stored.jobs {
                if let Some(t) = success {
                    metrics::gauge!("cus_job_last_success_timestamp_seconds", "job" => job).set(t);
                }
                metrics::gauge!("cus_job_last_run_failed", "job" => job).set(if failed {
                    1.0
                } else {
                    0.0
                });
            }
        }
        _ => metrics::gauge!("cus_database_up").set(0.0),
    }
}
