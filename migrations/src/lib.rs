//! The database's shape and the records every domain writes.
//!
//! - [`schema`]: the portable diesel schema;
//! - [`DbConn`]: one connection type that is SQLite or PostgreSQL, chosen by URL;
//! - [`Pool`], [`connect`], [`migrate`]: the pool and the embedded migration trees;
//! - [`Actor`], [`Role`], [`DomainError`]: who acts and how a service refuses;
//! - [`audit`], [`outbox`], [`jobs`]: the three mechanisms every module uses;
//! - [`bounds`]: the sane range of dates and amounts users may enter;
//! - [`openapi`]: the shapes the OpenAPI document shares (dates, errors, lists).

pub mod actor;
pub mod audit;
pub mod bounds;
pub mod calendar;
pub mod conn;
pub mod error;
pub mod identifiers;
pub mod ids;
pub mod jobs;
pub mod lifecycle;
pub mod openapi;
pub mod outbox;
pub mod privacy;
pub mod schema;
pub mod states;
pub mod text;
pub mod todo;
pub mod writer;

pub use actor::{Actor, Role};
pub use conn::{
    connect, migrate, pending_migrations, read_transaction, transaction, Backend, DbConn, Pool,
    PooledConn,
};
pub use error::{DomainError, DomainResult, FieldErrors};
pub use lifecycle::{Lifecycle, TextEnum};
pub use writer::{WriteError, Writer};

use chrono::{NaiveDateTime, Utc};

/// A new primary key: UUID v7, time-ordered so inserts stay local in indexes.
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The current instant in UTC, as stored (timestamps without zone, always UTC).
pub fn now() -> NaiveDateTime {
    // Microsecond precision is what both backends keep.
    let t = Utc::now().naive_utc();
    t.with_nanosecond_micros()
}

trait MicrosOnly {
    fn with_nanosecond_micros(self) -> Self;
}

impl MicrosOnly for NaiveDateTime {
    fn with_nanosecond_micros(self) -> Self {
        use chrono::Timelike;
        let micros = self.nanosecond() / 1000;
        self.with_nanosecond(micros * 1000).unwrap_or(self)
    }
}

/// Today's date in Warsaw: the center's calendar (API.md: calendar dates
/// are Warsaw dates), whatever the server's zone. Between midnight in
/// Warsaw and midnight UTC the two differ by a day.
pub fn today() -> chrono::NaiveDate {
    warsaw_date(now())
}

/// The date a UTC timestamp falls on in Warsaw.
pub fn warsaw_date(at: chrono::NaiveDateTime) -> chrono::NaiveDate {
    at.and_utc()
        .with_timezone(&chrono_tz::Europe::Warsaw)
        .date_naive()
}

/// Serializes stored UTC timestamps as RFC 3339 with `Z` (API.md).
pub mod rfc3339 {
    use chrono::NaiveDateTime;
    use serde::Serializer;

    pub fn serialize<S: Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(
            &t.and_utc()
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        )
    }

    pub mod option {
        use chrono::NaiveDateTime;
        use serde::Serializer;

        pub fn serialize<S: Serializer>(
            t: &Option<NaiveDateTime>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            match t {
                Some(t) => super::serialize(t, s),
                None => s.serialize_none(),
            }
        }
    }
}
