//! The social services program (program usług społecznych, CUS act art. 4)
//! and the diagnosis of the community's needs and potential it rests on:
//! the diagnosis with figures computed from the platform's records
//! (`diagnosis`), the program's versions, consultation and council decision
//! (`programs`), and planned against actual per year, the yearly evaluation
//! and the public face (`evaluation`).
//!
//! Figures about people follow the assessment module's rule: a count of
//! people or of their cases between 1 and `min_group - 1` is withheld.

pub mod diagnosis;
pub mod evaluation;
pub mod programs;
pub mod todo;

use cus_db::{Actor, DomainError, DomainResult, Role};

cus_db::text_enum! {
    /// How a planned service is delivered.
    pub enum Delivery {
        Own = "own",
        Competition = "competition",
        SmallGrant = "small_grant",
        Procurement = "procurement",
        Partnership = "partnership",
    }
}

/// A program covers at most this many years, within these bounds.
pub const MAX_YEARS: i32 = 10;
pub const MIN_YEAR: i32 = 2000;
pub const MAX_YEAR: i32 = 2100;

/// Who works with programs and diagnoses inside the municipality: the
/// center's staff, and the council that adopts them.
pub fn is_insider(actor: &Actor) -> bool {
    actor.role.is_staff() || actor.role == Role::Council
}

/// 403 unless the actor is the municipality's organizer.
pub fn organizer(actor: &Actor) -> DomainResult<&str> {
    actor.require(&[Role::Organizer])?;
    actor.home()
}

/// 404 unless the actor belongs to `municipality` (a global administrator
/// sees every one).
pub fn visible(actor: &Actor, municipality: &str) -> DomainResult<()> {
    if actor.sees_municipality(municipality) {
        Ok(())
    } else {
        Err(DomainError::NotFound)
    }
}

/// A count of people, or `None` when it could single someone out.
pub fn guarded(count: i64, min_group: i64) -> Option<i64> {
    (!crate::assessment::suppress_count(count, min_group)).then_some(count)
}
