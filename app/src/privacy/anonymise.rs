//! Anonymising a resident: who the person was goes (names, PESEL, contacts,
//! every free text about them), the facts the figures are computed from
//! stay (statuses, dates, services, items, outcomes, birth year and sex),
//! so an assessment of a past period gives the same values afterwards.
//!
//! Every anonymisation is also written to the erasure log, a file kept
//! apart from the database: `cus restore` of a backup taken before it
//! applies it again, so an anonymised person never comes back.

use chrono::{Datelike, NaiveDateTime};
use cus_db::identifiers::Pesel;
use cus_db::schema::{
    contract_commitments, outbox, plan_events, plans, privacy_requests, referral_events, referrals,
    request_events, request_messages, requests, residents, sessions, social_contracts, user_tokens,
    users,
};
use cus_db::{DbConn, DomainResult};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};

use cus_db::ids::ResidentId;

cus_db::text_enum! {
    /// Why a resident was anonymised.
    pub enum Why {
        /// Their cases closed longer ago than the retention period.
        Retention = "retention",
        /// The officer granted their request for erasure (GDPR art. 17).
        Erasure = "erasure",
    }
}

/// One line of the erasure log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Erased {
    pub resident_id: String,
    pub municipality: String,
    pub why: Why,
    /// RFC 3339, UTC.
    pub at: String,
}

/// The erasure log: JSON lines appended and synced before the
/// anonymisation commits, so a logged erasure may have failed to commit
/// (the next run or a restore completes it) but a committed one is never
/// missing from the log.
#[derive(Debug, Clone)]
pub struct ErasureLog {
    path: PathBuf,
}

impl ErasureLog {
    pub fn new(path: impl Into<PathBuf>) -> ErasureLog {
        ErasureLog { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `entries` and syncs the file to disk.
    pub fn append(&self, entries: &[Erased]) -> std::io::Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut text = String::new();
        for e in entries {
            text.push_str(&serde_json::to_string(e).map_err(std::io::Error::other)?);
            text.push('\n');
        }
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        file.write_all(text.as_bytes())?;
        file.sync_data()
    }

    /// Every entry; a missing file is an empty log. A line cut short by a
    /// crash (the last one) is skipped; any other unreadable line is an
    /// error naming it.
    pub fn read(&self) -> Result<Vec<Erased>, String> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
            Err(e) => return Err(format!("{}: {e}", self.path.display())),
        };
        let lines: Vec<&str> = text.lines().collect();
        let mut out = Vec::with_capacity(lines.len());
        for (n, line) in lines.iter().enumerate() {
            match serde_json::from_str::<Erased>(line) {
                Ok(e) => out.push(e),
                Err(_) if n + 1 == lines.len() && !text.ends_with('\n') => {}
                Err(e) => {
                    return Err(format!("{} line {}: {e}", self.path.display(), n + 1));
                }
            }
        }
        Ok(out)
    }
}

/// The log entry for anonymising `resident` now.
pub fn entry(resident: &ResidentId, municipality: &str, why: Why, at: NaiveDateTime) -> Erased {
    Erased {
        resident_id: resident.to_string(),
        municipality: municipality.to_string(),
        why,
        at: at
            .and_utc()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
    }
}

