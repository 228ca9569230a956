//! Typed ids: a plan's id is not an agreement's. Every id is a UUID (v7,
//! `new_id`) stored as text; an id is parsed once where it enters — a path,
//! a JSON field — and a value that is no UUID names nothing (404 in a path,
//! 422 in a body).

/// Defines an id type: a UUID as text, stored through diesel's `Text`, read
/// and written by serde as a string, described as a UUID in the OpenAPI
/// document.
#[macro_export]
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = diesel::sql_types::Text)]
        pub struct $name(String);

        impl $name {
            /// A new id (UUID v7).
            pub fn new() -> Self {
                $name($crate::new_id())
            }

            /// The id `text` names, if it is a UUID.
            pub fn parse(text: &str) -> Option<Self> {
                uuid::Uuid::parse_str(text).ok().map(|u| $name(u.hyphenated().to_string()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                $name::parse(&text)
                    .ok_or_else(|| serde::de::Error::custom(concat!("not a ", stringify!($name))))
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                        utoipa::openapi::KnownFormat::Uuid,
                    )))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl $name {
            fn as_text(&self) -> &str {
                &self.0
            }

            // Stored ids were written by the platform: read as they are.
            fn from_text(text: String) -> Result<Self, String> {
                Ok($name(text))
            }
        }

        $crate::text_column!($name);
    };
}

id_type!(
    /// An individual service plan (IPUS).
    PlanId
);
id_type!(
    /// A resident's request at the single window.
    RequestId
);
id_type!(
    /// A resident's record.
    ResidentId
);
id_type!(
    /// An agreement with a provider.
    AgreementId
);
id_type!(
    /// An open competition.
    CompetitionId
);
id_type!(
    /// An NGO's offer in an open competition.
    OfferId
);
id_type!(
    /// An assessment run (a period's computed results).
    RunId
);
id_type!(
    /// A corrective action for a figure below the average or the target.
    CorrectiveActionId
);
id_type!(
    /// A satisfaction survey.
    SurveyId
);
id_type!(
    /// A benchmarking group of municipalities.
    GroupId
);
id_type!(
    /// A benchmarking group's round of values.
    RoundId
);
id_type!(
    /// A diagnosis of the community's needs and potential.
    DiagnosisId
);
id_type!(
    /// A social services program (a version of it).
    ProgramId
);
id_type!(
    /// A service planned in a social services program, stable across its
    /// versions.
    PlannedServiceId
);
id_type!(
    /// A consultation comment on a social services program.
    ProgramCommentId
);
id_type!(
    /// A partner forum's thread.
    ThreadId
);
id_type!(
    /// A post in a partner forum's thread.
    PostId
);
id_type!(
    /// A community the community organizer works with.
    CommunityId
);
id_type!(
    /// An entry of the community organizer's activity log.
    ActivityId
);
id_type!(
    /// An NGO or another provider the municipality contracts with.
    OrganizationId
);
id_type!(
    /// A cooperation program with NGOs (program współpracy).
    CooperationProgramId
);

id_type!(
    /// A household (rodzina): residents who live together.
    HouseholdId
);
id_type!(
    /// A district (rejon) of social workers.
    DistrictId
);
id_type!(
    /// A referral from the benefits officer to social work.
    ReferralId
);
id_type!(
    /// A social contract (kontrakt socjalny, art. 108).
    ContractId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_a_uuid_read_once() {
        let id = PlanId::new();
        assert_eq!(PlanId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(PlanId::parse("1; DROP TABLE plans"), None);
        let json = serde_json::to_value(&id).unwrap();
        assert_eq!(json, id.as_str());
        assert!(serde_json::from_value::<PlanId>(serde_json::json!("x")).is_err());
        let schema = serde_json::to_value(<PlanId as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(schema["format"], "uuid");
    }
}
