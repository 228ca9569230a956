//! What contracting has due for a user's home page: reports, formal checks,
//! consultations, offers to score, programs to adopt, competitions to apply to.

use chrono::{Duration, NaiveDate};
use cus_db::schema::{
    agreements, commission_members, competitions, offers, organizations, programs, reports, scores,
};
use cus_db::todo::{Severity, Todo, SOON_DAYS};
use cus_db::{Actor, DbConn, DomainResult};
use diesel::dsl::{exists, not};
use diesel::prelude::*;

use crate::agreements::{final_report_due, AgreementStatus, ReportKind, FINAL_REPORT_DAYS};
use crate::competitions::CompetitionStatus;
use crate::offers::OfferStatus;
use crate::organizations::OrganizationId;
use crate::programs::ProgramStatus;

/// An organization hears of its report this many days ahead.
pub const NGO_REPORT_DAYS: i64 = 14;

/// Final reports not filed, due by `until` (30 days after the task's end),
/// of one municipality or one organization.
fn reports_due(
    conn: &mut DbConn,
    municipality: &str,
    organization: Option<&OrganizationId>,
    until: NaiveDate,
) -> DomainResult<Vec<(String, String, String, NaiveDate)>> {
    let mut q = agreements::table
        .inner_join(organizations::table)
        .filter(agreements::municipality.eq(municipality))
        .filter(
            agreements::status.eq_any([AgreementStatus::Active, AgreementStatus::PublicComment]),
        )
        .filter(agreements::end_date.le(until - Duration::days(FINAL_REPORT_DAYS)))
        .filter(not(exists(
            reports::table
                .filter(reports::agreement_id.eq(agreements::id))
                .filter(reports::kind.eq(ReportKind::Final)),
        )))
        .select((
            agreements::id,
            agreements::number,
            organizations::name,
            agreements::end_date,
        ))
        .into_boxed();
    if let Some(org) = organization {
        q = q.filter(agreements::organization_id.eq(org.clone()));
    }
    Ok(q.load(conn)?)
}

fn report_item(id: &str, number: &str, org: &str, end: NaiveDate, today: NaiveDate) -> Todo {
    let due = final_report_due(end);
    Todo::new(
        "report_due",
        Severity::by_due(due, today, SOON_DAYS),
        format!("/agreements/{id}"),
    )
    .due(due)
    .arg("number", number)
    .arg("organization", org)
}

/// The organizer's: overdue final reports, competitions past the offer
/// deadline with offers not formally checked, cooperation programs in
/// consultation ending within a week.
pub fn organizer(conn: &mut DbConn, actor: &Actor, today: NaiveDate) -> DomainResult<Vec<Todo>> {
    let home = actor.home()?.to_string();
    let mut items: Vec<Todo> = reports_due(conn, &home, None, today - Duration::days(1))?
        .iter()
        .map(|(id, number, org, end)| report_item(id, number, org, *end, today))
        .collect();
    let unchecked: Vec<(String, String, NaiveDate, i64)> = competitions::table
        .inner_join(offers::table)
        .filter(competitions::municipality.eq(&home))
        .filter(competitions::status.eq(CompetitionStatus::Published))
        .filter(competitions::offer_deadline.lt(today))
        .filter(offers::status.eq(OfferStatus::Submitted))
        .group_by((
            competitions::id,
            competitions::title,
            competitions::offer_deadline,
        ))
        .select((
            competitions::id,
            competitions::title,
            competitions::offer_deadline,
            diesel::dsl::count(offers::id),
        ))
        .load(conn)?;
    items.extend(unchecked.into_iter().map(|(id, title, deadline, n)| {
        Todo::new(
            "offers_to_check",
            Severity::DueSoon,
            format!("/competitions/{id}"),
        )
        .due(deadline)
        .arg("title", title)
        .count("count", n)
    }));
    let consulted: Vec<(String, String, Option<NaiveDate>)> = programs::table
        .filter(programs::municipality.eq(&home))
        .filter(programs::status.eq(ProgramStatus::Consultation))
        .filter(programs::consultation_until.between(today, today + Duration::days(SOON_DAYS)))
        .select((programs::id, programs::title, programs::consultation_until))
        .load(conn)?;
    items.extend(consulted.into_iter().map(|(id, title, until)| {
        Todo::consultation(format!("/programs/{id}"), title, until.unwrap_or(today))
    }));
    Ok(items)
}

/// A commission member's: offers formally passed in competitions still open
/// for scoring that they have not scored yet.
pub fn commission(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<Todo>> {
    let rows: Vec<(String, String, String, String)> = offers::table
        .inner_join(competitions::table)
        .inner_join(organizations::table)
        .filter(competitions::status.eq(CompetitionStatus::Published))
        .filter(offers::status.eq(OfferStatus::FormalPassed))
        .filter(exists(
            commission_members::table
                .filter(commission_members::competition_id.eq(competitions::id))
                .filter(commission_members::user_id.eq(&actor.user_id)),
        ))
        .filter(not(exists(
            scores::table
                .filter(scores::offer_id.eq(offers::id))
                .filter(scores::member_id.eq(&actor.user_id)),
        )))
        .order((competitions::offer_deadline, organizations::name))
        .select((
            competitions::id,
            competitions::title,
            organizations::name,
            offers::title,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(cid, competition, org, offer)| {
            Todo::new(
                "offer_to_score",
                Severity::Info,
                format!("/competitions/{cid}"),
            )
            .arg("competition", competition)
            .arg("organization", org)
            .arg("offer", offer)
        })
        .collect())
}

/// The council's: cooperation programs submitted for adoption.
pub fn council(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<Todo>> {
    let rows: Vec<(String, String)> = programs::table
        .filter(programs::municipality.eq(actor.home()?))
        .filter(programs::status.eq(ProgramStatus::Submitted))
        .select((programs::id, programs::title))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, title)| Todo::to_adopt(format!("/programs/{id}"), title))
        .collect())
}

/// An organization's: its final reports due within 14 days or overdue, and
/// competitions open for offers it has not applied to.
pub fn ngo(conn: &mut DbConn, actor: &Actor, today: NaiveDate) -> DomainResult<Vec<Todo>> {
    let home = actor.home()?.to_string();
    let Some(org) = actor.organization_id.clone() else {
        return Ok(Vec::new());
    };
    let until = today + Duration::days(NGO_REPORT_DAYS);
    let mut items: Vec<Todo> = reports_due(conn, &home, Some(&org), until)?
        .iter()
        .map(|(id, number, name, end)| {
            let mut item = report_item(id, number, name, *end, today);
            if item.severity == Severity::Info {
                item.severity = Severity::DueSoon;
            }
            item
        })
        .collect();
    let open: Vec<(String, String, NaiveDate)> = competitions::table
        .filter(competitions::municipality.eq(&home))
        .filter(competitions::status.eq(CompetitionStatus::Published))
        .filter(competitions::offer_deadline.ge(today))
        .filter(not(exists(
            offers::table
                .filter(offers::competition_id.eq(competitions::id))
                .filter(offers::organization_id.eq(&org)),
        )))
        .select((
            competitions::id,
            competitions::title,
            competitions::offer_deadline,
        ))
        .load(conn)?;
    items.extend(open.into_iter().map(|(id, title, deadline)| {
        Todo::new(
            "competition_open",
            if (deadline - today).num_days() <= SOON_DAYS {
                Severity::DueSoon
            } else {
                Severity::Info
            },
            format!("/competitions/{id}"),
        )
        .due(deadline)
        .arg("title", title)
    }));
    Ok(items)
}
