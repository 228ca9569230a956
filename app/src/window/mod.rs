//! The single window (jedno okienko): residents, the service catalogue,
//! requests with their history and routing, and the typed messages between
//! the social worker and the benefits officer (seed 002).

use cus_db::Role;

cus_db::text_enum! {
    /// One of the 14 areas of social services, CUS act art. 2 ust. 1.
    pub enum Area {
        FamilyPolicy = "family_policy",
        FamilySupport = "family_support",
        FosterCare = "foster_care",
        SocialAssistance = "social_assistance",
        Health = "health",
        Disability = "disability",
        Education = "education",
        Unemployment = "unemployment",
        Culture = "culture",
        SportTourism = "sport_tourism",
        CivicActivity = "civic_activity",
        Housing = "housing",
        Environment = "environment",
        Reintegration = "reintegration",
    }
}

cus_db::text_enum! {
    /// The standard's rollout variant (seed 002): I introduced, II form
    /// changed, III new.
    pub enum Variant {
        I = "I",
        II = "II",
        III = "III",
    }
}

cus_db::text_enum! {
    /// The rollout phase (seed 002): I joining, II preparation, III
    /// implementation, IV evaluation.
    pub enum Phase {
        I = "I",
        II = "II",
        III = "III",
        IV = "IV",
    }
}

cus_db::text_enum! {
    /// How a request came in.
    pub enum Channel {
        Online = "online",
        Desk = "desk",
    }
}

cus_db::text_enum! {
    /// Whom a request is routed to.
    pub enum RouteTarget {
        SocialWorker = "social_worker",
        Benefits = "benefits",
        Coordinator = "coordinator",
    }
}

cus_db::text_enum! {
    /// A typed message between the social worker and the benefits officer
    /// (seed 002); [`MessageKind::sent_by`] says who sends which.
    pub enum MessageKind {
        Referral = "referral",
        Opinion = "opinion",
        NonAppearance = "non_appearance",
        Refusal = "refusal",
        SituationChange = "situation_change",
        WasteSuspected = "waste_suspected",
    }
}

impl MessageKind {
    /// The kinds `role` sends, and to whom; `None` for a role that sends none.
    pub fn sent_by(role: Role) -> Option<(&'static [MessageKind], Role)> {
        use MessageKind::*;
        match role {
            Role::Benefits => Some((&[Referral, SituationChange], Role::SocialWorker)),
            Role::SocialWorker => Some((
                &[
                    Opinion,
                    NonAppearance,
                    Refusal,
                    SituationChange,
                    WasteSuspected,
                ],
                Role::Benefits,
            )),
            _ => None,
        }
    }
}

cus_db::text_enum! {
    /// Where a request stands.
    pub enum RequestStatus {
        Submitted = "submitted",
        Routed = "routed",
        Planning = "planning",
        Closed = "closed",
    }
}

impl cus_db::Lifecycle for RequestStatus {
    fn moves(self) -> &'static [Self] {
        use RequestStatus::*;
        match self {
            Submitted => &[Routed, Planning],
            // Routing again sends the case elsewhere; a plan's close closes it.
            Routed => &[Routed, Planning, Closed],
            Planning => &[Routed, Closed],
            // A new plan for a closed case opens it again.
            Closed => &[Planning],
        }
    }
}

/// The window's statutory periods, as the deployment sets them (`[rules]`).
#[derive(Debug, Clone, Copy)]
pub struct RequestRules {
    /// Days from filing to the request's deadline.
    pub deadline_days: i64,
}

const STAFF_WRITING_RESIDENTS: &[Role] = &[Role::Desk, Role::Coordinator, Role::Admin];

mod catalogue;
mod public;
mod requests;
mod residents;
pub mod todo;

pub use catalogue::*;
pub use public::*;
pub use requests::*;
pub use residents::*;
