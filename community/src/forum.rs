//! The partner forum (forum partnerów): the standing body of dialogue
//! between the center and its partners. Staff and NGO users of the
//! municipality are members (the organizer may add others or remove
//! anyone); threads are discussions, consultations of a draft with a closing
//! date and a summary of how comments were answered, or meetings with date,
//! place, agenda, participating organizations and minutes.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use cus_db::audit::audit_in;
use cus_db::error::{Check, OptionalFound};
use cus_db::schema::{forum_members, forum_notifications, post_revisions, posts, threads, users};
use cus_db::{new_id, now, outbox, today, Actor, DbConn, DomainError, DomainResult, Role};
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::markdown;

pub const MAX_POST_CHARS: usize = 20_000;
/// Flood control: at most this many posts per member per minute.
pub const POSTS_PER_MINUTE: i64 = 5;

cus_db::text_enum! {
    /// A thread's kind.
    pub enum ThreadKind {
        Discussion = "discussion",
        Consultation = "consultation",
        Meeting = "meeting",
    }
}

cus_db::text_enum! {
    /// How a member hears of new posts (`PUT /api/v1/forum/me`).
    pub enum Notify {
        Immediate = "immediate",
        Digest = "digest",
        None = "none",
    }
}

cus_db::text_enum! {
    /// What a thread may name.
    pub enum LinkKind {
        Program = "program",
        Competition = "competition",
        Assessment = "assessment",
        Agreement = "agreement",
    }
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = forum_members)]
pub struct Membership {
    pub user_id: String,
    pub municipality: String,
    pub active: bool,
    pub notify: String,
    #[serde(skip)]
    pub calendar_token: String,
}

fn eligible(actor: &Actor) -> bool {
    actor.role.is_staff() || actor.role == Role::Ngo
}

