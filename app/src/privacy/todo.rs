//! What the data protection officer has due: open data subject requests,
//! overdue past their one-month deadline, due soon within a week.

use chrono::NaiveDate;
use cus_db::schema::{privacy_requests, residents};
use cus_db::todo::{Severity, Todo, SOON_DAYS};
use cus_db::{Actor, DbConn, DomainResult};
use diesel::prelude::*;

use super::requests::{RequestState, RightKind};

pub fn officer(conn: &mut DbConn, actor: &Actor, today: NaiveDate) -> DomainResult<Vec<Todo>> {
    let rows: Vec<(String, RightKind, NaiveDate, String, String)> = privacy_requests::table
        .inner_join(residents::table)
        .filter(privacy_requests::municipality.eq(actor.home()?))
        .filter(privacy_requests::status.eq(RequestState::Open))
        .select((
            privacy_requests::id,
            privacy_requests::kind,
            privacy_requests::due,
            residents::first_name,
            residents::last_name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, kind, due, first, last)| {
            Todo::new(
                "privacy_request",
                Severity::by_due(due, today, SOON_DAYS),
                format!("/privacy/requests/{id}"),
            )
            .key(match kind {
                RightKind::Access => "todo-privacy-request-access",
                RightKind::Rectification => "todo-privacy-request-rectification",
                RightKind::Erasure => "todo-privacy-request-erasure",
                RightKind::Restriction => "todo-privacy-request-restriction",
                RightKind::Objection => "todo-privacy-request-objection",
            })
            .due(due)
            .arg("name", format!("{first} {last}").trim().to_string())
        })
        .collect())
}
