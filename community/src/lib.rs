//! Community work (organizowanie społeczności lokalnej) and the partner
//! forum (forum partnerów): community plans and the activity log with its
//! continuity view, forum membership, threads (discussions, consultations,
//! meetings), safe Markdown posts with history and moderation, search,
//! notifications and the calendar feed.
//!
//! Links to other modules (a program, a competition, an assessment) are kept
//! by kind and id only: this crate never depends on `contracting` or `app`.

pub mod forum;
pub mod markdown;
pub mod organizing;
pub mod privacy;
