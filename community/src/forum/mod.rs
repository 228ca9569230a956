//! The partner forum (forum partnerów): the standing body of dialogue
//! between the center and its partners. Staff and NGO users of the
//! municipality are members (the organizer may add others or remove
//! anyone); threads are discussions, consultations of a draft with a closing
//! date and a summary of how comments were answered, or meetings with date,
//! place, agenda, participating organizations and minutes.

mod members;
pub use members::*;
mod thread;
pub use thread::*;
mod post;
pub use post::*;
mod search;
pub use search::*;
mod notifications;
pub use notifications::*;
mod calendar;
pub use calendar::*;

pub const MAX_POST_CHARS: usize = 20_000;
/// Flood control: at most this many posts per member per minute.
pub const POSTS_PER_MINUTE: i64 = 5;

cus_db::text_enum! {
    /// A thread's kind.
    pub enum ThreadKind {
        Discussion = "discussion",
        Consultation = "consultation",
        Meeting = "meeting",
    }
}

cus_db::text_enum! {
    /// How a member hears of new posts (`PUT /api/v1/forum/me`).
    pub enum Notify {
        Immediate = "immediate",
        Digest = "digest",
        None = "none",
    }
}

cus_db::text_enum! {
    /// What a thread may name.
    pub enum LinkKind {
        Program = "program",
        Competition = "competition",
        Assessment = "assessment",
        Agreement = "agreement",
    }
}

/// Consultations of `municipality` closing between `today` and a week on:
/// due soon on the organizer's home page.
pub fn consultations_closing(
    conn: &mut cus_db::DbConn,
    municipality: &str,
    today: chrono::NaiveDate,
) -> cus_db::DomainResult<Vec<cus_db::todo::Todo>> {
    use cus_db::schema::threads;
    use diesel::prelude::*;
    let rows: Vec<(String, String, Option<chrono::NaiveDate>)> = threads::table
        .filter(threads::municipality.eq(municipality))
        .filter(threads::kind.eq(ThreadKind::Consultation))
        .filter(threads::closes_on.between(
            today,
            today + chrono::Duration::days(cus_db::todo::SOON_DAYS),
        ))
        .select((threads::id, threads::title, threads::closes_on))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(id, title, closes)| {
            cus_db::todo::Todo::consultation(
                format!("/forum/threads/{id}"),
                title,
                closes.unwrap_or(today),
            )
        })
        .collect())
}
