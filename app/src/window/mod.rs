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
    /// (seed 002, "Przepływ informacji"); [`MessageKind::sent_by`] gives
    /// each kind its one direction.
    pub enum MessageKind {
        /// To establish the client's possibilities; opens a referral.
        Referral = "referral",
        /// On the client's possibilities.
        Opinion = "opinion",
        NonAppearance = "non_appearance",
        /// The client refused to cooperate.
        Refusal = "refusal",
        SituationChange = "situation_change",
        WasteSuspected = "waste_suspected",
        CooperationStarted = "cooperation_started",
        CooperationProgress = "cooperation_progress",
        /// A benefit needed during the diagnosis.
        BenefitNeeded = "benefit_needed",
        AdditionalBenefitOpinion = "additional_benefit_opinion",
        /// On the purpose allowance (art. 39a).
        PurposeAllowanceOpinion = "purpose_allowance_opinion",
    }
}

impl MessageKind {
    /// Who sends this kind, and to whom: each kind has one direction.
    pub fn direction(self) -> (Role, Role) {
        use MessageKind::*;
        match self {
            Referral => (Role::Benefits, Role::SocialWorker),
            Opinion
            | NonAppearance
            | Refusal
            | SituationChange
            | WasteSuspected
            | CooperationStarted
            | CooperationProgress
            | BenefitNeeded
            | AdditionalBenefitOpinion
            | PurposeAllowanceOpinion => (Role::SocialWorker, Role::Benefits),
        }
    }

    /// The kinds `role` sends, and to whom; `None` for a role that sends none.
    pub fn sent_by(role: Role) -> Option<(Vec<MessageKind>, Role)> {
        let kinds: Vec<MessageKind> = <MessageKind as cus_db::TextEnum>::ALL
            .iter()
            .copied()
            .filter(|k| k.direction().0 == role)
            .collect();
        let to = kinds.first()?.direction().1;
        Some((kinds, to))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_kind_has_one_direction_between_the_two_roles() {
        let (benefits, _) = MessageKind::sent_by(Role::Benefits).unwrap();
        let (worker, to) = MessageKind::sent_by(Role::SocialWorker).unwrap();
        assert_eq!(benefits, vec![MessageKind::Referral]);
        assert_eq!(to, Role::Benefits);
        assert_eq!(worker.len(), 10);
        assert!(!worker.contains(&MessageKind::Referral));
        assert!(MessageKind::sent_by(Role::Desk).is_none());
        for k in <MessageKind as cus_db::TextEnum>::ALL {
            let (from, to) = k.direction();
            assert_ne!(from, to);
            assert!([Role::Benefits, Role::SocialWorker].contains(&from));
        }
    }
}
