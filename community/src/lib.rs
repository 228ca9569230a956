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

#[cfg(test)]
mod schema_tests {
    //! The schema-only enums of the OpenAPI document name exactly the
    //! values the services accept.
    use utoipa::PartialSchema;

    fn values<T: PartialSchema>() -> Vec<String> {
        let schema = serde_json::to_value(T::schema()).unwrap();
        schema["enum"]
            .as_array()
            .expect("an enum")
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect()
    }

    fn same(schema: Vec<String>, service: &[&str]) {
        assert_eq!(
            schema,
            service.iter().map(|s| s.to_string()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn enums_match_the_checks() {
        use crate::{forum, organizing};
        same(
            values::<organizing::CommunityKind>(),
            &organizing::COMMUNITY_KINDS,
        );
        same(
            values::<organizing::ActivityKind>(),
            &organizing::ACTIVITY_KINDS,
        );
        same(values::<organizing::Dimension>(), &organizing::DIMENSIONS);
        same(values::<forum::ThreadKind>(), &forum::KINDS);
        same(values::<forum::Notify>(), &forum::NOTIFY);
        same(values::<forum::LinkKind>(), &forum::LINK_KINDS);
    }
}
