use actix_web::web;
use cus_db::{Backend, DbConn, DomainResult, Pool, WriteError, Writer};
use std::future::Future;
use std::sync::Arc;

use crate::platform::config::Config;
use crate::platform::error::{AppError, AppResult};
use crate::platform::mail::Mailer;

#[derive(Clone)]
pub struct AppState {
    /// Readers (and, on PostgreSQL, writers too).
    pub pool: Pool,
    /// SQLite's group-commit writer; `None` on PostgreSQL, whose pooled
    /// transactions commit in groups on the server's side.
    pub writer: Option<Arc<Writer>>,
    pub config: Arc<Config>,
    pub backend: Backend,
}

impl AppState {
    /// Runs `f` with a pooled connection on the blocking pool.
    pub async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> DomainResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || -> AppResult<T> {
            let mut conn = pool.get()?;
            Ok(f(&mut conn)?)
        })
        .await?
    }

    /// [`AppState::tx`] for an input that may already be refused (a page
    /// form's, read before the handler runs): a refusal passes through to be
    /// shown on the form, and the unit runs only with a valid input.
    pub async fn tx_input<I, T, F>(&self, input: AppResult<I>, f: F) -> AppResult<T>
    where
        I: Send + 'static,
        F: FnOnce(&mut DbConn, I) -> DomainResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let input = input?;
        self.tx(move |conn| f(conn, input)).await
    }

    /// Runs `f` as one unit of work: the change, its audit rows and its
    /// outbox messages commit together or not at all, and this returns only
    /// once they are durable. On SQLite the unit queues to the group-commit
    /// writer; on PostgreSQL it is a pooled transaction.
    pub async fn tx<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> DomainResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let Some(writer) = &self.writer else {
            return self.db(move |conn| cus_db::transaction(conn, f)).await;
        };
        let (answer, outcome) = tokio::sync::oneshot::channel();
        writer.submit(f, move |result| {
            let _ = answer.send(result);
        });
        match outcome.await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(WriteError::Unit(e))) => Err(e.into()),
            Ok(Err(WriteError::Panicked(why))) => Err(AppError::Internal(format!(
                "the unit of work panicked: {why}"
            ))),
            Ok(Err(WriteError::Commit(why))) => Err(AppError::Internal(format!(
                "the batch did not commit: {why}"
            ))),
            Err(_) => Err(AppError::Internal(
                "the write was not made (the writer stopped or failed)".into(),
            )),
        }
    }

    /// Runs the read `f` on a reader connection; the audit rows it records
    /// are committed through the group-commit writer before this returns, so
    /// the answer waits until the log of the read is durable. On PostgreSQL
    /// the read and its audit rows are one pooled transaction (fewer round
    /// trips than a read and a write apart).
    pub async fn audited<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> DomainResult<T> + Send + 'static,
        T: Send + 'static,
    {
        if self.writer.is_none() {
            return self.tx(f).await;
        }
        let (value, rows) = self
            .db(move |conn| {
                let capture = cus_db::audit::capture();
                let value = cus_db::read_transaction(conn, f)?;
                Ok((value, capture.finish()))
            })
            .await?;
        if !rows.is_empty() {
            self.tx(move |conn| Ok(cus_db::audit::write_rows(conn, &rows)?))
                .await?;
        }
        Ok(value)
    }

    /// argon2 on the blocking pool: slow by design, so never inside a unit
    /// of work (see [`crate::platform::auth::create_user_hashed`]).
    pub async fn hash_password(&self, password: String) -> AppResult<String> {
        hashing(async {
            Ok(web::block(move || crate::platform::auth::hash_password(&password)).await?)
        })
        .await
    }

    pub fn mailer(&self) -> Result<Mailer, String> {
        Mailer::from_config(&self.config)
    }

    /// The reason the server is not ready for traffic, if any: the database
    /// does not answer within 5 s, migrations are pending, or (SQLite) the
    /// group-commit writer has stopped.
    pub async fn readiness(&self) -> Result<(), String> {
        const WITHIN: std::time::Duration = std::time::Duration::from_secs(5);
        if let Some(writer) = &self.writer {
            if !writer.is_running() {
                return Err("the SQLite writer is not running".into());
            }
        }
        let pool = self.pool.clone();
        let probe = actix_web::web::block(move || -> Result<Vec<String>, String> {
            let mut conn = pool
                .get_timeout(WITHIN)
                .map_err(|e| format!("the database did not answer: {e}"))?;
            diesel::connection::SimpleConnection::batch_execute(&mut *conn, "SELECT 1")
                .map_err(|e| format!("the database did not answer: {e}"))?;
            cus_db::pending_migrations(&mut conn)
        });
        match tokio::time::timeout(WITHIN, probe).await {
            Err(_) => Err("the database did not answer within 5 s".into()),
            Ok(Err(e)) => Err(format!("the database did not answer: {e}")),
            Ok(Ok(Err(e))) => Err(e),
            Ok(Ok(Ok(pending))) if !pending.is_empty() => Err(format!(
                "migrations are behind: {} pending ({}); run `cus migrate`",
                pending.len(),
                pending.join(", ")
            )),
            Ok(Ok(Ok(_))) => Ok(()),
        }
    }
}

/// At most this many argon2 hashes or verifications at once: each takes tens
/// of milliseconds and 19 MiB by design, and the blocking threads are bounded
/// by the pool size, so a flood of sign-ins or registrations must not take
/// them all away from the database work of everyone else.
static ARGON2: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(2);

/// Runs `work` (which hashes or verifies a password) under the argon2 limit.
pub async fn hashing<F: Future>(work: F) -> F::Output {
    let _permit = ARGON2.acquire().await;
    work.await
}
