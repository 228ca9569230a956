//! What the desk has due: requests not yet routed, each due two working
//! days after it was filed.

use chrono::{NaiveDate, NaiveDateTime};
use cus_db::calendar::add_working_days;
use cus_db::schema::{requests, residents};
use cus_db::todo::{Severity, Todo};
use cus_db::{Actor, DbConn, DomainResult};
use diesel::prelude::*;

use super::RequestStatus;

/// Working days the desk has to route a request.
pub const ROUTE_WITHIN_WORKING_DAYS: u32 = 2;

pub use cus_db::warsaw_date;

/// Unrouted requests of the desk's municipality: overdue from the second
/// working day after filing, due soon before it.
pub fn desk(conn: &mut DbConn, actor: &Actor, today: NaiveDate) -> DomainResult<Vec<Todo>> {
    let rows: Vec<(String, String, NaiveDateTime, String, String)> = requests::table
        .inner_join(residents::table)
        .filter(requests::municipality.eq(actor.home()?))
        .filter(requests::status.eq(RequestStatus::Submitted))
        .select((
            requests::id,
            requests::case_number,
            requests::created_at,
            residents::first_name,
            residents::last_name,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, case, filed, first, last)| {
            let due = add_working_days(warsaw_date(filed), ROUTE_WITHIN_WORKING_DAYS);
            let severity = if due <= today {
                Severity::Overdue
            } else {
                Severity::DueSoon
            };
            Todo::new("request_to_route", severity, format!("/requests/{id}"))
                .due(due)
                .arg("case", case)
                .arg("name", format!("{first} {last}"))
        })
        .collect())
}