fn secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// The actor's membership of their municipality's forum. Staff and NGO users
/// join on first use; a removed member, or anyone else the organizer has not
/// added, is refused (403).
pub fn membership(conn: &mut DbConn, actor: &Actor) -> DomainResult<Membership> {
    let m = actor.home()?.to_string();
    let row: Option<Membership> = forum_members::table
        .find(&actor.user_id)
        .select(Membership::as_select())
        .get_result(conn)
        .optional()?;
    match row {
        Some(r) if r.active => Ok(r),
        Some(_) => Err(DomainError::Forbidden),
        None if eligible(actor) => {
            diesel::insert_into(forum_members::table)
                .values((
                    forum_members::user_id.eq(&actor.user_id),
                    forum_members::municipality.eq(&m),
                    forum_members::active.eq(true),
                    forum_members::notify.eq("digest"),
                    forum_members::calendar_token.eq(secret()),
                    forum_members::joined_at.eq(now()),
                ))
                .execute(conn)?;
            Ok(forum_members::table
                .find(&actor.user_id)
                .select(Membership::as_select())
                .get_result(conn)?)
        }
        None => Err(DomainError::Forbidden),
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberInput {
    pub user_id: String,
    pub active: bool,
}

/// The organizer adds a user of the municipality to the forum or removes one.
pub fn set_membership(
    conn: &mut DbConn,
    actor: &Actor,
    input: MemberInput,
) -> DomainResult<Membership> {
    actor.require(&[Role::Organizer])?;
    let m = actor.home()?.to_string();
    let known: i64 = users::table
        .find(&input.user_id)
        .filter(users::municipality.eq(&m))
        .count()
        .get_result(conn)?;
    if known == 0 {
        return Err(DomainError::field("user_id", "error-user-unknown"));
    }
    let exists: i64 = forum_members::table
        .find(&input.user_id)
        .count()
        .get_result(conn)?;
    if exists > 0 {
        diesel::update(forum_members::table.find(&input.user_id))
            .set(forum_members::active.eq(input.active))
            .execute(conn)?;
    } else {
        diesel::insert_into(forum_members::table)
            .values((
                forum_members::user_id.eq(&input.user_id),
                forum_members::municipality.eq(&m),
                forum_members::active.eq(input.active),
                forum_members::notify.eq("digest"),
                forum_members::calendar_token.eq(secret()),
                forum_members::joined_at.eq(now()),
            ))
            .execute(conn)?;
    }
    audit_in(
        conn,
        actor,
        &m,
        if input.active {
            "forum.member.add"
        } else {
            "forum.member.remove"
        },
        "user",
        &input.user_id,
    )?;
    Ok(forum_members::table
        .find(&input.user_id)
        .select(Membership::as_select())
        .get_result(conn)?)
}

/// How the member wants to hear of forum activity.
pub fn set_notify(conn: &mut DbConn, actor: &Actor, notify: &str) -> DomainResult<Membership> {
    membership(conn, actor)?;
    if !Notify::parse(notify).is_some() {
        return Err(DomainError::field("notify", "error-notify"));
    }
    diesel::update(forum_members::table.find(&actor.user_id))
        .set(forum_members::notify.eq(notify))
        .execute(conn)?;
    membership(conn, actor)
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable, ToSchema)]
#[diesel(table_name = threads)]
pub struct ThreadRow {
    pub id: String,
    pub municipality: String,
    pub kind: String,
    pub title: String,
    pub author_id: String,
    pub document: Option<String>,
    pub closes_on: Option<NaiveDate>,
    pub summary: Option<String>,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    pub meeting_at: Option<NaiveDateTime>,
    pub place: Option<String>,
    pub agenda: Option<String>,
    pub minutes: Option<String>,
    #[serde(skip)]
    pub participants: String,
    pub linked_type: Option<String>,
    pub linked_id: Option<String>,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub last_post_at: NaiveDateTime,
}

impl ThreadRow {
    /// A consultation takes comments until its closing day, and not after
    /// its summary is written.
    pub fn open_for_comments(&self) -> bool {
        self.kind != "consultation"
            || (self.summary.is_none() && self.closes_on.is_none_or(|d| d >= today()))
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PostView {
    pub id: String,
    pub author_id: String,
    pub author: String,
    /// The source (text or Markdown); absent when hidden from the reader.
    pub body: Option<String>,
    /// Safe HTML of the body.
    pub html: Option<String>,
    pub hidden: bool,
    pub hidden_reason: Option<String>,
    pub revisions: i64,
    #[serde(serialize_with = "cus_db::rfc3339::serialize")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "cus_db::rfc3339::option::serialize")]
    pub edited_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Thread {
    #[serde(flatten)]
    pub row: ThreadRow,
    pub participants: Vec<String>,
    pub document_html: Option<String>,
    pub summary_html: Option<String>,
    pub minutes_html: Option<String>,
    pub open_for_comments: bool,
    pub posts: Vec<PostView>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadInput {
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    /// Text or Markdown; raw HTML is shown as text.
    #[schema(min_length = 1, max_length = 20_000)]
    pub body: String,
    #[schema(value_type = ThreadKind)]
    pub kind: String,
    /// Meetings (required): when (RFC 3339 or `YYYY-MM-DDTHH:MM`).
    #[serde(default)]
    #[schema(schema_with = cus_db::openapi::optional_datetime)]
    pub meeting_at: Option<String>,
    #[serde(default)]
    #[schema(max_length = 300)]
    pub place: Option<String>,
    #[serde(default)]
    #[schema(max_length = 20_000)]
    pub agenda: Option<String>,
    /// Consultations: the draft under consultation, and the last day for
    /// comments (not in the past; default in 14 days).
    #[serde(default)]
    #[schema(max_length = 100_000)]
    pub document: Option<String>,
    #[serde(default, deserialize_with = "cus_db::bounds::opt_date")]
    #[schema(value_type = Option<cus_db::openapi::CivilDate>)]
    pub closes_on: Option<NaiveDate>,
    #[serde(default)]
    #[schema(max_items = 100, max_length = 300)]
    pub participants: Vec<String>,
    #[serde(default)]
    #[schema(value_type = Option<LinkKind>)]
    pub linked_type: Option<String>,
    /// Required (1 to 100 characters) with `linked_type`.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub linked_id: Option<String>,
}

fn check_body(check: &mut Check, body: &str) {
    check.text("body", body, 1, MAX_POST_CHARS);
}

/// The organizations or people named as a meeting's participants.
fn check_participants(check: &mut Check, participants: &[String]) {
    check.require(participants.len() <= 100, "participants", "error-too-many");
    for (i, p) in participants.iter().enumerate() {
        check.text(&format!("participants[{i}]"), p, 0, 300);
    }
}

/// Refuses a flood of posts from one member (429).
fn throttle(conn: &mut DbConn, actor: &Actor) -> DomainResult<()> {
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

fn index_text(conn: &mut DbConn, post_id: &str, thread_id: &str, body: &str) -> QueryResult<()> {
    // SQLite keeps its FTS5 table by hand; PostgreSQL indexes the columns.
    if let cus_db::DbConn::Sqlite(c) = conn {
        diesel::sql_query("DELETE FROM forum_search WHERE post_id = ? AND thread_id = ?")
            .bind::<Text, _>(post_id)
            .bind::<Text, _>(thread_id)
            .execute(c)?;
        diesel::sql_query("INSERT INTO forum_search (post_id, thread_id, body) VALUES (?, ?, ?)")
            .bind::<Text, _>(post_id)
            .bind::<Text, _>(thread_id)
            .bind::<Text, _>(body)
            .execute(c)?;
    }
    Ok(())
}

pub fn create_thread(
    conn: &mut DbConn,
    actor: &Actor,
    input: ThreadInput,
    public_url: &str,
) -> DomainResult<Thread> {
    let member = membership(conn, actor)?;
    let mut check = Check::new();
    check.text("title", &input.title, 1, 300);
    check_body(&mut check, &input.body);
    check.require(
        ThreadKind::parse(&input.kind).is_some(),
        "kind",
        "error-thread-kind",
    );
    let meeting_at = match input.meeting_at.as_deref().filter(|m| !m.trim().is_empty()) {
        Some(t) => cus_db::bounds::parse_datetime(t)
            .map_err(|why| check.fail("meeting_at", why))
            .ok(),
        None => None,
    };
    if input.kind == "meeting" {
        check.require(
            // A time that did not parse is refused above already; a blank
            // one is no time.
            meeting_at.is_some()
                || input
                    .meeting_at
                    .as_deref()
                    .is_some_and(|m| !m.trim().is_empty()),
            "meeting_at",
            "error-required",
        );
    }
    check.text("place", input.place.as_deref().unwrap_or(""), 0, 300);
    // A consultation without a closing day runs for the usual 14 days.
    let closes_on = input
        .closes_on
        .unwrap_or_else(|| today() + Duration::days(14));
    if input.kind == "consultation" {
        check.require(closes_on >= today(), "closes_on", "error-date-past");
    }
    check.text("agenda", input.agenda.as_deref().unwrap_or(""), 0, 20_000);
    check.text(
        "document",
        input.document.as_deref().unwrap_or(""),
        0,
        100_000,
    );
    check_participants(&mut check, &input.participants);
    if let Some(t) = input.linked_type.as_deref().filter(|t| !t.is_empty()) {
        check.require(
            LinkKind::parse(t).is_some(),
            "linked_type",
            "error-link-kind",
        );
        check.text(
            "linked_id",
            input.linked_id.as_deref().unwrap_or(""),
            1,
            100,
        );
    } else {
        // Kept with the thread even without a kind: bounded all the same.
        check.text(
            "linked_id",
            input.linked_id.as_deref().unwrap_or(""),
            0,
            100,
        );
    }
    check.finish()?;
    throttle(conn, actor)?;
    let id = new_id();
    let participants: Vec<String> = input
        .participants
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    diesel::insert_into(threads::table)
        .values((
            threads::id.eq(&id),
            threads::municipality.eq(&member.municipality),
            threads::kind.eq(&input.kind),
            threads::title.eq(input.title.trim()),
            threads::author_id.eq(&actor.user_id),
            threads::document.eq(input
                .document
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())),
            threads::closes_on.eq((input.kind == "consultation").then_some(closes_on)),
            threads::meeting_at.eq(meeting_at.filter(|_| input.kind == "meeting")),
            threads::place.eq(input
                .place
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())),
            threads::agenda.eq(input
                .agenda
                .as_deref()
                .map(str::trim)
                .filter(|a| !a.is_empty())),
            threads::participants
                .eq(serde_json::to_string(&participants).unwrap_or_else(|_| "[]".into())),
            threads::linked_type.eq(input.linked_type.as_deref().filter(|t| !t.is_empty())),
            threads::linked_id.eq(input.linked_id.as_deref().filter(|t| !t.is_empty())),
            threads::created_at.eq(now()),
            threads::last_post_at.eq(now()),
        ))
        .execute(conn)?;
    index_text(conn, "", &id, input.title.trim())?;
    insert_post(conn, actor, &id, input.body.trim())?;
    notify(
        conn,
        actor,
        &member.municipality,
        &id,
        input.title.trim(),
        &format!("new_{}", input.kind),
        public_url,
    )?;
    get_thread(conn, actor, &id)
}

fn insert_post(
    conn: &mut DbConn,
    actor: &Actor,
    thread_id: &str,
    body: &str,
) -> QueryResult<String> {
    let id = new_id();
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
    index_text(conn, &id, thread_id, body)?;
    Ok(id)
}

/// Tells the other members: a mail now, or a line in tomorrow's digest.
fn notify(
    conn: &mut DbConn,
    actor: &Actor,
    municipality: &str,
    thread_id: &str,
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

fn thread_row(conn: &mut DbConn, actor: &Actor, id: &str) -> DomainResult<ThreadRow> {
    let row: ThreadRow = threads::table
        .find(id)
        .select(ThreadRow::as_select())
        .get_result(conn)
        .found()?;
    if actor.municipality.as_deref() != Some(row.municipality.as_str()) {
        return Err(DomainError::NotFound);
    }
    membership(conn, actor)?;
    Ok(row)
}

fn moderator(actor: &Actor) -> bool {
    actor.is(&[Role::Organizer, Role::Admin])
}

pub fn get_thread(conn: &mut DbConn, actor: &Actor, id: &str) -> DomainResult<Thread> {
    let row = thread_row(conn, actor, id)?;
    type Row = (
        String,
        String,
        String,
        String,
        bool,
        Option<String>,
        NaiveDateTime,
        Option<NaiveDateTime>,
    );
    let rows: Vec<Row> = posts::table
        .inner_join(users::table)
        .filter(posts::thread_id.eq(id))
        .order(posts::created_at)
        .select((
            posts::id,
            posts::author_id,
            users::display_name,
            posts::body,
            posts::hidden,
            posts::hidden_reason,
            posts::created_at,
            posts::edited_at,
        ))
        .load(conn)?;
    let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
    let revs: Vec<String> = post_revisions::table
        .filter(post_revisions::post_id.eq_any(&ids))
        .select(post_revisions::post_id)
        .load(conn)?;
    let see_hidden = moderator(actor);
    let posts = rows
        .into_iter()
        .map(
            |(pid, author_id, author, body, hidden, reason, created_at, edited_at)| {
                let shown = !hidden || see_hidden || author_id == actor.user_id;
                PostView {
                    revisions: revs.iter().filter(|r| **r == pid).count() as i64,
                    id: pid,
                    author_id,
                    author,
                    html: shown.then(|| markdown::render(&body)),
                    body: shown.then_some(body),
                    hidden,
                    hidden_reason: reason,
                    created_at,
                    edited_at,
                }
            },
        )
        .collect();
    Ok(Thread {
        participants: serde_json::from_str(&row.participants).unwrap_or_default(),
        document_html: row.document.as_deref().map(markdown::render),
        summary_html: row.summary.as_deref().map(markdown::render),
        minutes_html: row.minutes.as_deref().map(markdown::render),
        open_for_comments: row.open_for_comments(),
        posts,
        row,
    })
}

pub fn list_threads(conn: &mut DbConn, actor: &Actor) -> DomainResult<Vec<ThreadRow>> {
    let member = membership(conn, actor)?;
    Ok(threads::table
        .filter(threads::municipality.eq(member.municipality))
        .order(threads::last_post_at.desc())
        .limit(200)
        .select(ThreadRow::as_select())
        .load(conn)?)
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
    thread_id: &str,
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

fn post_in_forum(
    conn: &mut DbConn,
    actor: &Actor,
    post_id: &str,
) -> DomainResult<(String, String, String)> {
    let (thread_id, author, body): (String, String, String) = posts::table
        .find(post_id)
        .select((posts::thread_id, posts::author_id, posts::body))
        .get_result(conn)
        .found()?;
    thread_row(conn, actor, &thread_id)?;
    Ok((thread_id, author, body))
}

/// The author edits a post; the replaced text is kept as a revision.
pub fn edit_post(
    conn: &mut DbConn,
    actor: &Actor,
    post_id: &str,
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
    index_text(conn, post_id, &thread_id, input.body.trim())?;
    get_thread(conn, actor, &thread_id)?
        .posts
        .into_iter()
        .find(|p| p.id == post_id)
        .ok_or(DomainError::NotFound)
}

/// The revisions of a post, oldest first (its author and moderators).
pub fn revisions(
    conn: &mut DbConn,
    actor: &Actor,
    post_id: &str,
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
    post_id: &str,
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

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ThreadUpdate {
    /// Consultations: how the comments were answered (closes it).
    #[serde(default)]
    #[schema(min_length = 1, max_length = 50_000)]
    pub summary: Option<String>,
    /// Meetings: the minutes and the organizations that took part.
    #[serde(default)]
    #[schema(min_length = 1, max_length = 50_000)]
    pub minutes: Option<String>,
    #[serde(default)]
    #[schema(max_items = 100, max_length = 300)]
    pub participants: Option<Vec<String>>,
}

/// The thread's author or the organizer closes a consultation with its
/// summary, or records a meeting's minutes and participants.
pub fn update_thread(
    conn: &mut DbConn,
    actor: &Actor,
    thread_id: &str,
    input: ThreadUpdate,
) -> DomainResult<Thread> {
    let row = thread_row(conn, actor, thread_id)?;
    if row.author_id != actor.user_id && !moderator(actor) {
        return Err(DomainError::Forbidden);
    }
    let mut check = Check::new();
    if let Some(s) = &input.summary {
        check.require(
            row.kind == "consultation",
            "summary",
            "error-not-consultation",
        );
        check.text("summary", s, 1, 50_000);
    }
    if let Some(m) = &input.minutes {
        check.require(row.kind == "meeting", "minutes", "error-not-meeting");
        check.text("minutes", m, 1, 50_000);
    }
    if let Some(p) = &input.participants {
        check.require(row.kind == "meeting", "participants", "error-not-meeting");
        check_participants(&mut check, p);
    }
    check.finish()?;
    let target = threads::table.find(thread_id);
    if let Some(s) = &input.summary {
        diesel::update(target)
            .set(threads::summary.eq(s.trim()))
            .execute(conn)?;
    }
    if let Some(m) = &input.minutes {
        diesel::update(target)
            .set(threads::minutes.eq(m.trim()))
            .execute(conn)?;
    }
    if let Some(p) = &input.participants {
        let list: Vec<&str> = p
            .iter()
            .map(|x| x.trim())
            .filter(|x| !x.is_empty())
            .collect();
        diesel::update(target)
            .set(
                threads::participants
                    .eq(serde_json::to_string(&list).unwrap_or_else(|_| "[]".into())),
            )
            .execute(conn)?;
    }
    get_thread(conn, actor, thread_id)
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchHit {
    pub thread_id: String,
    pub title: String,
    pub post_id: Option<String>,
    /// The matching post's text, shortened; hidden posts never match.
    pub excerpt: String,
}

#[derive(QueryableByName)]
struct Match {
    #[diesel(sql_type = Text)]
    post_id: String,
    #[diesel(sql_type = Text)]
    thread_id: String,
}

/// Full-text search over thread titles and posts of the member's forum
/// (SQLite FTS5 / PostgreSQL full text, 'simple' configuration).
pub fn search(conn: &mut DbConn, actor: &Actor, q: &str) -> DomainResult<Vec<SearchHit>> {
    let member = membership(conn, actor)?;
    let words: Vec<String> = q
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '-')
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .take(10)
        .collect();
    if words.is_empty() {
        return Err(DomainError::field("q", "error-required"));
    }
    let matches: Vec<Match> = match conn {
        cus_db::DbConn::Sqlite(c) => {
            // Each word quoted: user text is never FTS syntax.
            let fts = words
                .iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(" ");
            diesel::sql_query(
                "SELECT post_id, thread_id FROM forum_search WHERE forum_search MATCH ? LIMIT 200",
            )
            .bind::<Text, _>(fts)
            .load(c)?
        }
        cus_db::DbConn::Pg(c) => {
            let text = words.join(" ");
            diesel::sql_query(
                "SELECT id AS post_id, thread_id FROM posts WHERE to_tsvector('simple', body) @@ plainto_tsquery('simple', $1) \
                 UNION ALL SELECT '' AS post_id, id AS thread_id FROM threads WHERE to_tsvector('simple', title) @@ plainto_tsquery('simple', $1) \
                 LIMIT 200",
            )
            .bind::<Text, _>(text)
            .load(c)?
        }
    };
    // Two queries for all matches: the member's threads, the visible posts.
    let thread_ids: Vec<&str> = matches.iter().map(|m| m.thread_id.as_str()).collect();
    let titles: std::collections::HashMap<String, String> = threads::table
        .filter(threads::id.eq_any(&thread_ids))
        .filter(threads::municipality.eq(&member.municipality))
        .select((threads::id, threads::title))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let post_ids: Vec<&str> = matches
        .iter()
        .map(|m| m.post_id.as_str())
        .filter(|p| !p.is_empty())
        .collect();
    let bodies: std::collections::HashMap<String, String> = posts::table
        .filter(posts::id.eq_any(&post_ids))
        .filter(posts::hidden.eq(false))
        .select((posts::id, posts::body))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let mut hits = vec![];
    for m in matches {
        let Some(title) = titles.get(&m.thread_id) else {
            continue;
        };
        if m.post_id.is_empty() {
            hits.push(SearchHit {
                thread_id: m.thread_id,
                excerpt: title.clone(),
                title: title.clone(),
                post_id: None,
            });
        } else if let Some(body) = bodies.get(&m.post_id) {
            hits.push(SearchHit {
                thread_id: m.thread_id,
                title: title.clone(),
                post_id: Some(m.post_id),
                excerpt: body.chars().take(200).collect(),
            });
        }
    }
    Ok(hits)
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
