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

/// Schema-only enums of the window's inputs: the values of the constants
/// above, which the services check (`schema_tests` compares them).
pub mod schema {
    use serde::Serialize;
    use utoipa::ToSchema;

    /// One of the 14 areas of social services.
    #[derive(Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Area {
        FamilyPolicy,
        FamilySupport,
        FosterCare,
        SocialAssistance,
        Health,
        Disability,
        Education,
        Unemployment,
        Culture,
        SportTourism,
        CivicActivity,
        Housing,
        Environment,
        Reintegration,
    }

    /// The standard's rollout variant.
    #[derive(Serialize, ToSchema)]
    pub enum Variant {
        I,
        II,
        III,
    }

    /// The rollout phase.
    #[derive(Serialize, ToSchema)]
    pub enum Phase {
        I,
        II,
        III,
        IV,
    }

    /// How a request came in.
    #[derive(Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Channel {
        Online,
        Desk,
    }

    /// Whom a request is routed to.
    #[derive(Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum RouteTarget {
        SocialWorker,
        Benefits,
        Coordinator,
    }

    /// A typed message: `referral`, `situation_change` from the benefits
    /// officer; `opinion`, `non_appearance`, `refusal`, `situation_change`,
    /// `waste_suspected` from the social worker.
    #[derive(Serialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum MessageKind {
        Referral,
        Opinion,
        NonAppearance,
        Refusal,
        SituationChange,
        WasteSuspected,
    }

    #[cfg(test)]
    mod schema_tests {
        use super::*;

        fn names<T: utoipa::PartialSchema>() -> Vec<String> {
            let v = serde_json::to_value(T::schema()).unwrap();
            v["enum"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect()
        }

        fn sorted(mut v: Vec<String>) -> Vec<String> {
            v.sort();
            v
        }

        fn of(list: &[&str]) -> Vec<String> {
            sorted(list.iter().map(|s| s.to_string()).collect())
        }

        #[test]
        fn enums_match_the_checks() {
            assert_eq!(sorted(names::<Area>()), of(&crate::window::AREAS));
            assert_eq!(sorted(names::<Variant>()), of(&crate::window::VARIANTS));
            assert_eq!(sorted(names::<Phase>()), of(&crate::window::PHASES));
            assert_eq!(sorted(names::<Channel>()), of(&crate::window::CHANNELS));
            assert_eq!(
                sorted(names::<RouteTarget>()),
                of(&crate::window::ROUTE_TARGETS)
            );
            let mut kinds: Vec<&str> = crate::window::BENEFITS_KINDS.to_vec();
            kinds.extend(crate::window::SOCIAL_WORKER_KINDS);
            kinds.sort();
            kinds.dedup();
            assert_eq!(sorted(names::<MessageKind>()), of(&kinds));
        }
    }
}
