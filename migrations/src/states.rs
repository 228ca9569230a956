//! Lifecycles that more than one crate reads: their values and transition
//! tables live beside the schema, and the crate that owns the records adds
//! who may make each move.

use crate::lifecycle::Lifecycle;

crate::text_enum! {
    /// Where a plan stands.
    pub enum PlanStatus {
        Draft = "draft",
        Agreed = "agreed",
        Approved = "approved",
        Active = "active",
        Review = "review",
        Closed = "closed",
    }
}

impl Lifecycle for PlanStatus {
    fn moves(self) -> &'static [Self] {
        use PlanStatus::*;
        match self {
            Draft => &[Agreed],
            Agreed => &[Approved, Draft],
            Approved => &[Active],
            Active => &[Review, Closed],
            Review => &[Active, Closed],
            Closed => &[],
        }
    }
}

impl PlanStatus {
    /// Before approval, while the 30-day deadline runs.
    pub fn awaits_approval(self) -> bool {
        matches!(self, PlanStatus::Draft | PlanStatus::Agreed)
    }
}
