//! The audit log: who did or read what, when. Written inside the service's
//! transaction, so an action and its audit row stand or fall together.
//!
//! A read runs on a reader connection, not in a write transaction: while
//! [`capture`] is active on the thread, its audit rows are collected instead
//! of written, and the caller commits them through the writer (many reads
//! share one fsync) before answering, so a served read is never missing from
//! the log.

use diesel::prelude::*;
use std::cell::RefCell;

use crate::schema::audit_log;
use crate::{new_id, now, Actor, DbConn};

pub fn audit(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    subject_type: &str,
    subject_id: impl AsRef<str>,
) -> QueryResult<()> {
    let municipality = actor.municipality.clone();
    insert(
        conn,
        actor,
        municipality.as_deref(),
        action,
        subject_type,
        subject_id.as_ref(),
    )
}

/// An audit row about a subject in a given municipality (e.g. a global
/// administrator reading a municipality's record).
pub fn audit_in(
    conn: &mut DbConn,
    actor: &Actor,
    municipality: &str,
    action: &str,
    subject_type: &str,
    subject_id: impl AsRef<str>,
) -> QueryResult<()> {
    insert(
        conn,
        actor,
        Some(municipality),
        action,
        subject_type,
        subject_id.as_ref(),
    )
}

/// One audit row, as written.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    id: String,
    actor_id: String,
    municipality: Option<String>,
    action: String,
    subject_type: String,
    subject_id: String,
    at: chrono::NaiveDateTime,
}

thread_local! {
    static CAPTURED: RefCell<Option<Vec<AuditRow>>> = const { RefCell::new(None) };
}

/// While the returned guard lives, audit rows on this thread are collected
/// rather than written; [`Capture::finish`] hands them over.
pub fn capture() -> Capture {
    CAPTURED.with(|c| *c.borrow_mut() = Some(Vec::new()));
    Capture(())
}

pub struct Capture(());

impl Capture {
    pub fn finish(self) -> Vec<AuditRow> {
        CAPTURED.with(|c| c.borrow_mut().take()).unwrap_or_default()
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        CAPTURED.with(|c| c.borrow_mut().take());
    }
}

/// Writes rows collected by a [`capture`].
pub fn write_rows(conn: &mut DbConn, rows: &[AuditRow]) -> QueryResult<()> {
    // One statement per row keeps within SQLite's bound-parameter limit
    // whatever the count, and inside a batch each costs microseconds.
    for row in rows {
        diesel::insert_into(audit_log::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}

fn insert(
    conn: &mut DbConn,
    actor: &Actor,
    municipality: Option<&str>,
    action: &str,
    subject_type: &str,
    subject_id: &str,
) -> QueryResult<()> {
    let row = AuditRow {
        id: new_id(),
        actor_id: actor.user_id.clone(),
        municipality: municipality.map(str::to_string),
        action: action.to_string(),
        subject_type: subject_type.to_string(),
        subject_id: subject_id.to_string(),
        at: now(),
    };
    let row = CAPTURED.with(|c| match c.borrow_mut().as_mut() {
        Some(rows) => {
            rows.push(row);
            None
        }
        None => Some(row),
    });
    if let Some(row) = row {
        diesel::insert_into(audit_log::table)
            .values(&row)
            .execute(conn)?;
    }
    Ok(())
}
