//! What plans have due: the coordinator's deadlines, reviews and consents
//! asked for, the organizer's approvals, the resident's consent.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use cus_db::schema::{audit_log, plans, requests, residents};
use cus_db::todo::{Severity, Todo, SOON_DAYS};
use cus_db::{Actor, DbConn, DomainResult};
use diesel::dsl::exists;
use diesel::prelude::*;

use super::PlanStatus;

/// A review shows this many days ahead.
pub const REVIEW_SOON_DAYS: i64 = 14;

/// A plan as a home page names it.
#[derive(Queryable)]
struct Open {
    id: String,
    status: PlanStatus,
    deadline: NaiveDate,
    review_date: Option<NaiveDate>,
    consent_at: Option<NaiveDateTime>,
    consent_asked: bool,
    case: Option<String>,
    first: String,
    last: String,
}

impl Open {
    fn todo(&self, kind: &'static str, severity: Severity) -> Todo {
        Todo::new(kind, severity, format!("/plans/{}", self.id))
            .arg("name", format!("{} {}", self.first, self.last))
            .arg("case", self.case.clone().unwrap_or_else(|| "—".into()))
    }
}

/// Plans not closed, of a coordinator, a resident or a municipality.
fn open(conn: &mut DbConn, who: Who<'_>, only: Option<PlanStatus>) -> DomainResult<Vec<Open>> {
    let consent_asked = exists(
        audit_log::table
            .filter(audit_log::subject_type.eq("plan"))
            .filter(audit_log::subject_id.eq(plans::id))
            .filter(audit_log::action.eq("plan.consent_requested")),
    );
    let mut q = plans::table
        .inner_join(residents::table)
        .left_join(requests::table.on(plans::request_id.eq(requests::id.nullable())))
        .filter(plans::status.ne(PlanStatus::Closed))
        .select((
            plans::id,
            plans::status,
            plans::deadline,
            plans::review_date,
            plans::consent_at,
            consent_asked,
            requests::case_number.nullable(),
            residents::first_name,
            residents::last_name,
        ))
        .into_boxed();
    q = match who {
        Who::Coordinator(user) => q.filter(plans::coordinator_id.eq(user.to_string())),
        Who::Resident(resident) => q.filter(plans::resident_id.eq(resident.to_string())),
        Who::Municipality(m) => q.filter(plans::municipality.eq(m.to_string())),
    };
    // Filtered here, not after loading: a municipality has thousands of plans.
    if let Some(status) = only {
        q = q.filter(plans::status.eq(status));
    }
    Ok(q.load(conn)?)
}

enum Who<'a> {
    Coordinator(&'a str),
    Resident(&'a str),
    Municipality(&'a str),
}

/// The coordinator's: draft plans whose 30-day deadline passed or comes
/// within a week, reviews within two weeks or past, and drafts whose
/// resident was asked for consent.
pub fn coordinator(conn: &mut DbConn, actor: &Actor, today: NaiveDate) -> DomainResult<Vec<Todo>> {
    let mut items = Vec::new();
    for plan in open(conn, Who::Coordinator(&actor.user_id), None)? {
        if plan.status == PlanStatus::Draft {
            let severity = Severity::by_due(plan.deadline, today, SOON_DAYS);
            if severity != Severity::Info {
                items.push(plan.todo("plan_deadline", severity).due(plan.deadline));
            }
            if plan.consent_asked && plan.consent_at.is_none() {
                items.push(plan.todo("plan_consent_asked", Severity::Info));
            }
        }
        let reviewed = matches!(
            plan.status,
            PlanStatus::Approved | PlanStatus::Active | PlanStatus::Review
        );
        if let (true, Some(review)) = (reviewed, plan.review_date) {
            if review <= today + Duration::days(REVIEW_SOON_DAYS) {
                let severity = if review < today {
                    Severity::Overdue
                } else {
                    Severity::DueSoon
                };
                items.push(plan.todo("plan_review", severity).due(review));
            }
        }
    }
    Ok(items)
}

/// The organizer's: plans agreed with the resident and awaiting approval.
pub fn organizer(conn: &mut DbConn, actor: &Actor, today: NaiveDate) -> DomainResult<Vec<Todo>> {
    Ok(open(
        conn,
        Who::Municipality(actor.home()?),
        Some(PlanStatus::Agreed),
    )?
    .into_iter()
    .map(|p| {
        let severity = Severity::by_due(p.deadline, today, SOON_DAYS);
        p.todo("plan_to_approve", severity).due(p.deadline)
    })
    .collect())
}

/// The resident's: their draft plans waiting for their consent.
pub fn resident(conn: &mut DbConn, actor: &Actor, today: NaiveDate) -> DomainResult<Vec<Todo>> {
    let Some(resident) = actor.resident_id.as_deref() else {
        return Ok(Vec::new());
    };
    Ok(
        open(conn, Who::Resident(resident), Some(PlanStatus::Draft))?
            .into_iter()
            .filter(|p| p.consent_asked && p.consent_at.is_none())
            .map(|p| {
                let severity = match Severity::by_due(p.deadline, today, SOON_DAYS) {
                    Severity::Info => Severity::Info,
                    _ => Severity::DueSoon,
                };
                Todo::new("plan_consent", severity, format!("/plans/{}", p.id)).due(p.deadline)
            })
            .collect(),
    )
}
