//! The process around the domain: configuration, the shared state and its
//! error type, accounts and passwords, translations and templates, the mail
//! outbox, scheduled jobs, demo data, backups.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod backup;
pub mod backups;
pub mod config;
pub mod demo;
pub mod error;
pub mod i18n;
pub mod jobs;
pub mod mail;
pub mod metrics;
pub mod password;
pub mod state;
pub mod synth;
pub mod templates;

use config::Config;
use state::AppState;
use std::sync::Arc;

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
