//! Values kept as text in the database that the code knows by name: a
//! lifecycle's statuses, a record's kind. One enum per set of values, stored
//! as text through diesel's `FromSql`/`ToSql`, serialized by serde and
//! described in the OpenAPI document from the same type, so that a new value
//! is one edit and the compiler finds every `match` that must decide about it.
//!
//! ```ignore
//! cus_db::text_enum! {
//!     /// Where a plan stands.
//!     pub enum PlanStatus {
//!         Draft = "draft",
//!         Agreed = "agreed",
//!     }
//! }
//! impl Lifecycle for PlanStatus {
//!     fn moves(self) -> &'static [Self] { … }
//! }
//! ```

use crate::error::{DomainError, DomainResult};

/// A closed set of values written as text.
pub trait TextEnum: Copy + Eq + Sized + 'static {
    /// Every value, in the order the enum declares them.
    const ALL: &'static [Self];
    /// Its text, as stored and as the API writes it.
    fn as_str(self) -> &'static str;

    /// The value whose text is `text`.
    fn parse(text: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == text)
    }

    /// The value a request's field names, or a refusal naming that field
    /// with `key` (the message the service gives for a value it does not know).
    fn parse_field(text: &str, field: &str, key: &str) -> DomainResult<Self> {
        Self::parse(text).ok_or_else(|| DomainError::field(field, key))
    }
}

/// A lifecycle: statuses and the moves between them, in one table.
pub trait Lifecycle: TextEnum {
    /// Where a record may move from `self`: the lifecycle's transition
    /// table, one exhaustive `match`, so a new status must be decided here.
    fn moves(self) -> &'static [Self];

    /// Whether a record may move from `from` to `to` at all (who may make
    /// the move is the service's question).
    fn can_move(from: Self, to: Self) -> bool {
        from.moves().contains(&to)
    }

    /// Whether nothing follows `self`.
    fn is_final(self) -> bool {
        self.moves().is_empty()
    }
}

/// Defines a [`TextEnum`]: the enum with its text values, diesel's
/// conversions to and from a `Text` column on both backends, serde and the
/// OpenAPI schema (utoipa reads the same `serde(rename)`s).
#[macro_export]
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:tt ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord,
            serde::Serialize, serde::Deserialize, utoipa::ToSchema,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        $vis enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $crate::lifecycle::TextEnum for $name {
            const ALL: &'static [Self] = &[$($name::$variant),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl $name {
            /// Every value, in the order the enum declares them.
            pub const ALL: &'static [Self] = <Self as $crate::lifecycle::TextEnum>::ALL;

            /// Its text, as stored and as the API writes it.
            pub fn as_str(self) -> &'static str {
                <Self as $crate::lifecycle::TextEnum>::as_str(self)
            }

            /// The value whose text is `text`.
            pub fn parse(text: &str) -> Option<Self> {
                <Self as $crate::lifecycle::TextEnum>::parse(text)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                <Self as $crate::lifecycle::TextEnum>::parse(s)
                    .ok_or_else(|| format!("not a {}: {s:?}", stringify!($name)))
            }
        }

        impl $name {
            fn as_text(&self) -> &str {
                self.as_str()
            }

            fn from_text(text: String) -> Result<Self, String> {
                text.parse()
            }
        }

        $crate::text_column!($name);
    };
}

/// Diesel's conversions of a type kept in a `Text` column, on every backend
/// (SQLite, PostgreSQL and the connection that is either): through the
/// type's own `as_text(&self) -> &str` and `from_text(String) -> Result`.
#[doc(hidden)]
#[macro_export]
macro_rules! text_column {
    ($name:ident) => {
        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                <str as diesel::serialize::ToSql<diesel::sql_types::Text, DB>>::to_sql(
                    self.as_text(),
                    out,
                )
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                use diesel::deserialize::FromSql;
                let text = <String as FromSql<diesel::sql_types::Text, DB>>::from_sql(bytes)?;
                $name::from_text(text).map_err(Into::into)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    crate::text_enum! {
        /// A lifecycle for the test.
        pub enum Light {
            Red = "red",
            Green = "green",
            Amber = "amber_light",
        }
    }

    impl Lifecycle for Light {
        fn moves(self) -> &'static [Self] {
            match self {
                Light::Red => &[Light::Green],
                Light::Green => &[Light::Amber],
                Light::Amber => &[],
            }
        }
    }

    #[test]
    fn text_serde_and_schema_agree() {
        for v in Light::ALL {
            assert_eq!(Light::parse(v.as_str()), Some(*v));
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
        }
        assert_eq!(Light::parse("blue"), None);
        let schema = serde_json::to_value(<Light as utoipa::PartialSchema>::schema()).unwrap();
        assert_eq!(
            schema["enum"],
            serde_json::json!(["red", "green", "amber_light"])
        );
        assert!(Light::can_move(Light::Red, Light::Green));
        assert!(!Light::can_move(Light::Red, Light::Amber));
        assert!(Light::Amber.is_final());
    }

    #[test]
    fn stored_as_text_on_sqlite() {
        use diesel::prelude::*;
        use diesel::sql_types::Text;
        let mut conn = crate::conn::DatabaseUrl::parse(":memory:")
            .establish()
            .unwrap();
        #[derive(QueryableByName)]
        struct Row {
            #[diesel(sql_type = Text)]
            v: Light,
        }
        let row: Row = diesel::sql_query("SELECT ? AS v")
            .bind::<Text, _>(Light::Amber)
            .get_result(&mut conn)
            .unwrap();
        assert_eq!(row.v, Light::Amber);
        let bad = diesel::sql_query("SELECT 'blue' AS v").get_result::<Row>(&mut conn);
        assert!(bad.is_err());
    }
}
