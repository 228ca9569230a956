//! Posts: safe Markdown, flood control, edits with their history, moderation.

use super::*;
use chrono::{Duration, NaiveDateTime};
use cus_db::audit::audit_in;
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{post_revisions, posts, threads};
use cus_db::{new_id, now, Actor, DbConn, DomainError, DomainResult};
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::Deserialize;
use utoipa::ToSchema;

pub(super) fn check_body(check: &mut Check, body: &str) {
    check.text("body", body, 1, MAX_POST_CHARS);
}

/// Refuses a flood of posts from one member (429).
pub(super) fn throttle(conn: &mut DbConn, actor: &Actor) -> DomainResult<()> {
    let recent: i64 = posts::table
        .filter(posts::author_id.eq(&actor.user_id))
        .filter(posts::created_at.gt(now() - Duration::seconds(60)))
        .count()
        .get_result(conn)?;
    if recent >= POSTS_PER_MINUTE {
        return Err(DomainError::RateLimited {
            retry_after_secs: 60,
        });
    }
    Ok(())
}

pub(super) fn index_text(
    conn: &mut DbConn,
    post_id: &str,
    thread_id: &ThreadId,
    body: &str,
) -> QueryResult<()> {
    // SQLite keeps its FTS5 table by hand; PostgreSQL indexes the columns.
    if let cus_db::DbConn::Sqlite(c) = conn {
        diesel::sql_query("DELETE FROM forum_search WHERE post_id = ? AND thread_id = ?")
            .bind::<Text, _>(post_id)
            .bind::<Text, _>(thread_id.as_str())
            .execute(c)?;
        diesel::sql_query("INSERT INTO forum_search (post_id, thread_id, body) VALUES (?, ?, ?)")
            .bind::<Text, _>(post_id)
            .bind::<Text, _>(thread_id.as_str())
            .bind::<Text, _>(body)
            .execute(c)?;
    }
    Ok(())
}

pub(super) fn insert_post(
    conn: &mut DbConn,
    actor: &Actor,
    thread_id: &ThreadId,
    body: &str,
) -> QueryResult<PostId> {
    let id = PostId::new();
    diesel::insert_into(posts::table)
        .values((
            posts::id.eq(&id),
            posts::thread_id.eq(thread_id),
            posts::author_id.eq(&actor.user_id),
            posts::body.eq(body),
            posts::hidden.eq(false),
            posts::created_at.eq(now()),
        ))
        .execute(conn)?;
    diesel::update(threads::table.find(thread_id))
        .set(threads::last_post_at.eq(now()))
        .execute(conn)?;
    index_text(conn, id.as_str(), thread_id, body)?;
    Ok(id)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostInput {
    /// Text or Markdown; raw HTML is shown as text.
    #[schema(min_length = 1, max_length = 20_000)]
    pub body: String,
}

pub fn add_post(
    conn: &mut DbConn,
    actor: &Actor,
    thread_id: &ThreadId,
    input: PostInput,
    public_url: &str,
) -> DomainResult<PostView> {
    let row = thread_row(conn, actor, thread_id)?;
    let mut check = Check::new();
    check_body(&mut check, &input.body);
    check.finish()?;
    if !row.open_for_comments() {
        return Err(DomainError::conflict("error-consultation-closed"));
    }
    throttle(conn, actor)?;
    let id = insert_post(conn, actor, thread_id, input.body.trim())?;
    notify(
        conn,
        actor,
        &row.municipality,
        thread_id,
        &row.title,
        "reply",
        public_url,
    )?;
    get_thread(conn, actor, thread_id)?
        .posts
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(DomainError::NotFound)
}

pub(super) fn post_in_forum(
    conn: &mut DbConn,
    actor: &Actor,
    post_id: &PostId,
) -> DomainResult<(ThreadId, String, String)> {
    let (thread_id, author, body): (ThreadId, String, String) = posts::table
        .find(post_id)
        .select((posts::thread_id, posts::author_id, posts::body))
        .get_result(conn)
        .found()?;
    thread_row(conn, actor, &thread_id)?;
    Ok((thread_id, author, body))
}

/// The thread a post is in, where `actor` may read it (404 otherwise).
pub fn post_thread(conn: &mut DbConn, actor: &Actor, post_id: &PostId) -> DomainResult<ThreadId> {
    post_in_forum(conn, actor, post_id).map(|(thread_id, _, _)| thread_id)
}

/// The author edits a post; the replaced text is kept as a revision.
pub fn edit_post(
    conn: &mut DbConn,
    actor: &Actor,
    post_id: &PostId,
    input: PostInput,
) -> DomainResult<PostView> {
    let (thread_id, author, old) = post_in_forum(conn, actor, post_id)?;
    if author != actor.user_id {
        return Err(DomainError::Forbidden);
    }
    let mut check = Check::new();
    check_body(&mut check, &input.body);
    check.finish()?;
    diesel::insert_into(post_revisions::table)
        .values((
            post_revisions::id.eq(new_id()),
            post_revisions::post_id.eq(post_id),
            post_revisions::editor_id.eq(&actor.user_id),
            post_revisions::body.eq(&old),
            post_revisions::replaced_at.eq(now()),
        ))
        .execute(conn)?;
    diesel::update(posts::table.find(post_id))
        .set((
            posts::body.eq(input.body.trim()),
            posts::edited_at.eq(now()),
        ))
        .execute(conn)?;
    index_text(conn, post_id.as_str(), &thread_id, input.body.trim())?;
    get_thread(conn, actor, &thread_id)?
        .posts
        .into_iter()
        .find(|p| &p.id == post_id)
        .ok_or(DomainError::NotFound)
}

/// The revisions of a post, oldest first (its author and moderators).
pub fn revisions(
    conn: &mut DbConn,
    actor: &Actor,
    post_id: &PostId,
) -> DomainResult<Vec<(String, NaiveDateTime)>> {
    let (_, author, _) = post_in_forum(conn, actor, post_id)?;
    if author != actor.user_id && !moderator(actor) {
        return Err(DomainError::Forbidden);
    }
    Ok(post_revisions::table
        .filter(post_revisions::post_id.eq(post_id))
        .order(post_revisions::replaced_at)
        .select((post_revisions::body, post_revisions::replaced_at))
        .load(conn)?)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HideInput {
    #[schema(min_length = 1, max_length = 1000)]
    pub reason: String,
}

/// A moderator hides a post, with a reason shown in its place.
pub fn hide_post(
    conn: &mut DbConn,
    actor: &Actor,
    post_id: &PostId,
    input: HideInput,
) -> DomainResult<()> {
    let (thread_id, _, _) = post_in_forum(conn, actor, post_id)?;
    if !moderator(actor) {
        return Err(DomainError::Forbidden);
    }
    let mut check = Check::new();
    check.text("reason", &input.reason, 1, 1000);
    check.finish()?;
    diesel::update(posts::table.find(post_id))
        .set((
            posts::hidden.eq(true),
            posts::hidden_reason.eq(input.reason.trim()),
            posts::hidden_by.eq(&actor.user_id),
        ))
        .execute(conn)?;
    let m = actor.home()?.to_string();
    audit_in(conn, actor, &m, "forum.post.hide", "thread", &thread_id)?;
    Ok(())
}