/// Anonymises `resident` within the caller's transaction; `false` when it
/// was already anonymised (or is gone). Holds are the caller's question.
pub fn anonymise(
    conn: &mut DbConn,
    resident: &ResidentId,
    at: NaiveDateTime,
) -> DomainResult<bool> {
    let found: Option<(Option<String>, Option<String>, Option<NaiveDateTime>)> = residents::table
        .find(resident)
        .select((residents::pesel, residents::email, residents::anonymised_at))
        .first(conn)
        .optional()?;
    let Some((pesel, email, None)) = found else {
        return Ok(false);
    };
    let born = pesel.as_deref().and_then(|p| Pesel::parse(p).ok());
    let birth_year = born.as_ref().map(|p| p.birth_date().year());
    let sex = born.as_ref().map(|p| p.sex());
    diesel::update(residents::table.find(resident))
        .set((
            residents::first_name.eq(""),
            residents::last_name.eq(""),
            residents::pesel.eq(None::<String>),
            residents::address.eq(""),
            residents::email.eq(None::<String>),
            residents::phone.eq(None::<String>),
            residents::birth_year.eq(birth_year),
            residents::sex.eq(sex),
            residents::anonymised_at.eq(Some(at)),
        ))
        .execute(conn)?;

    let their_requests = requests::table
        .filter(requests::resident_id.eq(resident))
        .select(requests::id);
    diesel::update(requests::table.filter(requests::resident_id.eq(resident)))
        .set(requests::description.eq(""))
        .execute(conn)?;
    diesel::update(request_events::table.filter(request_events::request_id.eq_any(their_requests)))
        .set(request_events::note.eq(""))
        .execute(conn)?;
    diesel::update(
        request_messages::table.filter(request_messages::request_id.eq_any(their_requests)),
    )
    .set(request_messages::body.eq(""))
    .execute(conn)?;

    let their_plans = plans::table
        .filter(plans::resident_id.eq(resident))
        .select(plans::id);
    diesel::update(plans::table.filter(plans::resident_id.eq(resident)))
        .set((
            plans::goals.eq("[]"),
            plans::needs.eq(""),
            plans::resident_commitments.eq(""),
        ))
        .execute(conn)?;
    diesel::update(
        plans::table
            .filter(plans::resident_id.eq(resident))
            .filter(plans::closing_summary.is_not_null()),
    )
    .set(plans::closing_summary.eq(""))
    .execute(conn)?;
    diesel::update(plan_events::table.filter(plan_events::plan_id.eq_any(their_plans)))
        .set(plan_events::note.eq(""))
        .execute(conn)?;

    diesel::update(privacy_requests::table.filter(privacy_requests::resident_id.eq(resident)))
        .set(privacy_requests::text.eq(""))
        .execute(conn)?;

    // Social work: the reasons of their referrals, their contracts' goals,
    // commitments, notes and reasons (statuses and dates stay for the
    // figures). Their household membership stays: it names no one once
    // their record does not.
    let their_referrals = referrals::table
        .filter(referrals::request_id.eq_any(their_requests))
        .select(referrals::id);
    diesel::update(
        referral_events::table.filter(referral_events::referral_id.eq_any(their_referrals)),
    )
    .set(referral_events::note.eq(""))
    .execute(conn)?;
    diesel::update(
        referrals::table
            .filter(referrals::request_id.eq_any(their_requests))
            .filter(referrals::reason.is_not_null()),
    )
    .set(referrals::reason.eq(""))
    .execute(conn)?;
    let their_contracts = social_contracts::table
        .filter(social_contracts::resident_id.eq(resident))
        .select(social_contracts::id);
    diesel::update(
        contract_commitments::table
            .filter(contract_commitments::contract_id.eq_any(their_contracts)),
    )
    .set((
        contract_commitments::text.eq(""),
        contract_commitments::note.eq(""),
    ))
    .execute(conn)?;
    diesel::update(social_contracts::table.filter(social_contracts::resident_id.eq(resident)))
        .set(social_contracts::goals.eq("[]"))
        .execute(conn)?;
    diesel::update(
        social_contracts::table
            .filter(social_contracts::resident_id.eq(resident))
            .filter(social_contracts::reason.is_not_null()),
    )
    .set(social_contracts::reason.eq(""))
    .execute(conn)?;

    // Their account, if they had one, can no longer sign in and names no one.
    let accounts: Vec<(String, String)> = users::table
        .filter(users::resident_id.eq(resident))
        .select((users::id, users::email))
        .load(conn)?;
    let mut addresses: Vec<String> = email.into_iter().collect();
    for (user_id, address) in accounts {
        addresses.push(address);
        diesel::delete(sessions::table.filter(sessions::user_id.eq(&user_id))).execute(conn)?;
        diesel::delete(user_tokens::table.filter(user_tokens::user_id.eq(&user_id)))
            .execute(conn)?;
        diesel::update(users::table.find(&user_id))
            .set((
                users::email.eq(format!("anonymised-{user_id}@invalid")),
                users::display_name.eq(""),
                users::password_hash.eq("!"),
                users::disabled.eq(true),
            ))
            .execute(conn)?;
    }
    // Mail to them: the queue keeps that a message was sent, not to whom
    // or what it said.
    if !addresses.is_empty() {
        use cus_db::outbox::OutboxStatus;
        diesel::delete(
            outbox::table
                .filter(outbox::to_address.eq_any(&addresses))
                .filter(outbox::status.eq(OutboxStatus::Pending)),
        )
        .execute(conn)?;
        diesel::update(
            outbox::table
                .filter(outbox::to_address.eq_any(&addresses))
                .filter(outbox::status.eq_any([OutboxStatus::Sent, OutboxStatus::Failed])),
        )
        .set((outbox::to_address.eq(""), outbox::context.eq("{}")))
        .execute(conn)?;
    }
    Ok(true)
}

/// Applies every logged anonymisation the database lacks — after a backup
/// from before it was restored — and says how many it applied. A resident
/// the database does not know (made after the backup) is skipped.
pub fn reapply(conn: &mut DbConn, log: &ErasureLog) -> Result<usize, String> {
    let mut applied = 0;
    for e in log.read()? {
        let Some(id) = ResidentId::parse(&e.resident_id) else {
            continue;
        };
        let at = chrono::DateTime::parse_from_rfc3339(&e.at)
            .map(|d| d.naive_utc())
            .unwrap_or_else(|_| cus_db::now());
        let done = cus_db::transaction(conn, |c| anonymise(c, &id, at))
            .map_err(|e: cus_db::DomainError| format!("re-applying erasure of {id}: {e}"))?;
        applied += usize::from(done);
    }
    Ok(applied)
}
