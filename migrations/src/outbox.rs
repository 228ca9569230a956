//! The persistent outbox: a message is queued in the same transaction as the
//! change it reports, then the relay job renders and sends it. Nothing is lost
//! while SMTP is down; a message is claimed before sending, so no two relays
//! send it, and it keeps one Message-ID across retries.

use diesel::prelude::*;
use serde::Serialize;

use crate::schema::outbox;
use crate::{new_id, now, DbConn};

pub const PENDING: &str = "pending";
pub const SENDING: &str = "sending";
pub const SENT: &str = "sent";
pub const FAILED: &str = "failed";

/// Queues `template` (an email template name) for `to`, rendered later in
/// `locale` with `context`. Returns the outbox id.
pub fn enqueue<C: Serialize>(
    conn: &mut DbConn,
    template: &str,
    locale: &str,
    to: &str,
    context: &C,
) -> QueryResult<String> {
    let id = new_id();
    let context = serde_json::to_string(context).unwrap_or_else(|_| "{}".to_string());
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(&id),
            outbox::message_id.eq(format!("<{id}@cus.local>")),
            outbox::template.eq(template),
            outbox::locale.eq(locale),
            outbox::context.eq(context),
            outbox::to_address.eq(to),
            outbox::status.eq(PENDING),
            outbox::attempts.eq(0),
            outbox::next_attempt_at.eq(now()),
            outbox::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxMessage {
    pub id: String,
    pub message_id: String,
    pub template: String,
    pub locale: String,
    pub context: String,
    pub to_address: String,
    pub status: String,
    pub attempts: i32,
}
