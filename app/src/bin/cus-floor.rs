//! The floors `scripts/bench` measures the product against, on the same
//! machine in the same run:
//!
//! - `serve`: a bare actix-web server (same worker count, same pool, same
//!   blocking-pool hop) whose one route does one indexed read of a plan;
//! - `commit`: the database's own rate of single-row durable commits (WAL +
//!   `synchronous = FULL` on SQLite, the server's defaults on PostgreSQL),
//!   each in its own transaction, from `--clients` threads;
//! - `scan`: the time to read, once, every row of the tables an assessment
//!   run reads most (plans, their items and events, requests and their
//!   events), the columns the formulas use, with no filter and no
//!   aggregation; after one pass to warm the caches.

use actix_web::{web, App, HttpResponse, HttpServer};
use clap::{Parser, Subcommand};
use cus_db::schema::{plan_events, plan_items, plans, request_events, requests};
use diesel::prelude::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
struct Cli {
    #[arg(long)]
    database: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Bare read server: `GET /floor/plans/{id}`.
    Serve {
        #[arg(long)]
        bind: String,
        #[arg(long, default_value_t = 8)]
        pool_size: u32,
    },
    /// Prints durable single-row commits per second.
    Commit {
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 1)]
        clients: usize,
    },
    /// Prints "PLANS_MS ALL_MS ROWS": reading every plan row once, and every
    /// row of the five tables once.
    Scan,
}

async fn read_plan(pool: web::Data<cus_db::Pool>, id: web::Path<String>) -> HttpResponse {
    let pool = pool.get_ref().clone();
    let found = web::block(
        move || -> Result<Option<(String, String, String)>, String> {
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            plans::table
                .find(id.into_inner())
                .select((plans::id, plans::status, plans::goals))
                .first(&mut conn)
                .optional()
                .map_err(|e| e.to_string())
        },
    )
    .await;
    match found {
        Ok(Ok(Some((id, status, goals)))) => {
            HttpResponse::Ok().json(serde_json::json!({"id": id, "status": status, "goals": goals}))
        }
        Ok(Ok(None)) => HttpResponse::NotFound().finish(),
        _ => HttpResponse::InternalServerError().finish(),
    }
}

fn commit_floor(url: &str, seconds: u64, clients: usize) -> Result<(), String> {
    let pool = cus_db::connect(url, clients as u32)?;
    {
        let mut conn = pool.get().map_err(|e| e.to_string())?;
        diesel::sql_query(
            "CREATE TABLE IF NOT EXISTS bench_floor (id TEXT PRIMARY KEY, at TEXT NOT NULL)",
        )
        .execute(&mut conn)
        .map_err(|e| e.to_string())?;
    }
    let done = Arc::new(AtomicU64::new(0));
    let until = Instant::now() + Duration::from_secs(seconds);
    let threads: Vec<_> = (0..clients)
        .map(|_| {
            let pool = pool.clone();
            let done = done.clone();
            std::thread::spawn(move || {
                let mut conn = pool.get().expect("a connection");
                while Instant::now() < until {
                    // One row, one transaction, one durable commit.
                    let ok = cus_db::transaction::<_, diesel::result::Error, _>(&mut conn, |c| {
                        diesel::sql_query("INSERT INTO bench_floor (id, at) VALUES ($1, $2)")
                            .bind::<diesel::sql_types::Text, _>(cus_db::new_id())
                            .bind::<diesel::sql_types::Text, _>(cus_db::now().to_string())
                            .execute(c)
                    });
                    if ok.is_ok() {
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                }
            })
        })
        .collect();
    for t in threads {
        let _ = t.join();
    }
    println!(
        "{:.0}",
        done.load(Ordering::Relaxed) as f64 / seconds as f64
    );
    Ok(())
}

type Res<T> = Result<T, String>;

fn scan_pass(conn: &mut cus_db::DbConn) -> Res<(f64, f64, usize)> {
    use chrono::{NaiveDate, NaiveDateTime};
    let e = |e: diesel::result::Error| e.to_string();
    let started = Instant::now();
    let p: Vec<(
        String,
        NaiveDate,
        Option<NaiveDateTime>,
        Option<NaiveDate>,
        Option<String>,
    )> = plans::table
        .select((
            plans::municipality,
            plans::application_date,
            plans::approved_at,
            plans::review_date,
            plans::outcome,
        ))
        .load(conn)
        .map_err(e)?;
    let plans_ms = started.elapsed().as_secs_f64() * 1000.0;
    let pe: Vec<(String, String, NaiveDateTime)> = plan_events::table
        .select((
            plan_events::plan_id,
            plan_events::to_status,
            plan_events::at,
        ))
        .load(conn)
        .map_err(e)?;
    let pi: Vec<(String, Option<String>, Option<i32>, NaiveDate, NaiveDate)> = plan_items::table
        .select((
            plan_items::plan_id,
            plan_items::provider_agreement_id,
            plan_items::hours_per_month,
            plan_items::start_date,
            plan_items::end_date,
        ))
        .load(conn)
        .map_err(e)?;
    let r: Vec<(String, String, NaiveDateTime)> = requests::table
        .select((requests::id, requests::municipality, requests::created_at))
        .load(conn)
        .map_err(e)?;
    let re: Vec<(String, String, NaiveDateTime)> = request_events::table
        .select((
            request_events::request_id,
            request_events::status,
            request_events::at,
        ))
        .load(conn)
        .map_err(e)?;
    let all_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok((
        plans_ms,
        all_ms,
        p.len() + pe.len() + pi.len() + r.len() + re.len(),
    ))
}

fn main() -> Result<(), String> {
    let cli = Cli::parse();
    match cli.command {
        Command::Commit { seconds, clients } => commit_floor(&cli.database, seconds, clients),
        Command::Scan => {
            let pool = cus_db::connect(&cli.database, 1)?;
            let mut conn = pool.get().map_err(|e| e.to_string())?;
            scan_pass(&mut conn)?;
            let (plans_ms, all_ms, rows) = scan_pass(&mut conn)?;
            println!("{plans_ms:.1} {all_ms:.1} {rows}");
            Ok(())
        }
        Command::Serve { bind, pool_size } => {
            let pool = cus_db::connect(&cli.database, pool_size)?;
            let data = web::Data::new(pool);
            actix_web::rt::System::new()
                .block_on(async move {
                    HttpServer::new(move || {
                        App::new()
                            .app_data(data.clone())
                            .route("/floor/plans/{id}", web::get().to(read_plan))
                    })
                    .bind(bind)?
                    .run()
                    .await
                })
                .map_err(|e| e.to_string())
        }
    }
}
