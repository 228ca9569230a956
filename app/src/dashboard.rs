//! A worker's home page: what needs the user now, gathered from every
//! domain for the user's role, most urgent first (API.md "The worker's
//! day"). A later module adds its items in `todos`.

use chrono::NaiveDate;
use cus_db::text::Translate;
use cus_db::todo::{self, Item, Todo};
use cus_db::{Actor, DbConn, DomainResult, Role};

use crate::{assessment, plans, social, window};

/// Today in Warsaw: the center's calendar, whatever the server's zone.
pub fn today() -> NaiveDate {
    window::todo::warsaw_date(cus_db::now())
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
        // Referrals and social contracts (the social worker's) arrive with
        // their module.
        Role::Admin | Role::SocialWorker | Role::Benefits | Role::CommunityOrganizer => {}
    }
    Ok(items)
}

/// The home page's list: translated, most urgent first.
pub fn items(
    conn: &mut DbConn,
    actor: &Actor,
    today: NaiveDate,
    tr: &dyn Translate,
) -> DomainResult<Vec<Item>> {
    let mut items: Vec<Item> = todos(conn, actor, today)?
        .iter()
        .map(|t| t.say(tr))
        .collect();
    todo::sort(&mut items);
    Ok(items)
}
