//! What the social worker and the benefits officer have due: referrals to
//! take up, commitments of their contracts coming due, contracts past their
//! end; and, for the benefits officer, referrals answered.

use chrono::{Duration, NaiveDate};
use cus_db::calendar::add_working_days;
use cus_db::schema::{contract_commitments, referrals, requests, residents, social_contracts};
use cus_db::todo::{Severity, Todo, SOON_DAYS};
use cus_db::{Actor, DbConn, DomainResult};
use diesel::prelude::*;

use super::contracts::ContractStatus;
use super::referrals::ReferralStatus;
use crate::window::todo::warsaw_date;

/// Working days a social worker has to accept or decline a referral.
pub const ANSWER_WITHIN_WORKING_DAYS: u32 = 3;

/// A social worker's items: referrals sent and not yet answered (suggested
/// to them, or to no one), the commitments of their active contracts due
/// within the week or past, and their active contracts past the end date.
pub fn social_worker(
    conn: &mut DbConn,
    actor: &Actor,
    today: NaiveDate,
) -> DomainResult<Vec<Todo>> {
    let municipality = actor.home()?.to_string();
    let mut items = Vec::new();
    let waiting: Vec<(String, String, chrono::NaiveDateTime, String, String)> = referrals::table
        .inner_join(requests::table.inner_join(residents::table))
        .filter(referrals::municipality.eq(&municipality))
        .filter(referrals::status.eq(ReferralStatus::Sent))
        .filter(
            referrals::suggested_to
                .eq(&actor.user_id)
                .or(referrals::suggested_to.is_null()),
        )
        .select((
            referrals::id,
            requests::case_number,
            referrals::created_at,
            residents::first_name,
            residents::last_name,
        ))
        .load(conn)?;
    for (id, case, sent, first, last) in waiting {
        let due = add_working_days(warsaw_date(sent), ANSWER_WITHIN_WORKING_DAYS);
        let severity = if due < today {
            Severity::Overdue
        } else {
            Severity::DueSoon
        };
        items.push(
            Todo::new("referral_to_answer", severity, format!("/referrals/{id}"))
                .due(due)
                .arg("case", case)
                .arg("name", format!("{first} {last}")),
        );
    }
    let soon = today + Duration::days(SOON_DAYS);
    let commitments: Vec<(String, String, Option<NaiveDate>, String, String)> =
        contract_commitments::table
            .inner_join(social_contracts::table.inner_join(residents::table))
            .filter(social_contracts::worker_id.eq(&actor.user_id))
            .filter(social_contracts::status.eq(ContractStatus::Active))
            .filter(contract_commitments::done.eq(false))
            .filter(contract_commitments::due.le(soon))
            .select((
                social_contracts::id,
                contract_commitments::text,
                contract_commitments::due,
                residents::first_name,
                residents::last_name,
            ))
            .load(conn)?;
    for (id, text, due, first, last) in commitments {
        let Some(due) = due else { continue };
        items.push(
            Todo::new(
                "commitment_due",
                Severity::by_due(due, today, SOON_DAYS),
                format!("/social-contracts/{id}"),
            )
            .due(due)
            .arg("name", format!("{first} {last}"))
            .arg("commitment", text.chars().take(80).collect::<String>()),
        );
    }
    let ended: Vec<(String, NaiveDate, String, String)> = social_contracts::table
        .inner_join(residents::table)
        .filter(social_contracts::worker_id.eq(&actor.user_id))
        .filter(social_contracts::status.eq(ContractStatus::Active))
        .filter(social_contracts::end_date.lt(today))
        .select((
            social_contracts::id,
            social_contracts::end_date,
            residents::first_name,
            residents::last_name,
        ))
        .load(conn)?;
    for (id, end, first, last) in ended {
        items.push(
            Todo::new(
                "contract_to_close",
                Severity::Overdue,
                format!("/social-contracts/{id}"),
            )
            .due(end)
            .arg("name", format!("{first} {last}")),
        );
    }
    Ok(items)
}

/// A benefits officer's items: their referrals declined or done within the
/// last week (to read the answer), and those not answered in time.
pub fn benefits(conn: &mut DbConn, actor: &Actor, today: NaiveDate) -> DomainResult<Vec<Todo>> {
    let since = (today - Duration::days(SOON_DAYS))
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    let rows: Vec<(
        String,
        String,
        ReferralStatus,
        chrono::NaiveDateTime,
        String,
        String,
    )> = referrals::table
        .inner_join(requests::table.inner_join(residents::table))
        .filter(referrals::referred_by.eq(&actor.user_id))
        .filter(
            referrals::status
                .eq_any([ReferralStatus::Declined, ReferralStatus::Done])
                .and(referrals::updated_at.ge(since))
                .or(referrals::status.eq(ReferralStatus::Sent)),
        )
        .select((
            referrals::id,
            requests::case_number,
            referrals::status,
            referrals::created_at,
            residents::first_name,
            residents::last_name,
        ))
        .load(conn)?;
    let mut items = Vec::new();
    for (id, case, status, sent, first, last) in rows {
        let link = format!("/referrals/{id}");
        let name = format!("{first} {last}");
        let item = match status {
            ReferralStatus::Sent => {
                let due = add_working_days(warsaw_date(sent), ANSWER_WITHIN_WORKING_DAYS);
                if due >= today {
                    continue;
                }
                Todo::new("referral_unanswered", Severity::Overdue, link).due(due)
            }
            ReferralStatus::Declined => Todo::new("referral_declined", Severity::Info, link),
            _ => Todo::new("referral_done", Severity::Info, link),
        };
        items.push(item.arg("case", case).arg("name", name));
    }
    Ok(items)
}
