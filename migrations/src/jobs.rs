//! Job claims: before a job runs a slot, it inserts (job, slot); the primary
//! key lets only one server win. A scheduled slot is the tick's instant in
//! UTC (`2026-01-01T07:00:00Z`, see `app/src/jobs.rs`); a run by hand has a
//! unique `manual-…` slot.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};
use serde::Serialize;

use crate::schema::job_runs;
use crate::{now, DbConn};

/// Slots of runs by hand start with this.
pub const MANUAL_PREFIX: &str = "manual-";

/// True when this caller claimed the slot; false when another already had.
pub fn claim(conn: &mut DbConn, job: &str, slot: &str, by: &str) -> QueryResult<bool> {
    let inserted = diesel::insert_into(job_runs::table)
        .values((
            job_runs::job.eq(job),
            job_runs::slot.eq(slot),
            job_runs::claimed_by.eq(by),
            job_runs::claimed_at.eq(now()),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(true),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) => Err(e),
    }
}

pub fn finish(conn: &mut DbConn, job: &str, slot: &str, outcome: &str) -> QueryResult<()> {
    diesel::update(job_runs::table.find((job, slot)))
        .set((
            job_runs::finished_at.eq(now()),
            job_runs::outcome.eq(outcome),
        ))
        .execute(conn)?;
    Ok(())
}

/// The newest scheduled (not manual) slot of `job` on record, if any.
pub fn last_scheduled_slot(conn: &mut DbConn, job: &str) -> QueryResult<Option<String>> {
    job_runs::table
        .filter(job_runs::job.eq(job))
        .filter(job_runs::slot.not_like(format!("{MANUAL_PREFIX}%")))
        .order(job_runs::slot.desc())
        .select(job_runs::slot)
        .first(conn)
        .optional()
}

/// One row of the claim table.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = job_runs)]
pub struct JobRun {
    pub job: String,
    pub slot: String,
    pub claimed_by: String,
    #[serde(with = "crate::rfc3339")]
    pub claimed_at: NaiveDateTime,
    #[serde(with = "crate::rfc3339::option")]
    pub finished_at: Option<NaiveDateTime>,
    pub outcome: Option<String>,
}

/// The newest run of `job` (scheduled or by hand), by when it was claimed.
pub fn last_run(conn: &mut DbConn, job: &str) -> QueryResult<Option<JobRun>> {
    job_runs::table
        .filter(job_runs::job.eq(job))
        .order(job_runs::claimed_at.desc())
        .select(JobRun::as_select())
        .first(conn)
        .optional()
}

/// Every run of `job` claimed at or after `since`, oldest slot first.
pub fn runs_since(conn: &mut DbConn, job: &str, since: NaiveDateTime) -> QueryResult<Vec<JobRun>> {
    job_runs::table
        .filter(job_runs::job.eq(job))
        .filter(job_runs::claimed_at.ge(since))
        .order(job_runs::slot.asc())
        .select(JobRun::as_select())
        .load(conn)
}

/// Removes the claims of `job` older than `before`, except its newest
/// scheduled one (a start after a long outage compares with it to catch up).
/// Only slots near the present are ever claimed again, so an old key can go.
pub fn prune(conn: &mut DbConn, job: &str, before: NaiveDateTime) -> QueryResult<usize> {
    let keep = last_scheduled_slot(conn, job)?.unwrap_or_default();
    diesel::delete(
        job_runs::table
            .filter(job_runs::job.eq(job))
            .filter(job_runs::claimed_at.lt(before))
            .filter(job_runs::slot.ne(keep)),
    )
    .execute(conn)
}
