//! Telling members of new posts: at once, or in the daily digest.

use chrono::{Duration, NaiveDate};
use cus_db::schema::{forum_members, forum_notifications, threads, users};
use cus_db::{new_id, now, outbox, today, Actor, DbConn};
use diesel::prelude::*;

/// Tells the other members: a mail now, or a line in tomorrow's digest.
pub(super) fn notify(
    conn: &mut DbConn,
    actor: &Actor,
    municipality: &str,
    thread_id: &super::ThreadId,
    title: &str,
    kind: &str,
    public_url: &str,
) -> QueryResult<()> {
    let members: Vec<(String, String, String, String)> = forum_members::table
        .inner_join(users::table)
        .filter(forum_members::municipality.eq(municipality))
        .filter(forum_members::active.eq(true))
        .filter(forum_members::user_id.ne(&actor.user_id))
        .filter(forum_members::notify.ne("none"))
        .select((
            users::id,
            users::email,
            users::locale,
            forum_members::notify,
        ))
        .load(conn)?;
    for (user_id, email, locale, how) in members {
        if how == "immediate" {
            outbox::enqueue(
                conn,
                "forum_activity",
                &locale,
                &email,
                &serde_json::json!({"title": title, "kind": kind, "link": format!("{}/forum/threads/{thread_id}", public_url.trim_end_matches('/'))}),
            )?;
        } else {
            diesel::insert_into(forum_notifications::table)
                .values((
                    forum_notifications::id.eq(new_id()),
                    forum_notifications::user_id.eq(&user_id),
                    forum_notifications::thread_id.eq(thread_id),
                    forum_notifications::kind.eq(kind),
                    forum_notifications::created_at.eq(now()),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// The daily digest job: one mail per member with pending notifications,
/// plus consultations closing within two days. Returns mails queued.
pub fn send_digests(conn: &mut DbConn, public_url: &str) -> QueryResult<usize> {
    let pending: Vec<(String, String, String, String, String, String)> = forum_notifications::table
        .inner_join(threads::table)
        .inner_join(users::table)
        .filter(forum_notifications::sent_at.is_null())
        .select((
            users::id,
            users::email,
            users::locale,
            threads::id,
            threads::title,
            forum_notifications::kind,
        ))
        .order(forum_notifications::created_at)
        .load(conn)?;
    let closing: Vec<(String, String, String, NaiveDate)> = threads::table
        .filter(threads::kind.eq("consultation"))
        .filter(threads::summary.is_null())
        .filter(threads::closes_on.ge(today()))
        .filter(threads::closes_on.le(today() + Duration::days(2)))
        .select((
            threads::id,
            threads::municipality,
            threads::title,
            threads::closes_on.assume_not_null(),
        ))
        .load(conn)?;
    let digest_members: Vec<(String, String, String, String)> = forum_members::table
        .inner_join(users::table)
        .filter(forum_members::active.eq(true))
        .filter(forum_members::notify.eq("digest"))
        .select((
            users::id,
            users::email,
            users::locale,
            forum_members::municipality,
        ))
        .load(conn)?;
    let base = public_url.trim_end_matches('/');
    let mut sent = 0;
    for (user_id, email, locale, municipality) in digest_members {
        let items: Vec<serde_json::Value> = pending
            .iter()
            .filter(|p| p.0 == user_id)
            .map(|p| serde_json::json!({"title": p.4, "kind": p.5, "link": format!("{base}/forum/threads/{}", p.3)}))
            .collect();
        let soon: Vec<serde_json::Value> = closing
            .iter()
            .filter(|c| c.1 == municipality)
            .map(|c| serde_json::json!({"title": c.2, "closes_on": c.3.to_string(), "link": format!("{base}/forum/threads/{}", c.0)}))
            .collect();
        if items.is_empty() && soon.is_empty() {
            continue;
        }
        outbox::enqueue(
            conn,
            "forum_digest",
            &locale,
            &email,
            &serde_json::json!({"items": items, "closing": soon}),
        )?;
        sent += 1;
    }
    diesel::update(forum_notifications::table.filter(forum_notifications::sent_at.is_null()))
        .set(forum_notifications::sent_at.eq(now()))
        .execute(conn)?;
    Ok(sent)
}
