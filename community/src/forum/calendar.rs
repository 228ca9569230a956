//! Meetings as an iCalendar feed, behind a per-member secret token.

use super::*;
use chrono::{NaiveDate, NaiveDateTime};
use cus_db::schema::{forum_members, threads};
use cus_db::{now, Actor, DbConn, DomainResult};
use diesel::prelude::*;
use serde::Serialize;

/// What goes into a member's calendar feed.
#[derive(Debug, Clone, Serialize)]
pub struct CalendarEvent {
    pub uid: String,
    pub title: String,
    pub start: Option<NaiveDateTime>,
    pub all_day: Option<NaiveDate>,
    pub place: Option<String>,
    pub description: String,
    pub link: String,
}

/// The secret of the user's calendar feed. Every user has one (API.md: any
/// user); those outside the forum get an empty calendar.
pub fn calendar_token(conn: &mut DbConn, actor: &Actor) -> DomainResult<String> {
    if let Ok(m) = membership(conn, actor) {
        return Ok(m.calendar_token);
    }
    let existing: Option<String> = forum_members::table
        .find(&actor.user_id)
        .select(forum_members::calendar_token)
        .get_result(conn)
        .optional()?;
    if let Some(t) = existing {
        return Ok(t);
    }
    let token = secret();
    diesel::insert_into(forum_members::table)
        .values((
            forum_members::user_id.eq(&actor.user_id),
            forum_members::municipality.eq(actor.home()?),
            forum_members::active.eq(false),
            forum_members::notify.eq("none"),
            forum_members::calendar_token.eq(&token),
            forum_members::joined_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(token)
}

/// The member behind a calendar secret, and their forum's meetings and
/// consultation deadlines. `None` for an unknown secret; empty for someone
/// outside the forum.
pub fn calendar(
    conn: &mut DbConn,
    token: &str,
    public_url: &str,
) -> QueryResult<Option<Vec<CalendarEvent>>> {
    let member: Option<(String, bool)> = forum_members::table
        .filter(forum_members::calendar_token.eq(token))
        .select((forum_members::municipality, forum_members::active))
        .first(conn)
        .optional()?;
    let Some((municipality, active)) = member else {
        return Ok(None);
    };
    if !active {
        return Ok(Some(vec![]));
    }
    let rows: Vec<ThreadRow> = threads::table
        .filter(threads::municipality.eq(&municipality))
        .filter(
            threads::meeting_at
                .is_not_null()
                .or(threads::closes_on.is_not_null()),
        )
        .select(ThreadRow::as_select())
        .load(conn)?;
    let base = public_url.trim_end_matches('/');
    Ok(Some(
        rows.into_iter()
            .map(|t| CalendarEvent {
                uid: format!("{}@cus", t.id),
                link: format!("{base}/forum/threads/{}", t.id),
                start: t.meeting_at,
                all_day: if t.meeting_at.is_none() {
                    t.closes_on
                } else {
                    None
                },
                place: t.place.clone(),
                description: t.agenda.clone().unwrap_or_default(),
                title: t.title,
            })
            .collect(),
    ))
}
