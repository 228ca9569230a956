//! What contracting's tables hold about people (the register of
//! processing, `cus_db::privacy`): NGO contact data, consultation comments,
//! commission members' declarations and scores.

use cus_db::privacy::TableUse;

pub const TABLES: &[TableUse] = &[
    TableUse::personal("organizations", &["contracting"]),
    TableUse::plain("programs"),
    TableUse::personal("program_comments", &["consultations"]),
    TableUse::plain("competitions"),
    TableUse::plain("criteria"),
    TableUse::personal("offers", &["contracting"]),
    TableUse::plain("budget_lines"),
    TableUse::personal("commission_members", &["contracting"]),
    TableUse::personal("scores", &["contracting"]),
    TableUse::personal("agreements", &["contracting"]),
    TableUse::plain("tranches"),
    TableUse::plain("annexes"),
    TableUse::personal("reports", &["contracting"]),
    TableUse::plain("sent_reminders"),
];
