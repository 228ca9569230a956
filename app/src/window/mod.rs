//! The single window (jedno okienko): residents, the service catalogue,
//! requests with their history and routing, and the typed messages between
//! the social worker and the benefits officer (seed 002).

use cus_db::Role;

/// The 14 areas of social services, CUS act art. 2 ust. 1.
pub const AREAS: [&str; 14] = [
    "family_policy",
    "family_support",
    "foster_care",
    "social_assistance",
    "health",
    "disability",
    "education",
    "unemployment",
    "culture",
    "sport_tourism",
    "civic_activity",
    "housing",
    "environment",
    "reintegration",
];
/// Standard rollout variants (seed 002): I introduced, II form changed, III new.
pub const VARIANTS: [&str; 3] = ["I", "II", "III"];
/// Rollout phases (seed 002): I joining, II preparation, III implementation, IV evaluation.
pub const PHASES: [&str; 4] = ["I", "II", "III", "IV"];
pub const CHANNELS: [&str; 2] = ["online", "desk"];
pub const ROUTE_TARGETS: [&str; 3] = ["social_worker", "benefits", "coordinator"];
/// Messages the benefits officer sends: a referral to the social worker.
pub const BENEFITS_KINDS: [&str; 2] = ["referral", "situation_change"];
/// Messages the social worker sends back (seed 002).
pub const SOCIAL_WORKER_KINDS: [&str; 5] = [
    "opinion",
    "non_appearance",
    "refusal",
    "situation_change",
    "waste_suspected",
];

const STAFF_WRITING_RESIDENTS: &[Role] = &[Role::Desk, Role::Coordinator, Role::Admin];

mod catalogue;
mod requests;
mod residents;

pub use catalogue::*;
pub use requests::*;
pub use residents::*;
