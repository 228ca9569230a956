//! Job claims: before a scheduled job runs a slot, it inserts (job, slot);
//! the primary key lets only one server win.

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use crate::schema::job_runs;
use crate::{now, DbConn};

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
