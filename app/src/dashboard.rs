//! A worker's home page: what needs the user now, gathered from every
//! domain for the user's role, most urgent first (API.md "The worker's
//! day"). A later module adds its items in `todos`.

use chrono::NaiveDate;
use cus_db::text::Translate;
use cus_db::todo::{self, Item, Todo};
use cus_db::{Actor, DbConn, DomainResult, Role};

use crate::{assessment, plans, social, social_work, window};

/// Today in Warsaw: the center's calendar, whatever the server's zone.
pub fn today() -> NaiveDate {
    cus_db::today()
}

/// What is due for `actor` on `today`, unordered and untranslated.
pub fn todos(conn: &mut DbConn, actor: &Actor, today: NaiveDate) -> DomainResult<Vec<Todo>> {
    let mut items = Vec::new();
    match actor.role {
        Role::Desk => items.extend(window::todo::desk(conn, actor, today)?),
        Role::Coordinator => items.extend(plans::todo::coordinator(conn, actor, today)?),
        Role::Organizer => {
            items.extend(contracting::todo::organizer(conn, actor, today)?);
            items.extend(social::todo::consultations_ending(conn, actor, today)?);
            items.extend(community::forum::consultations_closing(
                conn,
                actor.home()?,
                today,
            )?);
            items.extend(assessment::todo::corrective_overdue(conn, actor, today)?);
            items.extend(assessment::todo::below_target(conn, actor)?);
            items.extend(plans::todo::organizer(conn, actor, today)?);
        }
        Role::Commission => items.extend(contracting::todo::commission(conn, actor)?),
        Role::Council => {
            items.extend(contracting::todo::council(conn, actor)?);
            items.extend(social::todo::to_adopt(conn, actor)?);
        }
        Role::Ngo => items.extend(contracting::todo::ngo(conn, actor, today)?),
        Role::Resident => items.extend(plans::todo::resident(conn, actor, today)?),
        Role::Iod => items.extend(crate::privacy::todo::officer(conn, actor, today)?),
        Role::SocialWorker => items.extend(social_work::todo::social_worker(conn, actor, today)?),
        Role::Benefits => items.extend(social_work::todo::benefits(conn, actor, today)?),
        Role::Admin | Role::CommunityOrganizer => {}
    }
    Ok(items)
}

/// At most this many items of one kind: the rest become one item that
/// says how many more there are and links to the work list that has them
/// (a home page of a thousand lines says nothing; and only what is shown
/// is translated).
pub const PER_KIND: usize = 10;

/// The work list where every item of `kind` can be found.
fn list_of(kind: &str) -> &'static str {
    match kind {
        "request_to_route" => "/work?status=submitted",
        "plan_deadline" | "plan_review" => "/plans?due=overdue",
        "plan_consent_asked" => "/plans?status=draft",
        "plan_to_approve" => "/plans?status=agreed",
        "plan_consent" => "/cases",
        "report_due" => "/agreements",
        "offers_to_check" => "/competitions/manage",
        "offer_to_score" | "competition_open" => "/competitions",
        "corrective_overdue" => "/corrective-actions",
        "indicator_below_target" => "/benchmarks",
        "program_to_adopt" => "/programs",
        "privacy_request" => "/privacy/requests?status=open",
        "referral_to_answer" => "/referrals?status=sent",
        "referral_unanswered" | "referral_declined" | "referral_done" => "/referrals?mine=true",
        "commitment_due" | "contract_to_close" => "/social-contracts?mine=true&status=active",
        _ => "/",
    }
}

/// The home page's list: translated, most urgent first, at most
/// [`PER_KIND`] of each kind.
pub fn items(
    conn: &mut DbConn,
    actor: &Actor,
    today: NaiveDate,
    tr: &dyn Translate,
) -> DomainResult<Vec<Item>> {
    let mut todos = todos(conn, actor, today)?;
    // Most urgent first within each kind, before anything is translated.
    todos.sort_by(|a, b| {
        (a.kind, a.severity, a.due.is_none(), a.due).cmp(&(
            b.kind,
            b.severity,
            b.due.is_none(),
            b.due,
        ))
    });
    let mut items = Vec::with_capacity(todos.len().min(64));
    for group in todos.chunk_by(|a, b| a.kind == b.kind) {
        items.extend(group.iter().take(PER_KIND).map(|t| t.say(tr)));
        if let Some(first) = group.get(PER_KIND) {
            let more = Todo::new("more", first.severity, list_of(first.kind).to_string())
                .key("todo-more")
                .count("count", (group.len() - PER_KIND) as i64)
                .arg("example", first.say(tr).title);
            items.push(more.say(tr));
        }
    }
    todo::sort(&mut items);
    Ok(items)
}
