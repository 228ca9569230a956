//! The audit log: who did or read what, when. Written inside the service's
//! transaction, so an action and its audit row stand or fall together.

use diesel::prelude::*;

use crate::schema::audit_log;
use crate::{new_id, now, Actor, DbConn};

pub fn audit(
    conn: &mut DbConn,
    actor: &Actor,
    action: &str,
    subject_type: &str,
    subject_id: &str,
) -> QueryResult<()> {
    let municipality = actor.municipality.clone();
    insert(
        conn,
        actor,
        municipality.as_deref(),
        action,
        subject_type,
        subject_id,
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
    subject_id: &str,
) -> QueryResult<()> {
    insert(
        conn,
        actor,
        Some(municipality),
        action,
        subject_type,
        subject_id,
    )
}

fn insert(
    conn: &mut DbConn,
    actor: &Actor,
    municipality: Option<&str>,
    action: &str,
    subject_type: &str,
    subject_id: &str,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::id.eq(new_id()),
            audit_log::actor_id.eq(&actor.user_id),
            audit_log::municipality.eq(municipality),
            audit_log::action.eq(action),
            audit_log::subject_type.eq(subject_type),
            audit_log::subject_id.eq(subject_id),
            audit_log::at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}
