//! The persistent outbox: a message is queued in the same transaction as the
//! change it reports, then the relay job renders and sends it. Nothing is lost
//! while SMTP is down; a message is claimed before sending, so no two relays
//! send it, and it keeps one Message-ID across retries.
//!
//! A claim is a lease: `status = sending`, `claimed_by` its holder and
//! `next_attempt_at` its expiry. The holder renews it while it sends; a claim
//! that expired (its relay died) goes back to the queue. Delivery is
//! therefore at least once: a relay that dies after the SMTP server accepted
//! a message but before marking it sent leaves it to be sent again, with the
//! same Message-ID.

use chrono::Duration;
use diesel::prelude::*;
use serde::Serialize;

use crate::schema::outbox;
use crate::{new_id, now, DbConn};

crate::text_enum! {
    /// Where a queued message stands.
    pub enum OutboxStatus {
        Pending = "pending",
        Sending = "sending",
        Sent = "sent",
        Failed = "failed",
    }
}

impl crate::lifecycle::Lifecycle for OutboxStatus {
    fn moves(self) -> &'static [Self] {
        use OutboxStatus::*;
        match self {
            Pending => &[Sending, Sent, Failed],
            // A lapsed lease goes back to the queue; a failed attempt too,
            // until the last one gives up.
            Sending => &[Pending, Sent, Failed],
            Sent | Failed => &[],
        }
    }
}

/// Still to be sent: queued, or claimed by a relay.
pub const QUEUED: [OutboxStatus; 2] = [OutboxStatus::Pending, OutboxStatus::Sending];

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
            outbox::status.eq(OutboxStatus::Pending),
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
    pub status: OutboxStatus,
    pub attempts: i32,
}

/// Claims whose holder stopped renewing them go back to the queue. The last
/// holder stays in `claimed_by`: if it was only slow, it may still mark the
/// message sent as long as no other relay claimed it since.
pub fn release_expired(conn: &mut DbConn) -> QueryResult<usize> {
    diesel::update(
        outbox::table
            .filter(outbox::status.eq(OutboxStatus::Sending))
            .filter(outbox::next_attempt_at.lt(now())),
    )
    .set(outbox::status.eq(OutboxStatus::Pending))
    .execute(conn)
}

/// Pending messages due now, oldest first.
pub fn due(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<OutboxMessage>> {
    outbox::table
        .filter(outbox::status.eq(OutboxStatus::Pending))
        .filter(outbox::next_attempt_at.le(now()))
        .order(outbox::created_at)
        .limit(limit)
        .select(OutboxMessage::as_select())
        .load(conn)
}

/// Claims message `id` for relay `by` for `lease`. False when it is no longer
/// pending and due (another relay claimed, sent or rescheduled it).
pub fn claim(conn: &mut DbConn, id: &str, by: &str, lease: Duration) -> QueryResult<bool> {
    let t = now();
    let n = diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::status.eq(OutboxStatus::Pending))
            .filter(outbox::next_attempt_at.le(t)),
    )
    .set((
        outbox::status.eq(OutboxStatus::Sending),
        outbox::claimed_by.eq(by),
        outbox::next_attempt_at.eq(t + lease),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Extends `by`'s claim on `id` to `lease` from now. False when the claim is
/// no longer `by`'s.
pub fn renew(conn: &mut DbConn, id: &str, by: &str, lease: Duration) -> QueryResult<bool> {
    let n = diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::status.eq(OutboxStatus::Sending))
            .filter(outbox::claimed_by.eq(by)),
    )
    .set(outbox::next_attempt_at.eq(now() + lease))
    .execute(conn)?;
    Ok(n == 1)
}

/// The SMTP server accepted the message. `by` may settle the row while it
/// holds the claim, or after the claim was released as long as no other relay
/// claimed it since. False when another relay holds it now (which may send it
/// again: at least once).
pub fn mark_sent(conn: &mut DbConn, id: &str, by: &str) -> QueryResult<bool> {
    let n = diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::claimed_by.eq(by))
            .filter(outbox::status.eq_any(QUEUED)),
    )
    .set((
        outbox::status.eq(OutboxStatus::Sent),
        outbox::sent_at.eq(now()),
        outbox::last_error.eq(None::<String>),
    ))
    .execute(conn)?;
    Ok(n == 1)
}

/// Sending failed: back to the queue until `retry_at`, or failed for good.
pub fn mark_failed(
    conn: &mut DbConn,
    id: &str,
    by: &str,
    attempts: i32,
    give_up: bool,
    retry_at: chrono::NaiveDateTime,
    error: &str,
) -> QueryResult<bool> {
    let n = diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::claimed_by.eq(by))
            .filter(outbox::status.eq_any(QUEUED)),
    )
    .set((
        outbox::status.eq(if give_up {
            OutboxStatus::Failed
        } else {
            OutboxStatus::Pending
        }),
        outbox::attempts.eq(attempts),
        outbox::next_attempt_at.eq(retry_at),
        outbox::last_error.eq(error.chars().take(1000).collect::<String>()),
    ))
    .execute(conn)?;
    Ok(n == 1)
}
