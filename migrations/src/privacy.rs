//! What each table holds about people, as the register of processing
//! (GDPR art. 30) reads it. Every crate describes its own tables here
//! (`TABLES` of `contracting`, `community` and `app`); `app` composes the
//! register from them, and a test fails when a table of the database is
//! described nowhere, so the register cannot drift from the schema.

/// What a table holds about people.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Holds {
    /// Nothing that identifies a person (catalogues, figures, settings).
    Nothing,
    /// Personal data (names, contacts, accounts, who did what).
    Personal,
    /// Special-category data (GDPR art. 9: health, social assistance).
    Special,
}

/// One table as the register sees it: what it holds and the processing
/// activities (by code) it serves.
#[derive(Debug, Clone, Copy)]
pub struct TableUse {
    pub table: &'static str,
    pub holds: Holds,
    pub activities: &'static [&'static str],
}

impl TableUse {
    /// A table that holds nothing about people.
    pub const fn plain(table: &'static str) -> TableUse {
        TableUse {
            table,
            holds: Holds::Nothing,
            activities: &[],
        }
    }

    /// A table of personal data used by `activities`.
    pub const fn personal(table: &'static str, activities: &'static [&'static str]) -> TableUse {
        TableUse {
            table,
            holds: Holds::Personal,
            activities,
        }
    }

    /// A table of special-category data used by `activities`.
    pub const fn special(table: &'static str, activities: &'static [&'static str]) -> TableUse {
        TableUse {
            table,
            holds: Holds::Special,
            activities,
        }
    }
}

/// The platform's own tables (accounts, the audit log, mail, jobs).
pub const TABLES: &[TableUse] = &[
    TableUse::plain("municipalities"),
    TableUse::personal("users", &["accounts"]),
    TableUse::personal("user_tokens", &["accounts"]),
    TableUse::personal("sessions", &["accounts"]),
    TableUse::personal("login_attempts", &["accounts"]),
    TableUse::personal("audit_log", &["audit"]),
    TableUse::personal("outbox", &["accounts", "single_window", "ipus"]),
    TableUse::plain("job_runs"),
];
