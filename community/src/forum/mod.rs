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
